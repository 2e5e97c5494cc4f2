import type { Alerts } from '../alerts/service.ts';
import type { Logger } from '../log.ts';
import type { WarningLevel } from '../../shared/vocab.ts';

/** Who the simulated duty desks act as, in alerts' histories and the audit trail. */
export const HISTORY_ACTOR = '模拟值班员';
const HISTORY_NOTE = '回填的历史数据：按当时的处置进度记录';

export interface HistorySettling {
  alerts: Pick<Alerts, 'list' | 'act' | 'store'>;
  /** Whether the aggregator has applied everything sent so far (the backfill). */
  drained(): Promise<boolean>;
}

const HOUR = 3600_000;
/** How long a desk takes to close an alert, by level: a red one within hours, a blue one in days. */
export const HANDLING_MS: Record<WarningLevel, number> = {
  red: 6 * HOUR,
  orange: 12 * HOUR,
  yellow: 48 * HOUR,
  blue: 72 * HOUR,
};
/** Older than this, an alert still open has been signed (签收) by its desk. */
const SIGNED_AFTER_MS = HOUR / 2;
const WAIT_LIMIT_MS = 120_000;

/**
 * The duty desks of the backfilled days. Without them a wall started on three days of history
 * opens with every alert of those days new at once, their sign timers running from now and
 * escalating by the dozen. Once the backfill is counted and its rules have run, each alert is put
 * where its desk would have it by now, judged by the age of its newest event: past its level's
 * handling time, closed (签收 → 办结 → 核验); past half an hour, signed and in hand; newer, left new
 * for the duty officer. Each step is recorded as the simulator's, in the alert and the audit trail.
 */
export async function settleHistory(
  o: HistorySettling & {
    root: string;
    now: () => number;
    logger: Logger;
    stopped: () => boolean;
    pollMs?: number;
  },
): Promise<{ closed: number; signed: number; new: number }> {
  const pause = () => new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  // Counted, then two quiet polls with the same open alerts: the rules trail the counters. A fast
  // simulator may never let the stream rest: after two minutes the desks act on what there is.
  let last = -1;
  let quiet = 0;
  const giveUpAt = Date.now() + WAIT_LIMIT_MS;
  while (!o.stopped() && quiet < 2 && Date.now() < giveUpAt) {
    await pause();
    if (!(await o.drained())) {
      quiet = 0;
      continue;
    }
    const open = (await o.alerts.list(o.root, 'open', 100_000)).length;
    quiet = open === last ? quiet + 1 : 0;
    last = open;
  }
  const done = { closed: 0, signed: 0, new: 0 };
  if (o.stopped()) return done;
  const now = o.now();
  const open = await o.alerts.list(o.root, 'open', 100_000);
  for (const alert of open) {
    if (o.stopped()) break;
    // An alert without events (a silence) is about now, not about the history.
    const events = (await o.alerts.store.detail(alert.id))?.events ?? [];
    const age = events.length ? now - Math.max(...events.map((e) => Date.parse(e.at))) : 0;
    const steps =
      age >= HANDLING_MS[alert.level]
        ? (['ack', 'resolve', 'close'] as const)
        : age >= SIGNED_AFTER_MS
          ? (['ack'] as const)
          : [];
    for (const action of steps) {
      const r = await o.alerts.act(alert.id, { action, actor: HISTORY_ACTOR, note: HISTORY_NOTE });
      if (!r.ok) break;
    }
    done[steps.length === 3 ? 'closed' : steps.length === 1 ? 'signed' : 'new']++;
  }
  o.logger.info(done, 'alerts of the backfilled days put where their desks would have them');
  return done;
}
