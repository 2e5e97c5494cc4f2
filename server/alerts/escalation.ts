import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Alerts } from './service.ts';

export const AUTO_ESCALATION_NOTE = '超时未签收，自动升级至上级值班台';

/**
 * Escalates alerts nobody signed for in time. Every server process may run one: the script acts
 * only while the deadline is still passed, so two timers never escalate the same alert twice.
 * Time comes from the injected clock (tests move a ManualClock); the interval only decides how
 * often we look.
 */
export function startEscalation(o: { alerts: Alerts; clock: Clock; logger: Logger; everyMs?: number }): {
  stop(): Promise<void>;
  tick(): Promise<number>;
} {
  let busy: Promise<number> | undefined;

  async function run(): Promise<number> {
    let n = 0;
    for (;;) {
      const ids = await o.alerts.store.overdueForSigning(o.clock.now());
      let moved = 0;
      for (const id of ids) {
        const r = await o.alerts.act(id, {
          action: 'escalate',
          actor: 'system',
          auto: true,
          note: AUTO_ESCALATION_NOTE,
        });
        if (r.ok) moved++;
      }
      n += moved;
      // Stop when a page moved nothing (empty, at the top desk, or another process won): no spinning.
      if (moved === 0) return n;
    }
  }

  function tick(): Promise<number> {
    busy ??= run()
      .catch((err: unknown) => {
        o.logger.error({ err }, 'alert escalation failed; retrying on the next tick');
        return 0;
      })
      .finally(() => (busy = undefined));
    return busy;
  }

  const timer = setInterval(() => void tick(), o.everyMs ?? 1000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await busy;
    },
  };
}
