import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { freePort, startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { connect, RegionView, subscribe, waitFor, type TestSocket } from '../helpers/socket-client.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';

let redis: TestRedis;
let a: TestServer;
let bUrl: string;
let b: ChildProcess;
const sockets: TestSocket[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-b-'));

/** The second server is a separate OS process on the same Redis, started as in production. */
async function startProcessB(): Promise<void> {
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  b = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${redis.options.port}`,
      DATA_DIR: dataDir,
      SIMULATOR: 'off',
      INGEST_KEYS: `test:${a.ingestKey}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitFor(() => false, 0).catch(() => undefined);
  const end = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${bUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > end) throw new Error('server B did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  redis = await startTestRedis();
  a = await startTestServer({ redis });
  await startProcessB();
}, 90_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  if (b && b.exitCode === null) {
    const gone = new Promise((r) => b.once('exit', r));
    b.kill('SIGTERM');
    await gone;
  }
  await a?.stop();
  await redis?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
const incident = (region: string) => ({
  id: `rt-${n++}`,
  caseId: `rt-case-${n}`,
  kind: 'incident',
  category: 'public_order',
  status: 'reported',
  severity: 1,
  region,
  occurredAt: new Date(Date.now() - 30_000).toISOString(),
  channel: 'police_110',
  summary: '实时测试',
});

async function post(url: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${a.ingestKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('two server processes sharing one Redis', () => {
  it('delivers an event posted to either process to clients on both', async () => {
    const token = await a.userToken('zhangye', 'duty', '6207');
    const onA = connect(a.url, token);
    const onB = connect(bUrl, token);
    sockets.push(onA, onB);
    const va = new RegionView(onA, '6207');
    const vb = new RegionView(onB, '6207');
    expect((await va.start()).ok).toBe(true);
    expect((await vb.start()).ok).toBe(true);
    const before = va.state!.counts.today.incident;
    expect(vb.state!.counts.today.incident).toBe(before);

    await post(a.url, [incident('620702001001')]);
    await waitFor(
      () => va.state!.counts.today.incident === before + 1 && vb.state!.counts.today.incident === before + 1,
      5000,
      'first event on both',
    );
    await post(bUrl, [incident('620722101001')]);
    await waitFor(
      () => va.state!.counts.today.incident === before + 2 && vb.state!.counts.today.incident === before + 2,
      5000,
      'second event on both',
    );
    expect(va.deltas).toBeGreaterThan(0);
    expect(vb.deltas).toBeGreaterThan(0);
  });

  it('refuses a subscription outside the user’s region, and an unknown region', async () => {
    const token = await a.userToken('zhangye', 'duty', '6207');
    const s = connect(bUrl, token);
    sockets.push(s);
    const out = await subscribe(s, '6201');
    expect(out).toMatchObject({ ok: false, error: { code: 'out_of_scope' } });
    const unknown = await subscribe(s, '629999');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_region' } });
  });

  it('refuses a handshake without a valid token', async () => {
    const s = connect(a.url, 'not-a-token');
    sockets.push(s);
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    expect(err.message).toBe('unauthenticated');
  });

  it('brings a client that was disconnected while events arrived to exactly the right numbers', async () => {
    const token = await a.userToken('zhangye', 'duty', '6207');
    const s = connect(a.url, token);
    sockets.push(s);
    const v = new RegionView(s, '620702');
    await v.start();
    const before = v.state!.counts.today.incident;
    s.io.engine.close(); // a dropped connection, not a clean disconnect: the client reconnects
    await post(
      bUrl,
      Array.from({ length: 5 }, () => incident('620702001001')),
    );
    await waitFor(
      () => v.resyncs > 0 && v.state!.counts.today.incident === before + 5,
      10_000,
      'resync after reconnect',
    );
    await post(a.url, [incident('620702001001')]);
    await waitFor(() => v.state!.counts.today.incident === before + 6, 5000, 'delta after resync');
    const again = connect(a.url, token);
    sockets.push(again);
    const fresh = await subscribe(again, '620702');
    expect(fresh.ok && fresh.data.counts.today.incident).toBe(before + 6);
  });
  it('sends the ticker of every room that heard events, however many rooms one flush has to send', async () => {
    // More rooms than the hub sends in one turn of its event loop (32), all with events in one POST.
    const tree = await loadRegionTree('62');
    const townships = tree
      .codesAt('township')
      .filter((c) => c.startsWith('6207'))
      .slice(0, 40);
    expect(townships.length).toBe(40);
    const token = await a.userToken('zhangye', 'duty', '6207');
    const screens = townships.map(() => connect(a.url, token));
    sockets.push(...screens);
    const heard = new Map<string, Set<string>>();
    screens.forEach((s, i) => {
      const seen = new Set<string>();
      heard.set(townships[i]!, seen);
      s.on('ticker', (items) => items.forEach((item) => seen.add(item.id)));
    });
    const replies = await Promise.all(screens.map((s, i) => subscribe(s, townships[i]!)));
    expect(replies.every((r) => r.ok)).toBe(true);
    const events = townships.map((t) => ({ ...incident(tree.children(t)[0]!.code), summary: `镇 ${t}` }));
    await post(a.url, events);
    await waitFor(() => townships.every((t, i) => heard.get(t)!.has(events[i]!.id)), 15_000, 'every township’s ticker');
    // Each screen's ticker carries its own township's event and no other's.
    townships.forEach((t, i) => {
      for (const id of heard.get(t)!) if (events.some((e) => e.id === id)) expect(id).toBe(events[i]!.id);
    });
  });

  it('sends a busy room its ticker sample about once a second, however often its events come', async () => {
    const tree = await loadRegionTree('62');
    const township = tree.codesAt('township').filter((c) => c.startsWith('6207'))[41]!;
    const screen = connect(a.url, await a.userToken('zhangye', 'duty', '6207'));
    sockets.push(screen);
    const samples: number[] = [];
    screen.on('ticker', () => samples.push(Date.now()));
    expect((await subscribe(screen, township)).ok).toBe(true);
    // An event every 100 ms for 3.2 s: with a sample per delta interval (250 ms) this was 12 or 13.
    const started = Date.now();
    for (let i = 0; i < 32; i++) {
      await post(a.url, [{ ...incident(tree.children(township)[0]!.code), summary: `滚动 ${i}` }]);
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 100 - Date.now())));
    }
    await new Promise((r) => setTimeout(r, 1200));
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples.length).toBeLessThanOrEqual(5);
  });

  it('leaves history handed over again (the demo’s backfill) out of the ticker, and counts it', async () => {
    const tree = await loadRegionTree('62');
    const township = tree.codesAt('township').filter((c) => c.startsWith('6207'))[42]!;
    const village = tree.children(township)[0]!.code;
    const screen = connect(a.url, await a.userToken('zhangye', 'duty', '6207'));
    sockets.push(screen);
    const seen = new Set<string>();
    screen.on('ticker', (items) => items.forEach((i) => seen.add(i.id)));
    const view = new RegionView(screen, township);
    expect((await view.start()).ok).toBe(true);
    const before = view.state!.counts.today.incident;
    const old = incident(village);
    expect((await a.server.ingest([old], 'test', { replayed: true })).accepted).toBe(1);
    const live = incident(village);
    await post(a.url, [live]);
    await waitFor(() => seen.has(live.id), 10_000, 'the live event in the ticker');
    await waitFor(() => view.state!.counts.today.incident === before + 2, 10_000, 'both events counted');
    expect(seen.has(old.id)).toBe(false);
  });

  it('serves screens subscribing to one region together from one snapshot read, then deltas to all', async () => {
    const token = await a.userToken('zhangye', 'duty', '6207');
    const info = redis.client();
    const hgetalls = async () => Number(/cmdstat_hgetall:calls=(\d+)/.exec(await info.info('commandstats'))?.[1] ?? 0);
    // What one read of the region costs, with the room already made (so a fresh one does not count twice).
    const first = connect(a.url, token);
    sockets.push(first);
    const h0 = await hgetalls();
    expect((await subscribe(first, '620702')).ok).toBe(true);
    const perRead = (await hgetalls()) - h0;
    expect(perRead).toBeGreaterThan(0);

    const screens = Array.from({ length: 12 }, () => connect(a.url, token));
    sockets.push(...screens);
    await waitFor(() => screens.every((s) => s.connected), 10_000, 'screens connected');
    const h1 = await hgetalls();
    const views = screens.map((s) => new RegionView(s, '620702'));
    const replies = await Promise.all(views.map((v) => v.start()));
    const reads = ((await hgetalls()) - h1) / perRead;
    expect(replies.every((r) => r.ok)).toBe(true);
    // Twelve reads without sharing; one or two with it (a screen whose subscribe arrives after the
    // shared read has been answered starts the next one).
    expect(reads).toBeLessThanOrEqual(3);
    const seqs = new Set(views.map((v) => v.state!.seq));
    const before = views[0]!.state!.counts.today.incident;
    expect(views.every((v) => v.state!.counts.today.incident === before)).toBe(true);

    await post(a.url, [incident('620702001001')]);
    await waitFor(
      () => views.every((v) => v.state!.counts.today.incident === before + 1),
      5000,
      'the next delta on every screen',
    );
    expect(views.every((v) => v.resyncs === 0)).toBe(true);
    expect(seqs.size).toBeLessThanOrEqual(3);
  });
});
