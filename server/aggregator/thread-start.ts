import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { Aggregator } from '../aggregate/consumer.ts';
import { superviseWorker } from '../threads/supervised-worker.ts';
import type { FromThread, ThreadData, ToThread } from './thread-protocol.ts';

export interface AggregatorThread extends Aggregator {
  /** Resolves once the first thread runs; rejects if it failed before. */
  started: Promise<void>;
  /** The server's metrics and the thread's in one Prometheus text. */
  metricsText(own: Registry): Promise<string>;
}

const METRICS_TIMEOUT_MS = 2000;

type Metric = MetricObjectWithValues<MetricValue<string>>;

/**
 * Runs the aggregator on a thread of its own. If the thread dies it is started again after a
 * second: what it had read but not committed stays pending in the consumer group and is applied
 * by the new thread (a redelivered event is recognised by its case, so nothing counts twice).
 */
export function startAggregatorThread(
  data: ThreadData,
  logger: Logger,
  /** The thread's script (tests give one that fails on purpose). */
  entry: URL = new URL('./thread-entry.mjs', import.meta.url),
): AggregatorThread {
  let nextId = 0;
  const pending = new Map<number, (m: Metric[]) => void>();
  const thread = superviseWorker({
    entry,
    data,
    what: 'aggregator',
    logger,
    onMessage(m) {
      const msg = m as FromThread;
      if (msg.type === 'metrics') pending.get(msg.id)?.(msg.metrics);
    },
    onExit() {
      for (const resolve of pending.values()) resolve([]);
      pending.clear();
    },
  });

  const threadMetrics = () =>
    new Promise<Metric[]>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve([]);
      }, METRICS_TIMEOUT_MS);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(m);
      });
      if (!thread.post({ type: 'metrics', id } satisfies ToThread)) pending.get(id)!([]);
    });

  return {
    started: thread.started,
    get running() {
      return thread.ready;
    },
    async metricsText(own) {
      const [mine, theirs] = await Promise.all([own.getMetricsAsJSON(), threadMetrics()]);
      return AggregatorRegistry.aggregate([mine, theirs] as Metric[][]).metrics();
    },
    stop: () => thread.stop(),
  };
}
