import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/redis/embedded.ts';
import { createEmbeddedRedisMetrics } from '../../server/metrics.ts';
import { alive, sleep } from '../helpers/process.ts';

/** Polls `check` until it holds, failing with `what` after the deadline. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const pidIn = (dir: string) => {
  try {
    return Number(fs.readFileSync(path.join(dir, 'redis.pid'), 'utf8').trim());
  } catch {
    return 0;
  }
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-sup-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('a supervised embedded redis-server', () => {
  it('is started again on the same files after a SIGKILL, counted in its metrics, and not after a normal stop', async () => {
    const dir = tempDir();
    const registry = new Registry();
    const embedded: EmbeddedRedis = await startEmbeddedRedis({
      dir,
      supervise: { metrics: createEmbeddedRedisMetrics(registry), initialDelayMs: 100 },
    });
    cleanups.push(() => embedded.stop());
    const client = new Redis({ ...embedded.connection, maxRetriesPerRequest: null });
    client.on('error', () => undefined); // refused connections while it is down
    cleanups.push(() => client.disconnect());
    await client.set('kept', 'yes');
    const first = embedded.pid;

    process.kill(first, 'SIGKILL');
    await until('a new redis-server', () => embedded.pid !== first && alive(embedded.pid));
    // The client reconnects by itself to the same socket and finds the data of the AOF.
    expect(await client.get('kept')).toBe('yes');
    // Counted once the supervisor's own ping is answered, which may come just after the client's.
    await until('the restart counted', async () =>
      /pingan_embedded_redis_restarts_total 1$/m.test(
        await registry.getSingleMetricAsString('pingan_embedded_redis_restarts_total'),
      ),
    );
    expect(await registry.getSingleMetricAsString('pingan_embedded_redis_up')).toMatch(/pingan_embedded_redis_up 1$/m);
    // The pid file names the new child, and nothing stops it a moment later (no stale-pid kill).
    expect(pidIn(dir)).toBe(embedded.pid);
    await sleep(1500);
    expect(alive(embedded.pid)).toBe(true);

    const second = embedded.pid;
    await embedded.stop();
    expect(alive(second)).toBe(false);
    await sleep(500);
    expect(pidIn(dir) === 0 || !alive(pidIn(dir))).toBe(true);
    expect(await registry.getSingleMetricAsString('pingan_embedded_redis_up')).toMatch(/pingan_embedded_redis_up 0$/m);
  });

  it('fsyncs every write before answering it (appendfsync always)', async () => {
    const embedded = await startEmbeddedRedis({ dir: tempDir() });
    cleanups.push(() => embedded.stop());
    const client = new Redis(embedded.connection);
    cleanups.push(() => client.disconnect());
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
  });

  it('leaves each restarted child to a watchdog that stops it when its owner is killed with SIGKILL', async () => {
    const dir = tempDir();
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./server/redis/embedded.ts').then(async (m) => { await m.startEmbeddedRedis({ dir: ${JSON.stringify(dir)}, supervise: { initialDelayMs: 100 } }); console.log('up'); setInterval(() => {}, 1000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => void owner.kill('SIGKILL'));
    await new Promise((resolve) => owner.stdout.once('data', resolve));
    const first = pidIn(dir);
    expect(alive(first)).toBe(true);
    process.kill(first, 'SIGKILL');
    await until('a restarted redis-server', () => pidIn(dir) !== first && alive(pidIn(dir)));
    const restarted = pidIn(dir);
    owner.kill('SIGKILL');
    await until('the watchdog to stop the restarted child', () => !alive(restarted), 10_000);
  });

  it('keeps trying with growing waits while redis-server cannot start, and is back once it can', async () => {
    const dir = tempDir();
    // A redis-server that fails to start while a marker file exists (a full disk, a bad AOF).
    const wrapper = path.join(dir, 'redis-wrapper.sh');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\necho start >> ${dir}/attempts\n[ -e ${dir}/broken ] && exit 1\nexec redis-server "$@"\n`,
      { mode: 0o755 },
    );
    const attempts = () => fs.readFileSync(path.join(dir, 'attempts'), 'utf8').split('\n').length - 2;
    const registry = new Registry();
    const embedded = await startEmbeddedRedis({
      dir,
      binary: wrapper,
      supervise: { metrics: createEmbeddedRedisMetrics(registry), initialDelayMs: 100, maxDelayMs: 400 },
    });
    cleanups.push(() => embedded.stop());
    const first = embedded.pid;
    fs.writeFileSync(path.join(dir, 'broken'), '');
    const killedAt = Date.now();
    process.kill(first, 'SIGKILL');
    await until('three failed restarts', () => attempts() >= 3);
    // Waits of 100, 200 and 400 ms before them: never a tight loop.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(700);
    expect(await registry.getSingleMetricAsString('pingan_embedded_redis_up')).toMatch(/pingan_embedded_redis_up 0$/m);
    expect(await registry.getSingleMetricAsString('pingan_embedded_redis_restarts_total')).toMatch(/ 0$/m);

    fs.rmSync(path.join(dir, 'broken'));
    await until(
      'redis-server back',
      () => embedded.pid !== first && alive(embedded.pid) && pidIn(dir) === embedded.pid,
    );
    const client = new Redis(embedded.connection);
    cleanups.push(() => client.disconnect());
    expect(await client.ping()).toBe('PONG');
    await until('the restart to be counted', async () =>
      /pingan_embedded_redis_restarts_total 1$/m.test(
        await registry.getSingleMetricAsString('pingan_embedded_redis_restarts_total'),
      ),
    );
  });

  it('does not start again a redis-server that was shut down cleanly by someone else', async () => {
    // A clean shutdown is a decision (an operator, or another server taking over the same files):
    // starting it again would put two writers on one AOF.
    const dir = tempDir();
    const embedded = await startEmbeddedRedis({ dir, supervise: { initialDelayMs: 50 } });
    cleanups.push(() => embedded.stop());
    const first = embedded.pid;
    process.kill(first, 'SIGTERM');
    await until('the child to exit', () => !alive(first));
    await sleep(1000);
    expect(embedded.pid).toBe(first);
    expect(pidIn(dir) === 0 || !alive(pidIn(dir))).toBe(true);
  });
});
