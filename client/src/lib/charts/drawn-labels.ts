import type { EChartsType } from 'echarts/core';

/** A name as the chart drew it: where (chart px), how large, how opaque. */
export interface DrawnLabel {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  fontSize: number;
  opacity: number;
}

interface TextRect {
  x: number;
  y: number;
  width: number;
  height: number;
  applyTransform(m: number[]): void;
}
/** The little of zrender's element tree this reads (public API of its elements). */
interface Node {
  type?: string;
  ignore?: boolean;
  invisible?: boolean;
  isGroup?: boolean;
  style?: { text?: unknown; fontSize?: unknown; font?: unknown; opacity?: unknown };
  children?: () => Node[];
  getTextContent?: () => Node | undefined;
  getBoundingRect(): { clone(): TextRect };
  getComputedTransform(): number[] | null;
}

/**
 * The texts among `names` the chart has on screen after its label layout: those hideOverlap hid
 * are left out. What a wall's map says it shows (its data-labels attribute) is what it drew, so
 * a test can check the names against the canvas's pixels rather than against the option.
 */
export function drawnLabels(chart: EChartsType, names: ReadonlySet<string>): DrawnLabel[] {
  const out: DrawnLabel[] = [];
  const visit = (el: Node): void => {
    // hideOverlap hides a label by ignoring it; an ignored host hides its label with it.
    if (el.ignore || el.invisible) return;
    if (el.type === 'text') {
      const text = el.style?.text;
      if (typeof text === 'string' && names.has(text)) out.push(drawn(el, text));
      return;
    }
    if (el.isGroup) for (const c of el.children?.() ?? []) visit(c);
    const label = el.getTextContent?.();
    if (label) visit(label);
  };
  for (const root of chart.getZr().storage.getRoots() as unknown as Node[]) visit(root);
  return out;
}

function drawn(el: Node, text: string): DrawnLabel {
  const r = el.getBoundingRect().clone();
  const m = el.getComputedTransform();
  if (m) r.applyTransform(m);
  const font = /(\d+(?:\.\d+)?)px/.exec(String(el.style?.font ?? ''))?.[1];
  const opacity = el.style?.opacity;
  return {
    text,
    x: Math.round(r.x),
    y: Math.round(r.y),
    width: Math.round(r.width),
    height: Math.round(r.height),
    fontSize: Number(el.style?.fontSize) || Number(font) || 0,
    opacity: typeof opacity === 'number' ? opacity : 1,
  };
}
