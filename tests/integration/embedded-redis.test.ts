import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../server/redis/embedded.ts';
import { freePort } from '../helpers/redis.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the embedded redis-server', () => {
  it('keeps its data across a restart (AOF) and leaves no process behind when stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-emb-'));
    const first = await startEmbeddedRedis({ dir });
    const c1 = new Redis(first.connection);
    await c1.set('kept', 'yes');
    c1.disconnect();
    await first.stop();
    expect(alive(first.pid)).toBe(false);
    const second = await startEmbeddedRedis({ dir });
    const c2 = new Redis(second.connection);
    expect(await c2.get('kept')).toBe('yes');
    c2.disconnect();
    await second.stop();
    expect(alive(second.pid)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is stopped by its watchdog when its owner is killed with SIGKILL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-emb-'));
    // An owner process that starts Redis, prints its pid and waits to be killed.
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./server/redis/embedded.ts').then(async (m) => { const r = await m.startEmbeddedRedis({ dir: ${JSON.stringify(dir)} }); console.log(r.pid); setInterval(() => {}, 1000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) =>
      owner.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    expect(alive(pid)).toBe(true);
    owner.kill('SIGKILL');
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    expect(alive(pid)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops a redis-server left running by a killed earlier run before starting its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-emb-'));
    const stale = await startEmbeddedRedis({ dir });
    const next = await startEmbeddedRedis({ dir }); // same files: must not run beside the first
    expect(alive(stale.pid)).toBe(false);
    await next.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs inside the server as `npm start` does, and is gone after a Ctrl-C', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-start-'));
    const port = await freePort();
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
      env: { ...process.env, DATA_DIR: dir, PORT: String(port), SIMULATOR: 'off', LOG_LEVEL: 'warn', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    server.stdout.on('data', (d) => (banner += String(d)));
    for (let i = 0; i < 300 && !banner.includes('Stop with Ctrl-C'); i++) await sleep(100);
    expect(banner).toContain(`http://127.0.0.1:${port}/`);
    expect(banner).toMatch(/admin\s+\S+\s+admin/);
    const pid = Number(fs.readFileSync(path.join(dir, 'redis', 'redis.pid'), 'utf8'));
    expect(alive(pid)).toBe(true);
    const exited = new Promise<number | null>((r) => server.once('exit', r));
    server.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(alive(pid)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
