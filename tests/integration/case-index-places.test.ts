import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { expectedList, generateCases, placesUnder, type TruthCase } from '../helpers/case-truth.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { dumpCaseIndex } from '../helpers/case-index-dump.ts';
import { listCases, localCases, LOCAL_CASES, type CaseFilter, type Cursor } from '../../server/aggregate/case-list.ts';
import { countStale } from '../../server/aggregate/stale-cases.ts';
import { convertCaseIndex } from '../../server/aggregate/legacy-case-index.ts';
import { countiesUnder } from '../../server/aggregate/case-index.ts';
import { asKeyRing } from '../../server/redis/keys.ts';
import { dayStart, isoBeijing } from '../../server/time/beijing.ts';
import { RETENTION } from '../../server/counters/retention.ts';

/**
 * Townships and villages read their lists from their county's set filtered by place
 * (case-index.ts). On a generated day, every township's and village's list, page by page, its
 * total, its snapshot's cases and its 久拖 count are what the five-level index answered: the
 * model of DESIGN.md's definitions (tests/helpers/case-truth.ts), which that index met. Also: a
 * page boundary inside a tie of scores, and the conversion of an index stored in the old layout.
 */

const HOUR = 3_600_000;
const NOW = Date.now();
const keys = createKeys('62');
const COUNTIES = ['620702', '620102'];
let t: TestServer;
let truth: Map<string, TruthCase>;
let places: string[];
const deps = () => ({
  redis: t.server.redis,
  keys,
  regionName: (c: string) => t.tree.get(c)?.name,
  counties: countiesUnder(t.tree),
});

async function listAll(f: CaseFilter, pageSize: number): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let cursor: Cursor | undefined;
  let total = -1;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await listCases(deps(), f, cursor, pageSize, NOW);
    if (total === -1) total = page.total;
    ids.push(...page.cases.map((c) => c.id));
    if (!page.next) break;
    cursor = page.next;
  }
  return { ids, total };
}

const dumpIndex = () => dumpCaseIndex(t.server.redis, keys.prefix);

beforeAll(async () => {
  t = await startTestServer();
  places = placesUnder(t.tree, COUNTIES);
  const gen = generateCases(places, { cases: 1500, now: NOW, seed: 18, maxAgeDays: 1, tag: 'day' });
  truth = gen.cases;
  for (let i = 0; i < gen.events.length; i += 2000)
    expect((await t.postEvents(gen.events.slice(i, i + 2000))).status).toBe(200);
  await drained(t.server.redis, keys.events);
}, 120_000);
afterAll(async () => t?.stop());

describe('township and village lists from their county’s set', () => {
  it('answer as the five-level index did on a generated day: pages, totals, snapshot cases, 久拖', async () => {
    // Every township, and every fourth village (each village is read as the others are: to keep it short).
    const low = places.filter((c, i) => c.length === 9 || (c.length === 12 && i % 4 === 0));
    const mismatches: string[] = [];
    const staleMs = 12 * HOUR;
    let withCases = 0;
    for (const region of low) {
      for (const f of [{ region }, { region, status: 'open' as const }, { region, kind: 'dispute' as const }]) {
        const want = expectedList(truth.values(), f);
        const got = await listAll(f, 3);
        if (got.total !== want.length || JSON.stringify(got.ids) !== JSON.stringify(want))
          mismatches.push(`${JSON.stringify(f)}: ${got.ids.join(',')} (${got.total}) ≠ ${want.join(',')}`);
      }
      const local = await localCases(deps(), region, NOW);
      const recent = expectedList(truth.values(), { region }).slice(0, LOCAL_CASES);
      const open = expectedList(truth.values(), { region, kind: 'dispute', status: 'open' }).slice(0, LOCAL_CASES);
      if (JSON.stringify(local.recent.map((c) => c.id)) !== JSON.stringify(recent))
        mismatches.push(`${region} snapshot recent`);
      if (JSON.stringify(local.openDisputes.map((c) => c.id)) !== JSON.stringify(open))
        mismatches.push(`${region} snapshot open disputes`);
      const mine = [...truth.values()].filter((c) => c.region.startsWith(region) && c.open && c.t0 < NOW - staleMs);
      const stale = await countStale(t.server.redis, asKeyRing(keys), region, NOW, staleMs, countiesUnder(t.tree));
      const want = {
        incident: mine.filter((c) => c.kind === 'incident').length,
        dispute: mine.filter((c) => c.kind === 'dispute').length,
        days: 1,
      };
      if (JSON.stringify(stale) !== JSON.stringify({ ...want, days: stale.days }))
        mismatches.push(`${region} 久拖 ${JSON.stringify(stale)} ≠ ${JSON.stringify(want)}`);
      if (recent.length) withCases++;
    }
    expect(mismatches).toEqual([]);
    expect(withCases).toBeGreaterThan(80);
  }, 120_000);

  it('reads a township’s newest cases without scanning its county’s sets to count them', async () => {
    const redis = t.server.redis;
    const zranges = async () => Number(/cmdstat_zrange:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const township = places.find((c) => c.length === 9)!;
    await redis.config('RESETSTAT');
    const counted = await listCases(deps(), { region: township }, undefined, LOCAL_CASES, NOW);
    const withCount = await zranges();
    await redis.config('RESETSTAT');
    const uncounted = await listCases(deps(), { region: township }, undefined, LOCAL_CASES, NOW, false);
    const without = await zranges();
    expect(uncounted.cases.map((c) => c.id)).toEqual(counted.cases.map((c) => c.id));
    expect(counted.total).toBeGreaterThan(LOCAL_CASES);
    expect(uncounted.total).toBe(0);
    // Counting reads every member of the county's four sets in the window; the page alone stops
    // at its eighth match in each.
    expect(without).toBeLessThan(withCount);
  });

  it('pages through cases tied on their first event’s time in different villages without skipping one', async () => {
    const township = '620702001';
    const [a, b, c] = t.tree.children(township).map((v) => v.code);
    const at = NOW - 2 * HOUR;
    // Redis orders a tie by member, place first: village a's `tie-z` before village c's `tie-a`.
    const cases: [string, string][] = [
      ['tie-z', a!],
      ['tie-y', c!],
      ['tie-b', a!],
      ['tie-a', c!],
      ['tie-m', b!],
    ];
    const events = cases.map(([id, region]) => ({
      id: `${id}-0`,
      caseId: id,
      kind: 'incident',
      category: 'public_order',
      status: 'reported',
      severity: 1,
      region,
      occurredAt: isoBeijing(at),
      channel: 'grid',
      summary: '',
    }));
    expect((await t.postEvents(events)).body).toMatchObject({ accepted: 5 });
    await drained(t.server.redis, keys.events);
    const ids = ['tie-z', 'tie-y', 'tie-m', 'tie-b', 'tie-a'];
    const window = { from: at, to: at + 1 };
    for (const size of [1, 2, 3]) {
      expect((await listAll({ region: township, ...window }, size)).ids).toEqual(ids);
      expect((await listAll({ region: '620702', ...window }, size)).ids).toEqual(ids);
    }
    expect((await listAll({ region: a!, ...window }, 1)).ids).toEqual(['tie-z', 'tie-b']);
    for (const [id, region] of cases) truth.set(id, { id, kind: 'incident', region, open: true, t0: at, summary: '' });
  });

  it('converts an index stored in the five-level layout once, and then answers the same', async () => {
    const now = await dumpIndex();
    const head = `${keys.prefix}cx:`;
    // Only county sets are written now, closed cases by day (`<county>:<kind>c:<day>`).
    expect(Object.keys(now).every((k) => k.slice(head.length).split(':')[0]!.length === 6)).toBe(true);
    expect(Object.keys(now).some((k) => /:[id]c:\d+$/.test(k))).toBe(true);
    expect(Object.keys(now).some((k) => /:[id]c$/.test(k))).toBe(false);
    // The old layout, rebuilt from the new: bare ids in every set, province's, cities', townships'
    // and villages' sets, a set's closed cases of all days together (the day is the key's last part).
    const old = new Map<string, [string, string][]>();
    for (const [key, flat] of Object.entries(now)) {
      const [set, ks] = key.slice(head.length).split(':') as [string, string];
      for (let i = 0; i < flat.length; i += 2) {
        const m = flat[i]!;
        const place = set.length === 6 ? m.slice(0, m.indexOf(':')) : '';
        const id = set.length === 6 ? m.slice(m.indexOf(':') + 1) : m;
        const sets = [
          set.slice(0, 2),
          set.slice(0, 4),
          set,
          ...(place.length >= 3 ? [set + place.slice(0, 3)] : []),
          ...(place.length === 6 ? [set + place] : []),
        ];
        for (const s of sets) {
          const k = `${head}${s}:${ks}`;
          old.set(k, [...(old.get(k) ?? []), [flat[i + 1]!, id]]);
        }
      }
    }
    const redis = t.server.redis;
    const tx = redis.multi();
    for (const key of Object.keys(now)) tx.del(key);
    for (const [key, entries] of old) tx.zadd(key, ...entries.flat());
    await tx.del(keys.caseIndexLayout).exec();
    expect(Object.keys(await dumpIndex()).length).toBeGreaterThan(Object.keys(now).length);

    await convertCaseIndex(redis, keys, pino({ level: 'silent' }), Date.now());
    expect(await dumpIndex()).toEqual(now);
    expect(await redis.get(keys.caseIndexLayout)).toBe('5');
    // Run again (another process starting): nothing changes.
    await redis.del(keys.caseIndexLayout);
    await convertCaseIndex(redis, keys, pino({ level: 'silent' }));
    expect(await dumpIndex()).toEqual(now);
    // The three-level layout (province and city sets of bare ids beside the county sets): the upper sets go.
    const upper = redis.multi();
    for (const [key, flat] of Object.entries(now)) {
      const [set, ks] = key.slice(head.length).split(':') as [string, string];
      for (const up of [set.slice(0, 2), set.slice(0, 4)])
        for (let i = 0; i < flat.length; i += 2)
          upper.zadd(`${head}${up}:${ks}`, flat[i + 1]!, flat[i]!.slice(flat[i]!.indexOf(':') + 1));
    }
    await upper.set(keys.caseIndexLayout, '3').exec();
    expect(Object.keys(await dumpIndex()).length).toBeGreaterThan(Object.keys(now).length);
    await convertCaseIndex(redis, keys, pino({ level: 'silent' }));
    expect(await dumpIndex()).toEqual(now);
    expect(await redis.get(keys.caseIndexLayout)).toBe('5');
    // The county sets of 2026-12-05 (a county's closed cases of a kind in one set): split by day,
    // each day's set expiring with its day.
    const whole = redis.multi();
    for (const [key, flat] of Object.entries(now)) {
      const [set, ks, day] = key.slice(head.length).split(':') as [string, string, string?];
      if (day === undefined) continue;
      whole.del(key);
      for (let i = 0; i < flat.length; i += 2) whole.zadd(`${head}${set}:${ks}`, flat[i + 1]!, flat[i]!);
    }
    await whole.set(keys.caseIndexLayout, '4').exec();
    expect(Object.keys(await dumpIndex()).length).toBeLessThan(Object.keys(now).length);
    await convertCaseIndex(redis, keys, pino({ level: 'silent' }), Date.now());
    expect(await dumpIndex()).toEqual(now);
    expect(await redis.get(keys.caseIndexLayout)).toBe('5');
    for (const key of Object.keys(now).filter((k) => /c:\d+$/.test(k))) {
      const day = Number(key.slice(key.lastIndexOf(':') + 1));
      const ends = (dayStart(day + 1) - Date.now()) / 1000 + RETENTION.caseIndexTtlS;
      expect(await redis.ttl(key)).toBeLessThanOrEqual(Math.ceil(ends));
      expect(await redis.ttl(key)).toBeGreaterThan(ends - 86_400 - 5);
    }
    const village = [...truth.values()].find((c) => c.region.length === 12)!.region;
    expect((await listAll({ region: village }, 2)).ids).toEqual(expectedList(truth.values(), { region: village }));
  });
});
