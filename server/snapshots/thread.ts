// The body of a server's snapshot thread: the reads and building of what screens are shown, off the
// thread that holds the sockets. A reconnect storm or a busy wall's refreshes cost the hub's thread
// only the messages to and from here.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { closeRedis, openRedis } from '../redis/connection.ts';
import { createKeyRing } from '../redis/keys.ts';
import { loadRegionTree } from '../regions/tree.ts';
import { liveSnapshots } from './live.ts';
import type { FromSnapshotThread, SnapshotThreadData, ToSnapshotThread } from './thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('server/snapshots/thread.ts runs only as a worker thread');
const data = workerData as SnapshotThreadData;
const logger = createLogger(data.logLevel, data.prettyLog).child({ thread: 'snapshots' });
const redis = openRedis(data.redis, 'snapshots', logger, { commandTimeout: data.commandTimeoutMs });
const tree = await loadRegionTree(data.regionRoot, undefined, data.provinces);
const read = liveSnapshots({
  redis,
  ring: createKeyRing(data.regionRoot, tree.provinces),
  tree,
  staleCaseMs: data.staleCaseMs,
  // Every read is at the `now` its request names; the clock is only the stores' default.
  clock: systemClock,
});
const send = (m: FromSnapshotThread) => port.postMessage(m);
port.on('message', (m: ToSnapshotThread) => {
  if (m.type === 'read') {
    read(m.code, m.now, m.reuse).then(
      (snapshot) => send({ type: 'read', id: m.id, snapshot: snapshot ?? null }),
      // Name and message are what tell "Redis cannot answer now" (a 503) from a fault (a 500).
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        send({ type: 'read', id: m.id, error: { name: e.name, message: e.message } });
      },
    );
  } else if (m.type === 'stop') {
    void closeRedis(redis).finally(() => process.exit(0));
  }
});
send({ type: 'ready' });
