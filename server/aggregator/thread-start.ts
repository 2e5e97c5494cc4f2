import { Worker } from 'node:worker_threads';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { Aggregator } from '../aggregate/consumer.ts';
import type { FromThread, ThreadData, ToThread } from './thread-protocol.ts';

export interface AggregatorThread extends Aggregator {
  /** Resolves once the first thread runs; rejects if it failed before. */
  started: Promise<void>;
  /** The server's metrics and the thread's in one Prometheus text. */
  metricsText(own: Registry): Promise<string>;
}

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 15_000;
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
  let worker: Worker | undefined;
  let ready = false;
  let stopping = false;
  let nextId = 0;
  const pending = new Map<number, (m: Metric[]) => void>();
  let started!: { resolve(): void; reject(err: unknown): void; done: boolean };
  const startedPromise = new Promise<void>((resolve, reject) => {
    started = { resolve, reject, done: false };
  });

  const spawn = () => {
    const w = new Worker(entry, { workerData: data });
    worker = w;
    w.on('message', (m: FromThread) => {
      if (m.type === 'ready') {
        ready = true;
        started.done = true;
        started.resolve();
      } else if (m.type === 'metrics') pending.get(m.id)?.(m.metrics);
    });
    w.on('error', (err) => {
      logger.error({ err }, 'aggregator thread failed');
      // A thread that cannot start (bad configuration) is not retried: the server fails to start.
      if (!started.done) {
        stopping = true;
        started.reject(err);
      }
    });
    w.on('exit', (code) => {
      ready = false;
      worker = undefined;
      for (const resolve of pending.values()) resolve([]);
      pending.clear();
      if (stopping) return;
      logger.error({ code }, 'aggregator thread exited; starting it again');
      setTimeout(() => {
        if (!stopping) spawn();
      }, RESTART_DELAY_MS).unref();
    });
  };
  spawn();

  const threadMetrics = () =>
    new Promise<Metric[]>((resolve) => {
      if (!worker || !ready) return resolve([]);
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
      worker.postMessage({ type: 'metrics', id } satisfies ToThread);
    });

  return {
    started: startedPromise,
    get running() {
      return ready;
    },
    async metricsText(own) {
      const [mine, theirs] = await Promise.all([own.getMetricsAsJSON(), threadMetrics()]);
      return AggregatorRegistry.aggregate([mine, theirs] as Metric[][]).metrics();
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage({ type: 'stop' } satisfies ToThread);
      const timer = setTimeout(() => void w.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
