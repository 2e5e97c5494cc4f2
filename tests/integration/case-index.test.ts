import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { expectedList, generateCases, placesUnder, type TruthCase } from '../helpers/case-truth.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { dumpCaseIndex } from '../helpers/case-index-dump.ts';
import { listCases, type CaseFilter, type Cursor } from '../../server/aggregate/case-list.ts';
import { countiesUnder } from '../../server/aggregate/case-index.ts';
import { applyBatch, type Entry } from '../../server/aggregate/apply.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { RETENTION } from '../../server/counters/retention.ts';
import { provinceAncestry } from '../../shared/regions.ts';
import { dayNumber, isoBeijing } from '../../server/time/beijing.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

/**
 * The case index against an independent model of the posted cases: every region of every level
 * lists exactly the cases whose earliest event lies in its subtree, by kind and open/closed, newest
 * first; redelivered events change nothing; closed cases leave the index with the history window.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const keys = createKeys('62');
const COUNTIES = ['620702', '620102'];
let t: TestServer;
let clock: ManualClock;
let truth: Map<string, TruthCase>;
/** What was posted, as ingest stored it (the stream is trimmed once applied). */
let stored: StoredEvent[];
const deps = () => ({
  redis: t.server.redis,
  keys,
  regionName: (c: string) => t.tree.get(c)?.name,
  counties: countiesUnder(t.tree),
});

/** Every id a filter lists, page by page. */
async function listAll(f: CaseFilter, pageSize: number): Promise<{ ids: string[]; total: number; pages: number }> {
  const ids: string[] = [];
  let cursor: Cursor | undefined;
  let total = -1;
  let pages = 0;
  for (;;) {
    const page = await listCases(deps(), f, cursor, pageSize, clock.now());
    pages++;
    if (total === -1) total = page.total;
    ids.push(...page.cases.map((c) => c.id));
    if (!page.next) return { ids, total, pages };
    cursor = page.next;
  }
}

/** Every member and score of every case index set, for before/after comparisons. */
const dumpIndex = () => dumpCaseIndex(t.server.redis, keys.prefix);

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await startTestServer({ clock });
  const places = placesUnder(t.tree, COUNTIES);
  const gen = generateCases(places, { cases: 1500, now: NOW, seed: 11 });
  truth = gen.cases;
  stored = gen.events.map((e) => ({ ...e, source: 'test', ts: Date.parse(e.occurredAt) }) as unknown as StoredEvent);
  // Every event twice, in two different orders: the second copy is a duplicate at ingest.
  const sent = [...gen.events, ...[...gen.events].reverse()];
  for (let i = 0; i < sent.length; i += 2000) expect((await t.postEvents(sent.slice(i, i + 2000))).status).toBe(200);
  await drained(t.server.redis, keys.events);
}, 120_000);
afterAll(async () => t?.stop());

describe('the case index', () => {
  it('lists exactly the posted cases of every region at every level, by kind and state, newest first', async () => {
    const regions = new Set<string>();
    for (const c of truth.values()) for (const code of provinceAncestry(c.region)) regions.add(code);
    // Every level above the village, and a sample of villages (each one's sets are like the others').
    const villages = [...regions].filter((c) => c.length === 12).sort();
    for (const v of villages.filter((_, i) => i % 8 !== 0)) regions.delete(v);
    // A village with nothing in it lists nothing.
    const quiet = t.tree.children(t.tree.children('620902')[0]!.code)[0]!.code;
    regions.add(quiet);
    const mismatches: string[] = [];
    let checked = 0;
    for (const region of regions) {
      for (const kind of [undefined, 'incident', 'dispute'] as const)
        for (const status of [undefined, 'open', 'closed'] as const) {
          // Townships and villages get the filters one at a time (to keep the test short).
          if (region.length >= 9 && kind && status) continue;
          const f = { region, ...(kind ? { kind } : {}), ...(status ? { status } : {}) };
          const want = expectedList(truth.values(), f);
          const got = await listAll(f, region.length <= 4 ? 200 : 50);
          checked++;
          if (got.total !== want.length || JSON.stringify(got.ids) !== JSON.stringify(want))
            mismatches.push(`${JSON.stringify(f)}: ${got.ids.length}/${got.total} listed, ${want.length} expected`);
        }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(300);
    expect(await listAll({ region: quiet }, 10)).toEqual({ ids: [], total: 0, pages: 1 });
  }, 120_000);

  it('pages through a county, a city and the province with small pages without losing or repeating a case', async () => {
    // The city's and the province's pages merge their county sets (case-index-page.lua).
    for (const region of ['620702', '6207', '62']) {
      const f = { region };
      const want = expectedList(truth.values(), f);
      const got = await listAll(f, 7);
      expect(got.ids, region).toEqual(want);
      expect(got.pages, region).toBe(Math.ceil(want.length / 7));
    }
  });

  it("gives a snapshot's first page (counting nothing, its sets read newest first in chunks) as the whole read would", async () => {
    const places = new Set<string>();
    for (const c of truth.values())
      for (const code of provinceAncestry(c.region)) if (code.length >= 9) places.add(code);
    let reachedOlder = 0;
    const mismatches: string[] = [];
    for (const region of places)
      for (const f of [{ region }, { region, status: 'closed' as const }, { region, kind: 'dispute' as const }]) {
        const want = expectedList(truth.values(), f).slice(0, 8);
        const got = (await listCases(deps(), f, undefined, 8, clock.now(), false)).cases.map((c) => c.id);
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${JSON.stringify(f)}: ${got.length}/${want.length}`);
        // The first chunk holds the newest 8 days of closed cases: a page reaching older ones read on.
        const last = want.at(-1);
        if (last && truth.get(last)!.t0 < clock.now() - 9 * DAY) reachedOlder++;
      }
    expect(mismatches).toEqual([]);
    expect(places.size).toBeGreaterThan(50);
    expect(reachedOlder).toBeGreaterThan(10);
  });

  it('filters by the time of the earliest event', async () => {
    const from = NOW - 5 * DAY;
    const to = NOW - 2 * DAY;
    const f = { region: '620102', from, to };
    const want = expectedList(truth.values(), f);
    expect(want.length).toBeGreaterThan(10);
    expect((await listAll(f, 50)).ids).toEqual(want);
  });

  it('is unchanged when the aggregator applies the same stream entries again (a redelivery)', async () => {
    const before = await dumpIndex();
    expect(Object.keys(before).length).toBeGreaterThan(5);
    const entries: Entry[] = stored.slice(0, 2000).map((event) => ({ entryId: '', event }));
    expect(entries.length).toBe(2000);
    const r = await applyBatch({ redis: t.server.redis, keys, sla: slaTable() }, entries, clock.now(), false);
    expect(r.codes.every((c) => c === 'D')).toBe(true);
    expect(await dumpIndex()).toEqual(before);
  });

  it('keeps open cases whatever their age and lets closed ones go with the history window', async () => {
    const region = t.tree.children(t.tree.children('620902')[0]!.code)[1]!.code;
    const old = NOW - 50 * DAY;
    const ev = (id: string, status: string, at: number) => ({
      id,
      caseId: id.replace(/-\d$/, ''),
      kind: 'dispute',
      category: 'land',
      status,
      severity: 2,
      region,
      occurredAt: isoBeijing(at),
      channel: 'grid',
      summary: '',
    });
    const posted = await t.postEvents([
      ev('ret-closed-0', 'received', old),
      ev('ret-closed-1', 'resolved', old + DAY),
      ev('ret-open-0', 'received', old + 1000),
    ]);
    expect(posted.body).toMatchObject({ accepted: 3 });
    await drained(t.server.redis, keys.events);
    expect((await listAll({ region }, 10)).ids).toEqual(['ret-open', 'ret-closed']);

    // 久拖: the open case, 50 days old, is still listed and counted, and flagged past the 30-day bound.
    const page = await listCases(
      { ...deps(), staleBefore: () => clock.now() - 30 * DAY },
      { region },
      undefined,
      10,
      clock.now(),
    );
    expect(page.cases.map((c) => [c.id, c.open, c.stale])).toEqual([
      ['ret-open', true, true],
      ['ret-closed', false, undefined],
    ]);
    const token = await t.userToken('stale-reader', 'commander', '62');
    const snap = async (code: string) =>
      (await (
        await fetch(`${t.url}/api/v1/snapshot/${code}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Snapshot;
    const local = await snap(region);
    expect(local.stale).toEqual({ incident: 0, dispute: 1, days: 30 });
    expect(local.counts.open.dispute).toBe(1);
    const province = await snap('62');
    let staleInCounties = 0;
    for (const county of t.tree.codesAt('county'))
      staleInCounties += await t.server.redis.zcount(
        keys.caseIndex(county, 'd', 'o'),
        '-inf',
        `(${clock.now() - 30 * DAY}`,
      );
    expect(province.stale!.dispute).toBe(staleInCounties);
    expect(province.stale!.dispute).toBeGreaterThanOrEqual(1);

    // A village's entries live in its county's sets, each member `<place below the county>:<case id>`,
    // a closed case in the set of its county, kind and first event's day, which expires with that
    // day's place in the window (counted from the case's first event, not from the write).
    const closedSet = keys.caseIndexDay(region.slice(0, 6), 'd', dayNumber(old));
    const member = (id: string) => `${region.slice(6)}:${id}`;
    expect(await t.server.redis.zscore(closedSet, member('ret-closed'))).not.toBeNull();
    expect(await t.server.redis.zcard(closedSet)).toBe(1);
    const ttl = await t.server.redis.ttl(closedSet);
    expect(Math.abs(ttl - (old / 1000 + RETENTION.caseIndexTtlS - clock.now() / 1000))).toBeLessThan(5);

    // Fifteen days on, the closed case's first event is older than the window: no longer listed,
    // however long its day's set is kept.
    clock.advance(15 * DAY);
    expect(NOW + 15 * DAY - old).toBeGreaterThan(RETENTION.caseIndexDays * DAY);
    expect((await listAll({ region }, 10)).ids).toEqual(['ret-open']);
    expect((await listAll({ region, status: 'closed' }, 10)).total).toBe(0);
    const fresh = clock.now() - 3600_000;
    expect(
      (await t.postEvents([ev('ret-new-0', 'received', fresh), ev('ret-new-1', 'failed', fresh + 1000)])).body,
    ).toMatchObject({ accepted: 2 });
    await drained(t.server.redis, keys.events);
    const freshSet = keys.caseIndexDay(region.slice(0, 6), 'd', dayNumber(fresh));
    expect(await t.server.redis.zscore(freshSet, member('ret-new'))).not.toBeNull();
    expect(await t.server.redis.ttl(freshSet)).toBeGreaterThan(RETENTION.caseIndexDays * 86_400);
    expect((await listAll({ region }, 10)).ids).toEqual(['ret-new', 'ret-open']);
    clock.set(NOW);
  });
});
