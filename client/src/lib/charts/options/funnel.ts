import type { FunnelSeriesOption } from 'echarts/charts';
import type { TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { Status } from '../../../../../shared/vocab.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';

export type FunnelOption = ComposeOption<FunnelSeriesOption | TooltipComponentOption>;

export interface FunnelStage {
  key: 'received' | 'dispatched' | 'mediating' | 'resolved' | 'verified';
  label: string;
  /** Today's disputes that have reached this stage or a later one. */
  reached: number;
  /** Open disputes (any day) sitting at this stage now; null for stages that are outcomes. */
  waiting: number | null;
}

type ByStatus = Partial<Record<Status, number>> | undefined;
const n = (m: ByStatus, s: Status) => m?.[s] ?? 0;

/**
 * The 矛盾纠纷 flow 受理 → 分流 → 调处 → 化解 → 核验 from today's cases by current status: a case
 * now `mediating` has passed 受理 and 分流, so each stage counts the cases at it or beyond.
 * `failed` is an outcome at the 化解 rank that was not a 化解: it counts up to 调处 only.
 */
export function funnelStages(today: ByStatus, open: ByStatus): FunnelStage[] {
  const verified = n(today, 'verified');
  const resolved = n(today, 'resolved') + verified;
  const mediated = resolved + n(today, 'failed') + n(today, 'mediating');
  const dispatched = mediated + n(today, 'dispatched');
  const received = dispatched + n(today, 'received');
  return [
    { key: 'received', label: '受理', reached: received, waiting: n(open, 'received') },
    { key: 'dispatched', label: '分流', reached: dispatched, waiting: n(open, 'dispatched') },
    { key: 'mediating', label: '调处', reached: mediated, waiting: n(open, 'mediating') },
    { key: 'resolved', label: '化解', reached: resolved, waiting: null },
    { key: 'verified', label: '核验', reached: verified, waiting: null },
  ];
}

/** Structure colour at falling strength: the funnel's shape carries the meaning, not its hue. */
const SHADES = [
  'rgba(53,214,255,0.85)',
  'rgba(53,214,255,0.68)',
  'rgba(53,214,255,0.52)',
  'rgba(53,214,255,0.38)',
  'rgba(53,214,255,0.26)',
];

export function funnelOption(stages: readonly FunnelStage[]): FunnelOption {
  const top = Math.max(1, stages[0]?.reached ?? 0);
  return {
    textStyle: { fontFamily: THEME.font },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'item',
      formatter: (p: unknown) => {
        const s = stages[(p as { dataIndex?: number }).dataIndex ?? -1];
        if (!s) return '';
        const lines = [`${escapeHtml(s.label)}：今日 ${escapeHtml(s.reached)} 件`];
        if (s.waiting !== null) lines.push(`在办停留：${escapeHtml(s.waiting)} 件`);
        return lines.join('<br/>');
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '4%',
        width: '68%',
        top: 6,
        bottom: 6,
        min: 0,
        max: top,
        minSize: '22%',
        maxSize: '100%',
        gap: 3,
        funnelAlign: 'left',
        label: {
          show: true,
          position: 'right',
          color: THEME.text,
          fontSize: THEME.body,
          fontFamily: THEME.font,
          formatter: (p: unknown) => {
            const s = stages[(p as { dataIndex?: number }).dataIndex ?? -1];
            return s ? `${s.label}  ${s.reached}` : '';
          },
        },
        labelLine: { show: true, length: 8, lineStyle: { color: THEME.accentSoft } },
        itemStyle: { borderWidth: 0 },
        data: stages.map((s, i) => ({ name: s.label, value: s.reached, itemStyle: { color: SHADES[i] ?? SHADES[4] } })),
      },
    ],
  };
}
