import type { TooltipComponentOption } from 'echarts/components';

/**
 * The wall's palette and type sizes for charts (CSS has the same values as custom properties in
 * app.css). Cyan/teal is structure only; the four warning colours come from shared/vocab.ts and
 * are used for nothing else.
 */
export const THEME = {
  accent: '#35d6ff',
  accentSoft: 'rgba(53, 214, 255, 0.35)',
  accentFaint: 'rgba(53, 214, 255, 0.12)',
  text: '#e8f4ff',
  textDim: '#9fbbd9',
  textMuted: '#6f8fb3',
  /** Yesterday's line, and anything "for comparison". */
  compare: '#8a9bb4',
  ground: '#041230',
  /** Map fill with no data, and region borders. */
  mapEmpty: '#0d2348',
  /** A place on the map the system has no data for (台湾, 香港, 澳门 on the national map): grey, not a colour. */
  mapNoData: '#3b4452',
  mapBorder: 'rgba(120, 220, 255, 0.55)',
  /** Sequential ramp for counts on the map: luminance of a desaturated steel, not a warning hue. */
  ramp: ['#0f2650', '#1f4677', '#3d6d9c', '#6f9cc2', '#b7d2ea'],
  ripple: '#e9fbff',
  font: '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  /** Smallest text anywhere on the wall at 1080p: it is read from five metres. */
  small: 16,
  body: 18,
} as const;

/** Tooltip look shared by every chart (HTML content comes from formatters that escape text). */
export const TOOLTIP_BASE: TooltipComponentOption = {
  backgroundColor: 'rgba(4, 18, 48, 0.94)',
  borderColor: THEME.accentSoft,
  borderWidth: 1,
  padding: [8, 12],
  textStyle: { color: THEME.text, fontSize: THEME.body, fontFamily: THEME.font },
  extraCssText: 'box-shadow: 0 0 12px rgba(53,214,255,0.25);',
};
