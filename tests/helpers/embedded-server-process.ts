import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { socketPath } from '../../server/redis/embedded.ts';
import { freePort } from './redis.ts';

export interface EmbeddedServerProcess {
  url: string;
  child: ChildProcess;
  /** The embedded Redis's files, pid file and socket. */
  redisDir: string;
  redisSocket: string;
  ingestKey: string;
  /** What the server has logged so far (JSON lines). */
  log(): string;
  /** The pid of the redis-server running now, from its pid file (0 if none). */
  redisPid(): number;
  /** SIGTERM, as an operator stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * The real server as `npm start` runs it, with its own embedded redis-server, in a temp DATA_DIR:
 * for tests that kill parts of it. The caller stops it; a test timeout leaves the watchdog to
 * stop its Redis.
 */
export async function startEmbeddedServerProcess(env: Record<string, string> = {}): Promise<EmbeddedServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-embsrv-'));
  const port = await freePort();
  const ingestKey = 'fault_ingest_key_0123456789abcdef';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      REDIS_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      SIMULATOR: 'off',
      AGGREGATOR: 'on',
      INGEST_KEYS: `fault:${ingestKey}`,
      ADMIN_PASSWORD: 'fault-admin-password',
      RATE_LIMIT_INGEST: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += String(d)));
  child.stderr!.on('data', (d) => (log += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const redisDir = path.join(dataDir, 'redis');
  const end = Date.now() + 50_000;
  while (
    !(await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    redisDir,
    redisSocket: socketPath(redisDir),
    ingestKey,
    log: () => log,
    redisPid() {
      try {
        return Number(fs.readFileSync(path.join(redisDir, 'redis.pid'), 'utf8').trim());
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
