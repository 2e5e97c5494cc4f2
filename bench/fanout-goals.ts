// The fanout goals of issue 20, judged in one run against the bare Socket.IO baseline measured in it.
import { pct } from './histogram.ts';
import type { RunResult } from './fanout-run.ts';

/** The hub's coalescing window: a dirty room waits up to this long for its slot (4 Hz). */
const COALESCE_MS = 250;

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);

/** Ours beside bare, their ratios, and PASS/FAIL for each goal (a missing figure fails). */
export function judge(ours: RunResult, bare: RunResult): Record<string, string> {
  const alert = [pct(ours.stats.alert, 99), pct(bare.stats.alert, 99)] as const;
  const delta = [pct(ours.stats.delta, 99), pct(bare.stats.delta, 99)] as const;
  const loop = [ours.lagP99, bare.lagP99] as const;
  // An alert that never reached a client within the run's tail would be its slowest: a p99
  // without it flatters, so a run that lost any fails the alert goals.
  const lost = (r: RunResult) => r.alertsExpected - r.stats.alert.totalCount;
  const complete = lost(ours) === 0 && lost(bare) === 0;
  const alertRatio = ratio(...alert);
  const alertNote = complete
    ? `${alertRatio}×`
    : `${alertRatio}×, alerts not received: ours ${lost(ours)}, bare ${lost(bare)}`;
  return {
    'alert p99 ours / bare (ms, ratio)': `${alert[0]} / ${alert[1]} (${alertRatio}×)`,
    'delta p99 ours / bare (ms, ratio; difference)': `${delta[0]} / ${delta[1]} (${ratio(...delta)}×; +${
      delta[0] - delta[1]
    } ms)`,
    'event-loop p99 ours / bare (ms, ratio)': `${loop[0]} / ${loop[1]} (${ratio(...loop)}×)`,
    'GOAL alert p99 ≤ 3× bare': `${verdict(complete && alertRatio <= 3)} (${alertNote})`,
    'GOAL (stretch) alert p99 ≤ 2× bare': `${verdict(complete && alertRatio <= 2)} (${alertNote})`,
    [`GOAL delta p99 ≤ bare p99 + ${COALESCE_MS} ms`]: `${verdict(delta[0] <= delta[1] + COALESCE_MS)} (${
      delta[0]
    } vs ${delta[1] + COALESCE_MS} ms)`,
    'GOAL event-loop p99 ≤ 2× bare': `${verdict(loop[0] <= 2 * loop[1])} (${loop[0]} vs ${
      Math.round(2 * loop[1] * 10) / 10
    } ms)`,
  };
}
