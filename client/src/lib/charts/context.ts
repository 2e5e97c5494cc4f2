import { getContext, setContext } from 'svelte';

const KEY = Symbol('chart-pixel-ratio');

/**
 * Charts draw at the stage's scale: the wall is laid out at 1920×1080 and CSS-scaled to the
 * screen, so a 4K screen needs canvases at twice the pixel ratio to stay sharp.
 */
export function provideChartPixelRatio(get: () => number): void {
  setContext(KEY, get);
}

export function chartPixelRatio(): () => number {
  return getContext<(() => number) | undefined>(KEY) ?? (() => window.devicePixelRatio || 1);
}
