import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import { slaTable } from './sla.ts';
import { startAggregator, type Aggregator, type AggregatorOptions } from './consumer.ts';
import { publishNotice } from '../notices.ts';
import { recordTicker } from '../replay/record.ts';
import type { Entry, ApplyResult, EventCounter, SweepResult } from './apply.ts';

/** What runs after the counters: warning rules get the applied events and the SLA sweeps. */
export interface AfterAggregation {
  onApplied(entries: Entry[], result: ApplyResult): Promise<void>;
  /** Counts of events written in the aggregation's own commit (see EventCounter). */
  countEvent?: EventCounter;
  onSwept(result: SweepResult): Promise<void>;
}

export interface PipelineOptions {
  /** For notices and the rules (never blocked). */
  redis: RedisClient;
  /** A connection of its own for the blocking stream read. */
  blocking: RedisClient;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  after?: AfterAggregation;
  /** Replay's daily base (server/replay/base.ts); without it nothing is recorded for replay. */
  replay?: AggregatorOptions['replay'];
  tuning?: Pick<AggregatorOptions, 'consumerName' | 'claimIdleMs' | 'reapIdleMs' | 'sweepEveryMs' | 'batchSize'>;
}

/** Batches whose rules may wait while the aggregator goes on; beyond this it waits for them. */
const RULES_BACKLOG = 2;

/** stream → aggregate → notice → rules: the same wiring in a server process and in a worker. */
export function startPipeline(o: PipelineOptions): Aggregator {
  // The rules trail the counters: a batch's rules run while the next batch is applied, one batch
  // after another in order. A slow rule slows intake (bounded backlog) instead of growing memory.
  let rules: Promise<void> = Promise.resolve();
  let waiting = 0;
  /** Queues a batch's rules; resolves once queued, with `settled` for when they are done. */
  const afterwards = async (what: string, fn: () => Promise<void>): Promise<{ settled: Promise<void> }> => {
    while (waiting >= RULES_BACKLOG) await rules;
    waiting++;
    rules = rules
      .then(fn)
      .catch((err: unknown) => o.logger.error({ err, what }, 'warning rules failed for a batch'))
      .finally(() => waiting--);
    return { settled: rules };
  };
  const aggregator = startAggregator({
    redis: o.blocking,
    applyRedis: o.redis,
    keys: o.keys,
    sla: slaTable(),
    ...(o.after?.countEvent ? { countEvent: o.after.countEvent } : {}),
    ...(o.replay ? { replay: o.replay } : {}),
    clock: o.clock,
    logger: o.logger,
    metrics: o.metrics,
    ...o.tuning,
    onApplied: async (entries, result) => {
      // Screens hear of the counts first; alerts the rules raise travel on their own channel (and
      // announce their regions again), so the wall never waits for the rules.
      const applied = entries.filter((_, i) => result.codes[i] === 'N' || result.codes[i] === 'U').map((e) => e.event);
      await publishNotice(o.redis, o.keys, { touched: result.touched, events: applied, parts: ['counts'] });
      if (o.replay) await recordTicker(o.redis, o.keys, o.clock.now(), applied);
      const after = o.after;
      // The batch is acknowledged once its rules are done (see AggregatorOptions.onApplied).
      return after ? await afterwards('applied', () => after.onApplied(entries, result)) : undefined;
    },
    onSwept: async (swept) => {
      const after = o.after;
      if (after) await afterwards('swept', () => after.onSwept(swept));
      await publishNotice(o.redis, o.keys, { touched: swept.touched, events: [], parts: ['counts'] });
    },
  });
  return {
    get running() {
      return aggregator.running;
    },
    async stop() {
      await aggregator.stop();
      await rules;
    },
  };
}
