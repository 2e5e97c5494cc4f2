import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';

/** A worker thread that is started again when it dies. */
export interface SupervisedWorker {
  /** Resolves once the first thread says it is ready; rejects if it failed before that. */
  readonly started: Promise<void>;
  /** Whether a thread is up and has said it is ready. */
  readonly ready: boolean;
  /** Posts to the ready thread; false (nothing sent) when there is none. */
  post(message: unknown): boolean;
  /** Asks the thread to stop (`{ type: 'stop' }`), ending it by force after `stopTimeoutMs`. */
  stop(): Promise<void>;
}

export interface SupervisedWorkerOptions {
  /** The thread's script; it posts `{ type: 'ready' }` once it can serve. */
  entry: URL;
  data: unknown;
  /** For the log: "<what> thread failed". */
  what: string;
  logger: Logger;
  /** Every message but `ready`. */
  onMessage(message: unknown): void;
  /** The thread ended (a new one follows unless stopping): what it was asked is not answered. */
  onExit?(): void;
  restartDelayMs?: number;
  stopTimeoutMs?: number;
}

/**
 * Runs `entry` on a worker thread and starts it again a second after it dies. A thread that fails
 * before its first `ready` is not retried (a bad configuration): `started` rejects and the server
 * fails to start.
 */
export function superviseWorker(o: SupervisedWorkerOptions): SupervisedWorker {
  let worker: Worker | undefined;
  let ready = false;
  let stopping = false;
  let settled = false;
  let resolveStarted!: () => void;
  let rejectStarted!: (err: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });

  const spawn = () => {
    const w = new Worker(o.entry, { workerData: o.data });
    worker = w;
    w.on('message', (m: { type?: unknown }) => {
      if (m?.type !== 'ready') return o.onMessage(m);
      ready = true;
      settled = true;
      resolveStarted();
    });
    w.on('error', (err) => {
      o.logger.error({ err }, `${o.what} thread failed`);
      if (!settled) {
        settled = true;
        stopping = true;
        rejectStarted(err);
      }
    });
    w.on('exit', (code) => {
      ready = false;
      worker = undefined;
      o.onExit?.();
      if (stopping) return;
      o.logger.error({ code }, `${o.what} thread exited; starting it again`);
      setTimeout(() => {
        if (!stopping) spawn();
      }, o.restartDelayMs ?? 1000).unref();
    });
  };
  spawn();

  return {
    started,
    get ready() {
      return ready;
    },
    post(message) {
      if (!worker || !ready) return false;
      worker.postMessage(message);
      return true;
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage({ type: 'stop' });
      const timer = setTimeout(() => void w.terminate(), o.stopTimeoutMs ?? 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
