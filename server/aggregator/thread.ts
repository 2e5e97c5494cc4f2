// The body of a server's aggregator thread: the counters, notices and warning rules run here on an
// event loop of their own, so a batch never waits behind the socket hub or HTTP, and the other way round.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { loadRegionTree } from '../regions/tree.ts';
import { startAggregatorRuntime, tuningFromEnv } from './runtime.ts';
import type { FromThread, ThreadData, ToThread } from './thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('server/aggregator/thread.ts runs only as a worker thread');
const data = workerData as ThreadData;
const logger = createLogger(data.logLevel, data.prettyLog).child({ thread: 'aggregator' });
// Process-wide figures (CPU, RSS, event loop) are the server thread's to report, not counted twice.
const metrics = createMetrics({ processMetrics: false });
const runtime = startAggregatorRuntime({
  redis: data.redis,
  regionRoot: data.regionRoot,
  tree: await loadRegionTree(data.regionRoot, undefined, data.provinces),
  clock: systemClock,
  logger,
  metrics,
  escalation: false,
  tuning: tuningFromEnv(),
});
const send = (m: FromThread) => port.postMessage(m);
port.on('message', (m: ToThread) => {
  if (m.type === 'metrics') {
    void metrics.registry.getMetricsAsJSON().then((list) => send({ type: 'metrics', id: m.id, metrics: list }));
  } else if (m.type === 'stop') {
    void runtime.stop().then(() => {
      // Ends this thread only; the log transport would otherwise keep its loop alive.
      process.exit(0);
    });
  }
});
send({ type: 'ready' });
