import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { craftTicks, replayPlaces, truthAt, type Tick } from '../helpers/replay-day.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { dayNumber, dayStart, isoBeijing } from '../../server/time/beijing.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { ReplayEventsReply } from '../../shared/schemas/replay.ts';
import { packClosedHours } from '../../server/replay/pack.ts';

// A crafted evening and day on a fake clock: the evening before D0 from 20:00, then D0 until 23:45,
// a tick every 15 minutes. The first replay base is written at the first commit (20:00 the day
// before); the second at D0's first commit, so moments on both sides of midnight are checked.
const D0 = dayNumber(Date.now()) - 3;
const H = 3_600_000;
const START = dayStart(D0) - 4 * H;
const END = dayStart(D0) + 23.75 * H;
const MOMENTS = {
  eveningBefore: dayStart(D0) - 1.5 * H,
  night: dayStart(D0) + 3.25 * H,
  morning: dayStart(D0) + 11.75 * H,
  evening: dayStart(D0) + 19 * H,
  // The last tick: its hour is still open when the test packs the closed ones (server/replay/pack.ts).
  openHour: END,
};
const REGIONS = ['62', '6207', '620702', '6201'];

const clock = new ManualClock(START);
let t: TestServer;
let ticks: Tick[];
let token: string;
/** The live snapshot of each region, read at each moment while it was live. */
const live = new Map<string, Snapshot>();
/** An alert open at `morning`, closed in the afternoon: replay must still show it open then. */
let closedLater: string | undefined;

async function get<T>(path: string, auth = token): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${auth}` } });
  return { status: res.status, body: (await res.json()) as T };
}
const snapAt = (code: string, at: number) =>
  get<Snapshot>(`/snapshot/${code}?at=${encodeURIComponent(isoBeijing(at))}`);

beforeAll(async () => {
  t = await startTestServer({ clock });
  token = await t.userToken('rp-commander', 'commander', '62');
  ticks = craftTicks({
    places: replayPlaces(t.tree),
    from: START,
    to: END,
    stepMs: 15 * 60_000,
    seed: 19,
    redAt: [START + H, dayStart(D0) + 2 * H, dayStart(D0) + 9 * H, dayStart(D0) + 16 * H],
  });
  const stream = createKeys('62').events;
  for (const tick of ticks) {
    clock.set(tick.at);
    const res = await t.postEvents(tick.events);
    expect(res.status).toBe(200);
    expect((res.body as { accepted: number }).accepted).toBe(tick.events.length);
    await drained(t.server.redis, stream);
    // The desk signs every new alert at once, so no escalation timer moves an alert while the
    // test reads the live wall.
    for (const a of await t.server.alerts.list('62', 'open', 500))
      if (a.state === 'new') await t.server.alerts.act(a.id, { action: 'ack', actor: 'rp-duty' });
    if (tick.at === MOMENTS.morning + 4 * H && closedLater) {
      await t.server.alerts.act(closedLater, { action: 'resolve', actor: 'rp-duty', note: '已处置' });
      await t.server.alerts.act(closedLater, { action: 'close', actor: 'rp-duty' });
    }
    for (const [name, at] of Object.entries(MOMENTS)) {
      if (at !== tick.at) continue;
      // Tokens expire on the fake clock too.
      token = await t.userToken('rp-commander', 'commander', '62');
      for (const code of REGIONS) live.set(`${name}:${code}`, (await get<Snapshot>(`/snapshot/${code}`)).body);
      if (name === 'morning') closedLater = live.get(`morning:62`)!.alerts[0]?.id;
    }
    // Anything a timer does from here on is stamped after the moment just read.
    clock.advance(1);
  }
  token = await t.userToken('rp-commander', 'commander', '62');
}, 240_000);
afterAll(async () => t?.stop());

/**
 * What replay rebuilds: everything but the room's sequence, the problem register's digest, which
 * the register serves as it stands now (server/problems/), not as it stood then, and the 久拖 count,
 * read from the case index as it stands now.
 */
const withoutSeq = (s: Snapshot) => {
  const { seq: _seq, problems: _problems, stale: _stale, ...rest } = s;
  return { ...rest, children: rest.children.map(({ problems: _p, ...c }) => c) };
};

describe('replay: the snapshot of a past moment', () => {
  it('is, field for field, the snapshot the wall was sent live at each of four moments', async () => {
    for (const [name, at] of Object.entries(MOMENTS))
      for (const code of REGIONS) {
        const r = await snapAt(code, at);
        expect(r.status, `${name} ${code}`).toBe(200);
        expect(r.body.asOf).toBe(isoBeijing(at));
        expect(withoutSeq(r.body), `${name} ${code}`).toEqual(withoutSeq(live.get(`${name}:${code}`)!));
      }
  });

  it('has every count of the crafted day as an independent model computes it at that moment', async () => {
    // Between two ticks too: 7 minutes after a tick the numbers are the tick's.
    const moments = [...Object.values(MOMENTS), MOMENTS.morning + 7 * 60_000];
    for (const at of moments)
      for (const code of REGIONS) {
        const info = t.tree.info(code)!;
        const truth = truthAt(
          ticks,
          at,
          code,
          info.children.map((c) => c.code),
        );
        const s = (await snapAt(code, at)).body;
        const where = `${isoBeijing(at)} ${code}`;
        expect(s.counts.today, where).toEqual(truth.today);
        expect(s.counts.yesterday, where).toEqual(truth.yesterday);
        expect({ incident: s.counts.month.incident, dispute: s.counts.month.dispute }, where).toEqual(truth.month);
        expect(s.counts.open, where).toEqual(truth.open);
        expect(s.counts.overdue, where).toEqual({ dispute: 0, dispatch: 0, resolve: 0 });
        expect([s.counts.last15m, s.counts.last1h, s.counts.last24h], where).toEqual([
          truth.last15m,
          truth.last1h,
          truth.last24h,
        ]);
        expect(s.rateCounts, where).toEqual(truth.rateCounts);
        expect(s.hourly, where).toEqual(truth.hourly);
        expect(
          s.children.map((c) => ({ code: c.code, today: c.counts.today, open: c.counts.open })),
          where,
        ).toEqual(truth.children);
      }
    // The data was not trivial: the province had cases of every kind at each moment of D0.
    const s = (await snapAt('62', MOMENTS.evening)).body;
    expect(s.counts.today.incident).toBeGreaterThan(100);
    expect(s.counts.open.dispute).toBeGreaterThan(20);
  });

  it('shows the alerts open then: one closed in the afternoon is open in the morning replay', async () => {
    expect(closedLater).toBeDefined();
    const morning = (await snapAt('62', MOMENTS.morning)).body;
    expect(morning.alerts.map((a) => a.id)).toContain(closedLater);
    expect(morning.alertCounts.red).toBeGreaterThanOrEqual(2);
    const evening = (await snapAt('62', MOMENTS.evening)).body;
    expect(evening.alerts.map((a) => a.id)).not.toContain(closedLater);
    const now = (await get<Snapshot>('/snapshot/62')).body;
    expect(now.alerts.map((a) => a.id)).not.toContain(closedLater);
    // The night had fewer red alerts than the evening (one more was raised at 16:00).
    expect((await snapAt('62', MOMENTS.night)).body.alertCounts.red).toBeLessThan(evening.alertCounts.red + 1);
  });

  it('does not depend on the events stream: trimmed to nothing, the replay is unchanged', async () => {
    const before = (await snapAt('6207', MOMENTS.morning)).body;
    await t.server.redis.xtrim(createKeys('62').events, 'MAXLEN', 0);
    expect(await t.server.redis.xlen(createKeys('62').events)).toBe(0);
    expect((await snapAt('6207', MOMENTS.morning)).body).toEqual(before);
  });

  it('gives the ticker’s events of a window, only those of the region asked for', async () => {
    const from = MOMENTS.morning - H;
    const r = await get<ReplayEventsReply>(
      `/replay/6207/events?from=${encodeURIComponent(isoBeijing(from))}&to=${encodeURIComponent(isoBeijing(MOMENTS.morning))}`,
    );
    expect(r.status).toBe(200);
    const expected = ticks
      .filter((k) => k.at > from && k.at <= MOMENTS.morning)
      .flatMap((k) => k.events.filter((e) => e.region.startsWith('6207')).map((e) => e.id));
    expect(r.body.events.map((e) => e.id).sort()).toEqual(expected.sort());
    expect(r.body.events.every((e) => e.regionName.length > 0 && e.shownAt <= r.body.to)).toBe(true);
    expect(r.body.truncated).toBe(false);
  });
});

describe('replay: closed hours packed (one deflated string an hour)', () => {
  const keys = createKeys('62');
  const eventsOf = (from: number, to: number) =>
    get<ReplayEventsReply>(
      `/replay/6207/events?from=${encodeURIComponent(isoBeijing(from))}&to=${encodeURIComponent(isoBeijing(to))}`,
    );

  it('answers across a packed hour and the open one exactly as the live wall was, and as before packing', async () => {
    // A ticker window over the last closed hour and the open one, read before any packing.
    const window = [END - 40 * 60_000, END] as const;
    const unpacked = (await eventsOf(...window)).body;
    expect(unpacked.events.length).toBeGreaterThan(0);
    const redis = t.server.redis;
    const packed = await packClosedHours(redis, keys, clock.now());
    expect(packed.moved).toBe(0);
    // The aggregator's own timer may have packed some hours already; everything closed is packed now.
    const epochs = await redis.zrange(keys.replayEpochs, '0', '-1');
    const morning = Math.floor(MOMENTS.morning / H);
    const d0 = epochs.find((e) => Number(e) >= dayStart(D0))!;
    expect(await redis.exists(keys.replayLog(d0, morning))).toBe(0);
    expect(await redis.exists(keys.replayLogPacked(d0, morning))).toBe(1);
    expect(await redis.exists(keys.replayTicker(morning))).toBe(0);
    expect(await redis.exists(keys.replayTickerPacked(morning))).toBe(1);
    // The open hour (END's) stays a list.
    expect(await redis.llen(keys.replayLog(d0, Math.floor(END / H)))).toBeGreaterThan(0);
    expect(await redis.exists(keys.replayLogPacked(d0, Math.floor(END / H)))).toBe(0);
    for (const [name, at] of Object.entries(MOMENTS))
      for (const code of REGIONS) {
        const r = await snapAt(code, at);
        expect(r.status, `${name} ${code}`).toBe(200);
        expect(withoutSeq(r.body), `packed: ${name} ${code}`).toEqual(withoutSeq(live.get(`${name}:${code}`)!));
      }
    expect((await eventsOf(...window)).body).toEqual(unpacked);
    // A second run finds nothing left to pack.
    expect((await packClosedHours(redis, keys, clock.now())).lists).toBe(0);
  });
});

describe('replay: bad moments are refused with the field named', () => {
  const errorsOf = (b: unknown) => (b as { error: { code: string; details?: { errors: string[] } } }).error;

  it('refuses a moment in the future, beyond the window, before the record, or malformed', async () => {
    const now = clock.now();
    const cases: [string, RegExp][] = [
      [isoBeijing(now + 60_000), /^at: is in the future/],
      [isoBeijing(now - 31 * 24 * H), /^at: is older than the replay window of 30 days/],
      [isoBeijing(START - H), /^at: is before the replay record begins/],
      ['2026-13-45T99:00:00+08:00', /^at: /],
      ['yesterday', /^at: must be an ISO 8601 time with a zone/],
      ['2026-11-22T02:00:00', /^at: must be an ISO 8601 time with a zone/],
    ];
    for (const [at, why] of cases) {
      const r = await get(`/snapshot/62?at=${encodeURIComponent(at)}`);
      expect(r.status, at).toBe(400);
      expect(errorsOf(r.body).details?.errors[0], at).toMatch(why);
    }
  });

  it('refuses a bad events window naming from or to', async () => {
    const iso = (ms: number) => encodeURIComponent(isoBeijing(ms));
    const a = await get(`/replay/62/events?from=${iso(MOMENTS.morning)}&to=${iso(MOMENTS.morning - 1000)}`);
    expect(errorsOf(a.body).details?.errors[0]).toMatch(/^to: must not be before from/);
    const b = await get(`/replay/62/events?from=${iso(MOMENTS.morning - 2 * H)}&to=${iso(MOMENTS.morning)}`);
    expect(errorsOf(b.body).details?.errors[0]).toMatch(/^to: window longer than 60 minutes/);
    const c = await get(`/replay/62/events?to=${iso(MOMENTS.morning)}`);
    expect(errorsOf(c.body).details?.errors[0]).toMatch(/^from: /);
  });

  it('checks scope as the live snapshot does: another city’s past is out of reach', async () => {
    const lanzhou = await t.userToken('rp-lanzhou', 'commander', '6201');
    const r = await get(`/snapshot/6207?at=${encodeURIComponent(isoBeijing(MOMENTS.morning))}`, lanzhou);
    expect(r.status).toBe(403);
    expect(errorsOf(r.body).code).toBe('out_of_scope');
    const e = await get(
      `/replay/6207/events?from=${encodeURIComponent(isoBeijing(MOMENTS.morning - H))}&to=${encodeURIComponent(isoBeijing(MOMENTS.morning))}`,
      lanzhou,
    );
    expect(e.status).toBe(403);
    expect((await get(`/snapshot/6201?at=${encodeURIComponent(isoBeijing(MOMENTS.morning))}`, lanzhou)).status).toBe(
      200,
    );
  });
});
