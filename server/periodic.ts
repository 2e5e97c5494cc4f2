import type { Logger } from './log.ts';

/**
 * Runs `task` now (or `firstAfterMs` from now) and every `everyMs`, one run at a time (a run still going when the next is due
 * is not doubled). A failure is logged and the task tried again on the next run. The returned stop
 * clears the timer and waits for the run in flight.
 */
export function startPeriodic(o: {
  task: () => Promise<void>;
  everyMs: number;
  firstAfterMs?: number;
  logger?: Logger;
  /** What the task does, for the warning: `sweeping event-id marks`. */
  what: string;
}): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= o
      .task()
      .catch((err: unknown) => o.logger?.warn({ err }, `${o.what} failed; retried on the next run`))
      .finally(() => (running = undefined));
  };
  let timer: NodeJS.Timeout;
  const every = () => {
    run();
    timer = setInterval(run, o.everyMs);
    timer.unref();
  };
  if (o.firstAfterMs) {
    timer = setTimeout(every, o.firstAfterMs);
    timer.unref();
  } else every();
  return async () => {
    clearTimeout(timer);
    clearInterval(timer);
    await running;
  };
}
