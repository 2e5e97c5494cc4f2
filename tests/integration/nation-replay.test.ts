/**
 * 回放 under the national root (REGION_ROOT=00 over 甘肃 and 广东), on a fake clock: each province
 * keeps its own replay record under its own hash tag (bases, change logs, ticker), nothing of it is
 * written for the nation, and the nation's past moment is its provinces' rebuilt and summed. The
 * nation's replay equals, field for field, what the national wall was sent live at each moment and
 * what an independent model of the crafted events says; a province user is refused the nation's and
 * the other province's past (403 with the reason), and a national desk puts a moment of the country
 * up on a national wall.
 */
import fs from 'node:fs';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { regionsWith } from '../helpers/provinces.ts';
import { drained } from '../helpers/drain.ts';
import { next, type TestSocket } from '../helpers/socket.ts';
import { craftTicks, truthAt, type Tick } from '../helpers/replay-day.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { dayNumber, dayStart, isoBeijing } from '../../server/time/beijing.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { ReplayEventsReply } from '../../shared/schemas/replay.ts';

const PROVINCES = ['44', '62'];
const D0 = dayNumber(Date.now()) - 2;
const H = 3_600_000;
// From the evening before D0 to D0's morning, an hour a tick: each province's first base is written at its first
// commit, the second at D0's first commit, so moments on both sides of midnight are checked.
const START = dayStart(D0) - 4 * H;
const END = dayStart(D0) + 10 * H;
const MOMENTS = {
  eveningBefore: dayStart(D0) - 2 * H,
  night: dayStart(D0) + 3 * H,
  morning: dayStart(D0) + 10 * H,
};

const clock = new ManualClock(START);
let dir: string;
let tree: RegionTree;
let t: TestServer;
let ticks: Tick[];
const tokens: Record<string, string> = {};
/** The live snapshot of each region at each moment, read while it was live. */
const live = new Map<string, Snapshot>();
let regions: string[];

async function get<T>(path: string, who: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: res.status, body: (await res.json()) as T };
}
const at = (ms: number) => encodeURIComponent(isoBeijing(ms));

/** Townships and villages of one city of each province: every level down to the village gets cases. */
function places(): string[] {
  const cities = PROVINCES.map((p) => tree.children(p)[0]!.code);
  return [...tree.codesAt('village'), ...tree.codesAt('township')].filter(
    (c, i) => cities.some((city) => c.startsWith(city)) && i % 5 === 0,
  );
}

async function signIn(): Promise<void> {
  // Tokens expire on the fake clock too.
  for (const role of ['commander', 'duty'] as const) {
    tokens[`nation-${role}`] = await t.userToken(`nation-${role}`, role, '00');
    tokens[`gansu-${role}`] = await t.userToken(`gansu-${role}`, role, '62');
  }
  tokens['nation-wall'] = await t.userToken('nation-wall', 'wall', '00');
  tokens['gansu-wall'] = await t.userToken('gansu-wall', 'wall', '62');
}

beforeAll(async () => {
  dir = regionsWith(PROVINCES);
  tree = await loadRegionTree('00', dir, PROVINCES);
  t = await startTestServer({ tree, clock, env: { PROVINCES: PROVINCES.join(',') } });
  regions = ['00', ...PROVINCES, ...PROVINCES.map((p) => tree.children(p)[0]!.code)];
  ticks = craftTicks({
    places: places(),
    from: START,
    to: END,
    stepMs: H,
    seed: 18,
    perTick: [4, 10],
  });
  for (const tick of ticks) {
    clock.set(tick.at);
    const res = await t.postEvents(tick.events);
    expect(res.status).toBe(200);
    expect((res.body as { accepted: number }).accepted).toBe(tick.events.length);
    for (const p of PROVINCES) await drained(t.server.redis, createKeys(p).events);
    for (const [name, m] of Object.entries(MOMENTS)) {
      if (m !== tick.at) continue;
      await signIn();
      for (const code of regions)
        live.set(`${name}:${code}`, (await get<Snapshot>(`/snapshot/${code}`, 'nation-commander')).body);
    }
    clock.advance(1);
  }
  await signIn();
}, 300_000);

afterAll(async () => {
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What replay rebuilds: all but the room's sequence, the register's digest and the 久拖 count (read as they stand now). */
const withoutSeq = (s: Snapshot) => {
  const { seq: _seq, problems: _problems, stale: _stale, ...rest } = s;
  return { ...rest, children: rest.children.map(({ problems: _p, ...c }) => c) };
};

describe('replay of the country', () => {
  it('writes no replay record for the nation: only each province, under its own tag', async () => {
    const root = createKeys('00');
    expect(await t.server.redis.zcard(root.replayEpochs)).toBe(0);
    for (const p of PROVINCES) expect(await t.server.redis.zcard(createKeys(p).replayEpochs)).toBe(2);
  });

  it('is, field for field, the snapshot the national wall was sent live, at each moment', async () => {
    for (const [name, m] of Object.entries(MOMENTS))
      for (const code of regions) {
        const r = await get<Snapshot>(`/snapshot/${code}?at=${at(m)}`, 'nation-commander');
        expect(r.status, `${name} ${code}`).toBe(200);
        expect(r.body.asOf).toBe(isoBeijing(m));
        expect(withoutSeq(r.body), `${name} ${code}`).toEqual(withoutSeq(live.get(`${name}:${code}`)!));
      }
  });

  it('has the country’s counts as an independent model computes them, the provinces as its children', async () => {
    for (const m of [...Object.values(MOMENTS), MOMENTS.morning - 47 * 60_000]) {
      const s = (await get<Snapshot>(`/snapshot/00?at=${at(m)}`, 'nation-commander')).body;
      const truth = truthAt(ticks, m, '00', PROVINCES);
      const where = isoBeijing(m);
      expect(s.counts.today, where).toEqual(truth.today);
      expect(s.counts.yesterday, where).toEqual(truth.yesterday);
      expect(s.counts.open, where).toEqual(truth.open);
      expect([s.counts.last15m, s.counts.last1h, s.counts.last24h], where).toEqual([
        truth.last15m,
        truth.last1h,
        truth.last24h,
      ]);
      expect(s.hourly, where).toEqual(truth.hourly);
      expect(
        s.children.map((c) => ({ code: c.code, today: c.counts.today, open: c.counts.open })),
        where,
      ).toEqual(truth.children);
    }
    // Not trivial: both provinces had cases open at the last moment.
    const s = (await get<Snapshot>(`/snapshot/00?at=${at(MOMENTS.morning)}`, 'nation-commander')).body;
    for (const c of s.children) expect(c.counts.open.incident + c.counts.open.dispute, c.code).toBeGreaterThan(10);
  });

  it('gives the country’s ticker from both provinces, oldest first', async () => {
    const from = MOMENTS.morning - H;
    const r = await get<ReplayEventsReply>(
      `/replay/00/events?from=${at(from)}&to=${at(MOMENTS.morning)}`,
      'nation-commander',
    );
    expect(r.status).toBe(200);
    const expected = ticks.filter((k) => k.at > from && k.at <= MOMENTS.morning).flatMap((k) => k.events);
    expect(r.body.events.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(new Set(r.body.events.map((e) => e.region.slice(0, 2)))).toEqual(new Set(PROVINCES));
    const shown = r.body.events.map((e) => e.shownAt);
    expect(shown).toEqual([...shown].sort());
    // A province's ticker is its own only.
    const gd = await get<ReplayEventsReply>(
      `/replay/44/events?from=${at(from)}&to=${at(MOMENTS.morning)}`,
      'nation-commander',
    );
    expect(gd.body.events.length).toBeGreaterThan(0);
    expect(gd.body.events.every((e) => e.region.startsWith('44'))).toBe(true);
  });

  it('says when the country’s record begins: the moment every province has one', async () => {
    const r = await get<{ error: { details: { errors: string[] } } }>(
      `/snapshot/00?at=${at(START - H)}`,
      'nation-commander',
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details.errors[0]).toMatch(/^at: is before the replay record begins/);
  });
});

describe('replay scope under the national root', () => {
  it('refuses a province user the nation’s and the other province’s past, with the reason', async () => {
    const paths = [
      `/snapshot/00?at=${at(MOMENTS.morning)}`,
      `/snapshot/44?at=${at(MOMENTS.morning)}`,
      `/replay/00/events?from=${at(MOMENTS.morning - H)}&to=${at(MOMENTS.morning)}`,
      `/replay/44/events?from=${at(MOMENTS.morning - H)}&to=${at(MOMENTS.morning)}`,
    ];
    for (const path of paths) {
      const r = await get<{ error: { code: string; message: string } }>(path, 'gansu-commander');
      expect(r.status, path).toBe(403);
      expect(r.body.error.code, path).toBe('out_of_scope');
      expect(r.body.error.message, path).toMatch(/00|44/);
    }
    expect((await get(`/snapshot/62?at=${at(MOMENTS.morning)}`, 'gansu-commander')).status).toBe(200);
  });

  it('puts a moment of the country up on a national wall; a province desk may not', async () => {
    const open = (token: string, wall: string): TestSocket =>
      connect(t.url, {
        transports: ['websocket'],
        auth: { token, wall },
        reconnection: false,
        forceNew: true,
        autoConnect: false,
      });
    const national = open(tokens['nation-wall']!, '国家主屏');
    const gansu = open(tokens['gansu-wall']!, '甘肃屏');
    try {
      for (const s of [national, gansu]) {
        const registered = next(s, 'wall:registered', 10_000);
        s.connect();
        expect((await registered).ok).toBe(true);
      }
      const focus = next(national, 'wall:focus', 5_000);
      const post = async (who: string, body: unknown) => {
        const res = await fetch(`${t.url}/api/v1/walls/focus`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
      };
      const moment = { region: '00', at: isoBeijing(MOMENTS.morning), speed: 60 };
      const ok = await post('nation-duty', { walls: ['国家主屏'], target: moment });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(await focus).toMatchObject({ target: { kind: 'replay', region: '00', at: isoBeijing(MOMENTS.morning) } });
      // A province desk: neither the nation's wall, nor the nation's or another province's past on its own.
      const cases: [unknown, RegExp][] = [
        [{ walls: ['甘肃屏'], target: moment }, /outside your area/],
        [{ walls: ['甘肃屏'], target: { ...moment, region: '44' } }, /outside your area/],
      ];
      for (const [body, why] of cases) {
        const r = await post('gansu-duty', body);
        expect(r.status, JSON.stringify(body)).toBe(403);
        expect(r.body.error?.message, JSON.stringify(body)).toMatch(why);
      }
      // The nation's wall is not among the walls a province desk can name at all.
      const unseen = await post('gansu-duty', { walls: ['国家主屏'], target: { ...moment, region: '62' } });
      expect(unseen.status).toBe(404);
      expect((await post('gansu-duty', { walls: ['甘肃屏'], target: { ...moment, region: '62' } })).status).toBe(201);
    } finally {
      national.close();
      gansu.close();
    }
  });
});
