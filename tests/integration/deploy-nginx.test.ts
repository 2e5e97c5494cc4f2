/**
 * The deployment example of deploy/, run: Debian's nginx on the configuration rendered from the
 * committed template (deploy/render-nginx.sh), two server processes and one aggregator worker on
 * one Redis, walls connected through nginx (WebSocket, and one on HTTP long-polling, which needs
 * the balancer's stickiness). kill -9 the server that holds the walls: every wall reconnects
 * through nginx to the other within seconds, ingest through nginx carries on, and every wall ends
 * with the exact numbers of what was posted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedServerProcess, type EmbeddedServerProcess } from '../helpers/embedded-server-process.ts';
import { freePort, startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { RegionView, type TestSocket } from '../helpers/socket-client.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NGINX = '/usr/sbin/nginx';

/** Debian's nginx, installed here when missing and possible (CI's .ci/run installs it beforehand). */
function findNginx(): { path: string } | { missing: string } {
  if (fs.existsSync(NGINX)) return { path: NGINX };
  if (process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'ignore',
      timeout: 180_000,
    });
    if (fs.existsSync(NGINX)) return { path: NGINX };
  }
  return { missing: `${NGINX} not found and \`apt-get install nginx\` did not provide it` };
}

const found = findNginx();
const nginxPath = 'path' in found ? found.path : null;
const title = 'two servers and a worker behind nginx';

/** Waits until `check` holds, polling; the message names what did not happen. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `pingan_sockets` of one server, read from it directly (not through nginx). */
async function socketsOn(server: EmbeddedServerProcess): Promise<number> {
  const text = await fetch(`${server.url}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return Number(/^pingan_sockets (\d+)/m.exec(text)?.[1] ?? NaN);
}

function events(tag: string, n: number): Record<string, unknown>[] {
  const at = new Date(Date.now() - 5_000).toISOString();
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}-${i}`,
    caseId: `${tag}-case-${i}`,
    kind: i % 3 === 0 ? 'dispute' : 'incident',
    category: i % 3 === 0 ? 'neighbour' : 'public_order',
    status: i % 3 === 0 ? 'received' : 'reported',
    severity: 1,
    region: ['620102', '620702', '620402'][i % 3],
    occurredAt: at,
    channel: 'grid',
    summary: `负载均衡测试 ${tag} #${i}`,
  }));
}

(nginxPath ? describe : describe.skip)('missing' in found ? `${title} — SKIPPED: ${found.missing}` : title, () => {
  let redis: TestRedis;
  let servers: EmbeddedServerProcess[] = [];
  let worker: ChildProcess | undefined;
  let proxy: ChildProcess | undefined;
  let proxyLog = '';
  let dir: string;
  let front: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-nginx-'));
    redis = await startTestRedis({ appendonly: false });
    const redisUrl = `redis://127.0.0.1:${redis.options.port}`;
    // As deploy/pingan.env.example has it: servers leave aggregation to the worker.
    const env = { REDIS_URL: redisUrl, AGGREGATOR: 'off', TRUST_PROXY: 'loopback' };
    servers = await Promise.all([startEmbeddedServerProcess(env), startEmbeddedServerProcess(env)]);
    worker = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
      cwd: REPO,
      env: { ...process.env, REDIS_URL: redisUrl, WORKER_NAME: 'deploy-test', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    // The committed template, rendered by the committed script, inside a main file that keeps
    // nginx's pid, logs and temp files in the test's directory.
    const port = await freePort();
    front = `http://127.0.0.1:${port}`;
    const rendered = spawnSync(
      'sh',
      [path.join(REPO, 'deploy', 'render-nginx.sh'), `127.0.0.1:${port}`, ...servers.map((s) => new URL(s.url).host)],
      { encoding: 'utf8' },
    );
    expect(rendered.status, rendered.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, 'pingan.conf'), rendered.stdout);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `  ${t}_temp_path ${path.join(dir, t)};`)
      .join('\n');
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${path.join(dir, 'nginx.pid')};`,
        `error_log ${path.join(dir, 'error.log')} warn;`,
        'events { worker_connections 512; }',
        'http {',
        `  access_log ${path.join(dir, 'access.log')};`,
        temp,
        `  include ${path.join(dir, 'pingan.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
    const check = spawnSync(nginxPath!, ['-t', ...args], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    proxy = spawn(nginxPath!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stderr!.on('data', (d) => (proxyLog += String(d)));
    await until(
      () =>
        fetch(`${front}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      15_000,
      `nginx on ${front} to pass /readyz through (${proxyLog})`,
    );
  }, 80_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    proxy?.kill('SIGQUIT');
    // The worker stops while its Redis still answers, then the rest.
    const exited = worker && worker.exitCode === null ? new Promise((r) => worker!.once('exit', r)) : undefined;
    worker?.kill('SIGTERM');
    await exited;
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves every wall of a server killed with -9 to the other within seconds, with exact numbers', async () => {
    const login = await fetch(`${front}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'fault-admin-password' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const ingest = async (batch: unknown[]) => {
      const res = await fetch(`${front}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${servers[0]!.ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      return { status: res.status, body: (await res.json()) as { accepted?: number } };
    };

    // Four walls on the province through nginx: three on WebSocket, one on long-polling only.
    const walls = (['websocket', 'websocket', 'websocket', 'polling'] as const).map((transport) => {
      const s: TestSocket = io(front, {
        auth: { token },
        transports: [transport],
        reconnectionDelay: 500,
        reconnectionDelayMax: 2000,
        forceNew: true,
      });
      sockets.push(s);
      return { transport, socket: s, view: new RegionView(s, '62') };
    });
    await until(() => walls.every((w) => w.socket.connected), 15_000, 'the walls to connect through nginx');
    for (const w of walls) expect((await w.view.start()).ok).toBe(true);

    // ip_hash: one client address, one server; that server holds every wall.
    const counts = await Promise.all(servers.map(socketsOn));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(walls.length);
    const victim = servers[counts.indexOf(walls.length)]!;
    const survivor = servers.find((s) => s !== victim)!;
    expect(victim, `sockets per server: ${counts.join(', ')}`).toBeDefined();

    const first = events('before', 30);
    expect((await ingest(first)).body).toMatchObject({ accepted: 30 });
    const total = (w: (typeof walls)[number]) =>
      (w.view.state?.counts.today.incident ?? 0) + (w.view.state?.counts.today.dispute ?? 0);
    await until(() => walls.every((w) => total(w) === 30), 20_000, 'every wall to count the first 30');

    const resyncs = walls.map((w) => w.view.resyncs);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    // Ingest through nginx carries on at once: the refused connection is retried on the survivor.
    const second = events('after', 30);
    const res = await ingest(second);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 30 });

    await until(
      () => walls.every((w, i) => w.socket.connected && w.view.resyncs > resyncs[i]!),
      15_000,
      'every wall to reconnect through nginx and take a fresh snapshot',
    );
    const reconnectedMs = Date.now() - killedAt;
    expect(reconnectedMs).toBeLessThan(15_000);
    await until(async () => (await socketsOn(survivor)) === walls.length, 5000, 'the survivor to hold every wall');

    // The truth: what was posted, by kind and by open status; each wall shows exactly that.
    const posted = [...first, ...second];
    const truth = {
      incident: posted.filter((e) => e.kind === 'incident').length,
      dispute: posted.filter((e) => e.kind === 'dispute').length,
    };
    await until(
      () =>
        walls.every(
          (w) =>
            w.view.state?.counts.today.incident === truth.incident &&
            w.view.state.counts.today.dispute === truth.dispute,
        ),
      20_000,
      `every wall to show ${truth.incident} incidents and ${truth.dispute} disputes`,
    );
    for (const w of walls) {
      expect(w.view.state!.counts.today).toMatchObject(truth);
      expect(w.view.state!.counts.open).toMatchObject(truth);
    }
    // And the snapshot a fresh screen would get through nginx says the same.
    const snap = (await fetch(`${front}/api/v1/snapshot/62`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.json(),
    )) as { counts: { today: typeof truth } };
    expect(snap.counts.today).toMatchObject(truth);
    console.log(
      `[deploy-nginx] walls ${walls.length} (${walls.map((w) => w.transport).join(', ')}) on :${new URL(victim.url).port}; ` +
        `kill -9 → all reconnected through nginx in ${reconnectedMs} ms; posted ${posted.length}, counted ${truth.incident + truth.dispute}`,
    );
  }, 90_000);
});
