// A batch applied in pieces, each planned while Redis runs the commit before it
// (server/aggregate/apply.ts applyInPieces), must leave Redis exactly as applying each piece in
// turn does: the next piece's cases are taken as the piece before leaves them, so no commit is
// refused on their account; and when another writer does change a case under a planned piece,
// that piece is refused and applied again from a fresh read, nothing lost and nothing twice.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { dumpKeyspace } from '../helpers/keyspace-dump.ts';
import { generate } from '../helpers/ground-truth.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { luaRuns } from '../../server/redis/lua.ts';
import { applyBatch, applyInPieces, type AggregationContext, type Entry } from '../../server/aggregate/apply.ts';
import { caseKey } from '../../server/aggregate/case-store.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

const PIECE = 100;
const now = Date.now();
const keys = createKeys('62');
let r: TestRedis;
let redis: Redis;
let ctx: AggregationContext;
let entries: Entry[];

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
  ctx = { redis, keys, sla: slaTable() };
  const gen = generate(await loadRegionTree('62'), { events: 800, now, seed: 11, recentShare: 0.8 });
  const seen = new Set<string>();
  entries = (gen.sent as Record<string, unknown>[])
    .filter((e) => {
      const ok = typeof e.id === 'string' && !e.id.startsWith('bad-') && !seen.has(e.id);
      seen.add(e.id as string);
      return ok;
    })
    .map((e) => ({
      entryId: '',
      event: { ...(e as unknown as StoredEvent), source: 'test', ts: Date.parse(e.occurredAt as string) },
    }));
});
afterAll(async () => r?.stop());
beforeEach(async () => {
  await redis.flushall();
});

const commits = () => luaRuns().get('commit') ?? 0;
const pieceOf = (i: number) => Math.floor(i / PIECE);

/** Each piece applied by applyBatch after the one before: what applyInPieces must equal. */
async function oneByOne(list: Entry[]): Promise<{ codes: string[]; overdue: Set<string> }> {
  const codes: string[] = [];
  const overdue = new Set<string>();
  for (let i = 0; i < list.length; i += PIECE) {
    const r = await applyBatch(ctx, list.slice(i, i + PIECE), now, false);
    codes.push(...r.codes);
    for (const id of r.overdue) overdue.add(id);
  }
  return { codes, overdue };
}

describe('applyInPieces', () => {
  it('plans each piece from the states the pieces before it leave: one commit a piece, the same Redis', async () => {
    // Cases whose events fall in more than one piece: the ones a stale read would get wrong.
    const pieces = new Map<string, Set<number>>();
    entries.forEach((e, i) => {
      const id = (e.event as { caseId: string }).caseId;
      pieces.set(id, (pieces.get(id) ?? new Set()).add(pieceOf(i)));
    });
    expect([...pieces.values()].filter((p) => p.size > 1).length).toBeGreaterThan(20);

    const before = commits();
    const sized: number[] = [];
    const got = await applyInPieces(ctx, entries, () => now, false, { current: PIECE, took: (_, n) => sized.push(n) });
    expect(commits() - before).toBe(Math.ceil(entries.length / PIECE));
    expect(sized.reduce((a, b) => a + b, 0)).toBe(entries.length);
    const piecewise = await dumpKeyspace(redis);

    await redis.flushall();
    const each = await oneByOne(entries);
    expect(got.codes).toEqual(each.codes);
    expect(got.codes.filter((c) => c === 'U').length).toBeGreaterThan(100);
    // The disputes already overdue once applied, for the 超期 rule: every piece's, not the last one's.
    expect(got.overdue.length).toBeGreaterThan(5);
    expect(new Set(got.overdue)).toEqual(each.overdue);
    expect(piecewise.data).toEqual((await dumpKeyspace(redis)).data);
  });

  it('applies a piece refused because another writer changed one of its cases again, from a fresh read', async () => {
    // A case whose events are all in the second piece: its first event is committed beforehand,
    // and once the first piece is confirmed another writer commits the case again (same state,
    // next version), after the second piece was planned from the case as first read.
    const caseOf = (e: Entry) => (e.event as { caseId: string }).caseId;
    const victim = caseOf(
      entries.find(
        (e, i) =>
          pieceOf(i) === 1 &&
          entries.filter((x) => caseOf(x) === caseOf(e)).length > 1 &&
          // Still all in the second piece once its first event is taken out (the rest shift by one).
          entries.every((x, j) => caseOf(x) !== caseOf(e) || (j > PIECE && pieceOf(j) === 1)),
      )!,
    );
    const first = entries.findIndex((e) => caseOf(e) === victim);
    const rest = entries.filter((_, i) => i !== first);
    const prepare = async () => {
      await applyBatch(ctx, [entries[first]!], now, false);
      return (await redis.hget(caseKey(keys, victim), victim))!;
    };

    const stored = await prepare();
    expect(stored.startsWith('1\t')).toBe(true);
    const before = commits();
    let bumped = false;
    const got = await applyInPieces(ctx, rest, () => now, false, {
      current: PIECE,
      took() {
        if (bumped) return;
        bumped = true;
        // Sent now, on the same connection: Redis runs it before the second piece's commit.
        void redis.hset(caseKey(keys, victim), victim, `2${stored.slice(stored.indexOf('\t'))}`);
      },
    });
    // The second piece twice (refused, then again), every other piece once.
    expect(commits() - before).toBe(Math.ceil(rest.length / PIECE) + 1);
    const refusedAndRedone = await dumpKeyspace(redis);
    expect((await redis.hget(caseKey(keys, victim), victim))!.startsWith('3\t')).toBe(true);

    await redis.flushall();
    await prepare();
    expect(got.codes).toEqual((await oneByOne(rest)).codes);
    expect(got.codes).not.toContain('D');
    expect(refusedAndRedone.data).toEqual((await dumpKeyspace(redis)).data);
  });

  it('plans each piece at its own clock: the replay log dates each piece’s changes by when it was committed', async () => {
    await redis.set(keys.replayEpoch, 'e1');
    const ensured: number[] = [];
    let calls = 0;
    const clock = () => now + 1000 * calls++;
    // Whole pieces: each of a hundred events changes some case's contribution, so each logs.
    const pieces = 8;
    const ctxWithReplay = { ...ctx, replay: { ensure: async (at: number) => void ensured.push(at) } };
    await applyInPieces(ctxWithReplay, entries.slice(0, pieces * PIECE), clock, false, {
      current: PIECE,
      took: () => undefined,
    });
    const times = new Set<number>();
    for (const key of await redis.keys(`${keys.prefix}rp:log:e1:*`))
      for (const record of await redis.lrange(key, 0, -1)) times.add(Number(record.slice(0, record.indexOf('|'))));
    // The read's clock, then one a piece; each piece's changes carry its own, and the day's base is
    // made sure of before each commit.
    expect([...times].sort()).toEqual(Array.from({ length: pieces }, (_, i) => now + 1000 * (i + 1)));
    expect(ensured).toEqual(Array.from({ length: pieces + 1 }, (_, i) => now + 1000 * i));
  });
});
