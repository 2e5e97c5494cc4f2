/** How the wall's stage sits on a screen: its design size, the scale and the offset. */
export interface StageLayout {
  /** Design width in CSS px: 1920, or wider for a splice wall. */
  width: number;
  /** Design height: always 1080, so type sizes mean the same on every screen. */
  height: number;
  scale: number;
  left: number;
  top: number;
  /** The layout for wide walls: side columns grow a little, the map takes the rest. */
  wide: boolean;
}

export type LayoutChoice = 'wide' | 'standard' | null;

const W = 1920;
const H = 1080;
/**
 * From this aspect ratio on, a screen is a splice wall (3840×1080 is 3.6, three 16:9 screens
 * 5.3): below it (21:9 monitors at 2.4 are borderline and stay standard) bars are thin enough.
 */
const WIDE_FROM = 2.5;

export function parseLayout(value: string | null): LayoutChoice {
  return value === 'wide' || value === 'standard' ? value : null;
}

export function stageLayout(viewW: number, viewH: number, choice: LayoutChoice): StageLayout {
  const aspect = viewW / viewH;
  const wide = choice === 'wide' || (choice === null && aspect >= WIDE_FROM);
  const width = wide ? Math.max(W, Math.round(H * aspect)) : W;
  const scale = Math.min(viewW / width, viewH / H);
  return {
    width,
    height: H,
    scale,
    left: (viewW - width * scale) / 2,
    top: (viewH - H * scale) / 2,
    wide,
  };
}
