/**
 * The one bridge between Svelte and ECharts: `{@attach chart(() => option)}`.
 *
 * ECharts is imported by module (core + the charts and components the wall uses), never whole,
 * so its chunk stays small. The file is `.svelte.ts` because the attachment needs a nested
 * `$effect`: the chart is created once per element, and only `setOption` re-runs when the option
 * changes.
 */
import type { Attachment } from 'svelte/attachments';
import { BarChart, EffectScatterChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import {
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  VisualMapPiecewiseComponent,
} from 'echarts/components';
import { init, registerMap, use, type EChartsCoreOption, type EChartsType, type SetOptionOpts } from 'echarts/core';
// `labelLayout` (the maps' hideOverlap) does nothing unless its feature is installed.
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer } from 'echarts/renderers';

use([
  MapChart,
  EffectScatterChart,
  ScatterChart,
  LineChart,
  BarChart,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  VisualMapPiecewiseComponent,
  LabelLayout,
  CanvasRenderer,
]);

export { registerMap };

/** What a click on a chart element hands back (the subset the wall reads). */
export interface ChartClick {
  componentType?: string;
  seriesType?: string;
  name?: string;
  data?: unknown;
}

export interface ChartHooks {
  onClick?: (params: ChartClick) => void;
  /**
   * Canvas pixel ratio. Read reactively: when it changes (the stage is scaled for another screen)
   * the chart is re-created so it stays sharp under the CSS transform.
   */
  pixelRatio?: () => number;
  /** Components to replace rather than merge on update (e.g. `['series']` when series come and go). */
  replaceMerge?: SetOptionOpts['replaceMerge'];
  /**
   * After each completed render (animations done), with what was drawn (drawn-labels.ts reads it);
   * every two seconds while a looping animation keeps the chart from finishing.
   */
  onRendered?: (chart: EChartsType, element: HTMLElement) => void;
}

export function chart(
  getOption: () => EChartsCoreOption | null | undefined,
  hooks: ChartHooks = {},
): Attachment<HTMLElement> {
  return (element) => {
    const devicePixelRatio = hooks.pixelRatio?.() ?? window.devicePixelRatio ?? 1;
    const instance = init(element, undefined, { renderer: 'canvas', devicePixelRatio });
    const onClick = hooks.onClick;
    if (onClick) instance.on('click', (params) => onClick(params as ChartClick));
    const onRendered = hooks.onRendered;
    let renderedTimer: ReturnType<typeof setTimeout> | undefined;
    if (onRendered) {
      const read = () => {
        clearTimeout(renderedTimer);
        renderedTimer = undefined;
        if (!instance.isDisposed()) onRendered(instance, element);
      };
      instance.on('finished', read);
      // A looping animation (a red alert's ripple) keeps the chart from ever finishing: then what
      // it has drawn is read two seconds after a render, at most every two seconds.
      instance.on('rendered', () => {
        renderedTimer ??= setTimeout(read, 2000);
      });
    }

    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => instance.resize());
    });
    observer.observe(element);

    $effect(() => {
      const option = getOption();
      if (option)
        instance.setOption(option, {
          lazyUpdate: true,
          ...(hooks.replaceMerge ? { replaceMerge: hooks.replaceMerge } : {}),
        });
    });

    return () => {
      clearTimeout(renderedTimer);
      cancelAnimationFrame(frame);
      observer.disconnect();
      instance.dispose();
    };
  };
}
