import type { Status } from '../../../shared/vocab.ts';

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

/**
 * Bar length of each stage, 0–1 of the first stage. Plain proportions: an ECharts funnel draws a
 * stage of 0 at its minimum width and each stage as a trapezoid narrowing to the next one, so the
 * picture would not say how many reached a stage.
 */
export function funnelShares(stages: readonly FunnelStage[]): number[] {
  const top = Math.max(1, stages[0]?.reached ?? 0);
  return stages.map((s) => Math.min(1, s.reached / top));
}
