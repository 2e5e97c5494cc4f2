import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { Logger } from '../log.ts';
import { superviseWorker } from '../threads/supervised-worker.ts';
import { withDeadline } from '../redis/unavailable.ts';
import type { ReadLiveSnapshot } from './live.ts';
import type { FromSnapshotThread, SnapshotThreadData, ToSnapshotThread } from './thread-protocol.ts';

export interface SnapshotThread {
  /** Resolves once the first thread serves; rejects if it failed before. */
  started: Promise<void>;
  read: ReadLiveSnapshot;
  stop(): Promise<void>;
}

type Settle = [(snapshot: Snapshot | undefined) => void, (err: Error) => void];

/**
 * Snapshots read and built on a thread of their own (thread.ts). While no thread serves (starting,
 * or started again after it died) and for the reads a dying thread left unanswered, `inline` reads
 * them on this thread, the same way: a screen is never refused because the thread is away. A read
 * the thread does not answer within the Redis command timeout and a second fails as Redis
 * unavailable does.
 */
export function startSnapshotThread(
  data: SnapshotThreadData,
  logger: Logger,
  inline: ReadLiveSnapshot,
  /** The thread's script (tests give one that fails on purpose). */
  entry: URL = new URL('./thread-entry.mjs', import.meta.url),
): SnapshotThread {
  let nextId = 0;
  const pending = new Map<number, { ask: Parameters<ReadLiveSnapshot>; settle: Settle }>();
  const thread = superviseWorker({
    entry,
    data,
    what: 'snapshot',
    logger,
    onMessage(m) {
      const msg = m as FromSnapshotThread;
      if (msg.type !== 'read') return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      const [resolve, reject] = p.settle;
      if (msg.error) reject(Object.assign(new Error(msg.error.message), { name: msg.error.name }));
      else resolve(msg.snapshot ?? undefined);
    },
    onExit() {
      const left = [...pending.values()];
      pending.clear();
      for (const { ask, settle } of left) void inline(...ask).then(...settle);
    },
  });
  const deadlineMs = data.commandTimeoutMs + 1000;

  return {
    started: thread.started,
    read(code, now, reuse) {
      const id = nextId++;
      const asked = new Promise<Snapshot | undefined>((resolve, reject) => {
        pending.set(id, { ask: [code, now, reuse], settle: [resolve, reject] });
      });
      const message: ToSnapshotThread = { type: 'read', id, code, now, ...(reuse ? { reuse } : {}) };
      if (!thread.post(message)) {
        pending.delete(id);
        return inline(code, now, reuse);
      }
      return withDeadline(asked, deadlineMs).finally(() => pending.delete(id));
    },
    stop: () => thread.stop(),
  };
}
