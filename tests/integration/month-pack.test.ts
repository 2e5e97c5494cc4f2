// The townships' closed months packed into one field (server/counters/month-pack.ts): every reader
// must count what it counted before, writes that come after the packing must add to it, the next
// run must fold them in, and nothing written between a packer's read and its write may be lost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { syntheticHistory, writeLines } from '../helpers/import-file.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { importDepsFor, importHistory } from '../../server/import/run.ts';
import { readCounterSums } from '../../server/counters/read.ts';
import { lowMarginalsByRegion, PACKED_FIELD } from '../../server/counters/low-level.ts';
import { packableMonths, packClosedMonths } from '../../server/counters/month-pack.ts';
import { runLua } from '../../server/redis/lua.ts';
import { MONTH_PACK_SCRIPT } from '../../server/redis/scripts.ts';

let r: TestRedis;
let tree: RegionTree;
let dir: string;
const keys = createKeys('62');
const now = Date.now();
// Two townships of 甘州区 and their villages.
const TOWNSHIPS = ['620702001', '620702002'];

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  tree = await loadRegionTree('62');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'month-pack-'));
});
afterAll(async () => {
  await r?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const villagesOf = (t: string) => tree.children(t).map((c) => c.code);
const codes = () => TOWNSHIPS.flatMap((t) => [t, ...villagesOf(t)]);

async function db(n: number): Promise<Redis> {
  const c = r.client();
  await c.select(n);
  return c;
}

async function load(client: Redis, seed: number): Promise<void> {
  const file = path.join(dir, `h${seed}.ndjson`);
  const regions = TOWNSHIPS.flatMap((t) => [t, ...villagesOf(t).slice(0, 6)]);
  writeLines(file, syntheticHistory(now, 1500, regions, seed));
  await importHistory(importDepsFor(client, tree, '62', { chunkLines: 100 }), file);
}

/** Every township's and village's month counters, as the reports and the assessment read them. */
async function monthCounts(client: Redis): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const month of packableMonths(now)) {
    for (const [code, h] of await readCounterSums(client, keys, codes(), { month }))
      if (Object.keys(h).length) out[`${month} ${code}`] = h;
  }
  return out;
}

/** The same, as the 平安指数's peer groups read them (one pass over each township hash). */
async function groupCounts(client: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const month of packableMonths(now))
    for (const t of TOWNSHIPS)
      for (const [code, m] of lowMarginalsByRegion(await client.hgetall(keys.lowMonth(t, month)), 'month', t))
        out[`${month} ${code}`] = m;
  return out;
}

const monthKeys = () => packableMonths(now).flatMap((m) => TOWNSHIPS.map((t) => keys.lowMonth(t, m)));

describe('closed township months packed', () => {
  it('packs each closed month into one field that every reader counts as before, and keeps its TTL', async () => {
    const client = await db(1);
    await load(client, 1);
    const counts = await monthCounts(client);
    const groups = await groupCounts(client);
    expect(Object.keys(counts).length).toBeGreaterThan(20);
    const ks = (await Promise.all(monthKeys().map(async (k) => ((await client.exists(k)) ? k : null)))).filter(
      (k): k is string => k !== null,
    );
    expect(ks.length).toBeGreaterThan(10);
    const ttls = await Promise.all(ks.map((k) => client.ttl(k)));
    const fields = await Promise.all(ks.map((k) => client.hlen(k)));
    const bytes = async () =>
      (await Promise.all(ks.map((k) => client.memory('USAGE', k, 'SAMPLES', 0)))).reduce<number>(
        (a, b) => a + Number(b),
        0,
      );
    const before = await bytes();

    const packed = await packClosedMonths(client, keys, TOWNSHIPS, now);
    expect(packed).toBe(ks.length);
    expect(fields.some((n) => n > 20)).toBe(true);
    for (const k of ks) expect(await client.hkeys(k)).toEqual([PACKED_FIELD]);
    const after = await bytes();
    // Small hashes here (≈ 25 fields): a steady state's ≈ 100 pack ≈ 4× (docs/capacity.md).
    expect(after).toBeLessThan(before * 0.75);
    (await Promise.all(ks.map((k) => client.ttl(k)))).forEach((t, i) => expect(Math.abs(t - ttls[i]!)).toBeLessThan(5));

    expect(await monthCounts(client)).toEqual(counts);
    expect(await groupCounts(client)).toEqual(groups);
    // Nothing to do on the next run.
    expect(await packClosedMonths(client, keys, TOWNSHIPS, now)).toBe(0);
  });

  it('counts what is written after the packing, and folds it in on the next run', async () => {
    // The reference holds both histories unpacked; the target packs between them.
    const reference = await db(2);
    await load(reference, 1);
    await load(reference, 2);
    const target = await db(3);
    await load(target, 1);
    await packClosedMonths(target, keys, TOWNSHIPS, now);
    await load(target, 2);
    const plainBeside = await Promise.all(monthKeys().map((k) => target.hlen(k)));
    expect(plainBeside.some((n) => n > 1)).toBe(true);
    const expected = await monthCounts(reference);
    expect(await monthCounts(target)).toEqual(expected);
    expect(await groupCounts(target)).toEqual(await groupCounts(reference));

    // A decrement of a count that is only in the packed field (a case's status moved on).
    const [month, code] = Object.keys(expected)[0]!.split(' ') as [string, string];
    const key = keys.lowMonth(code.slice(0, 9), month);
    await packClosedMonths(target, keys, TOWNSHIPS, now);
    const before = (await readCounterSums(target, keys, [code], { month })).get(code)!;
    const somePacked = (await reference.hkeys(key)).find((f) => f.includes('|'))!;
    await target.hincrby(key, somePacked, -1);
    const lowered = (await readCounterSums(target, keys, [code], { month })).get(code)!;
    expect(Number(lowered.i ?? 0) + Number(lowered.d ?? 0)).toBe(Number(before.i ?? 0) + Number(before.d ?? 0) - 1);
    expect(await packClosedMonths(target, keys, TOWNSHIPS, now)).toBeGreaterThan(0);
    expect(await target.hkeys(key)).toEqual([PACKED_FIELD]);
    expect((await readCounterSums(target, keys, [code], { month })).get(code)).toEqual(lowered);
  });

  it('leaves a hash alone when a field it read has moved since, or its packed value has', async () => {
    const client = await db(4);
    const key = keys.lowMonth('620702001', packableMonths(now)[0]!);
    await client.hset(key, '|i|a|b|c|', '3', '001|d|a|b|c|', '2');
    const stale = ['|i|a|b|c|', '3', '001|d|a|b|c|', '2'];
    await client.hincrby(key, '001|d|a|b|c|', 1);
    expect(await runLua(client, MONTH_PACK_SCRIPT, [key], [PACKED_FIELD, 'new', '', ...stale])).toBe(0);
    expect(await client.hgetall(key)).toEqual({ '|i|a|b|c|': '3', '001|d|a|b|c|': '3' });
    // A second packer got there first: the packed value read is not the one stored.
    await client.hset(key, PACKED_FIELD, 'theirs');
    const fresh = ['|i|a|b|c|', '3', '001|d|a|b|c|', '3'];
    expect(await runLua(client, MONTH_PACK_SCRIPT, [key], [PACKED_FIELD, 'mine', '', ...fresh])).toBe(0);
    expect(await client.hget(key, PACKED_FIELD)).toBe('theirs');
    // A field written after the read is left beside the new packed value, counted once.
    await client.hdel(key, PACKED_FIELD);
    await client.hset(key, '002|i|a|b|c|', '5');
    expect(await runLua(client, MONTH_PACK_SCRIPT, [key], [PACKED_FIELD, 'mine', '', ...fresh])).toBe(1);
    expect(await client.hgetall(key)).toEqual({ [PACKED_FIELD]: 'mine', '002|i|a|b|c|': '5' });
  });
});

describe('which months are packed', () => {
  it('those over for a week, back through the thirteen months kept', () => {
    const at = (iso: string) => packableMonths(Date.parse(iso));
    expect(at('2026-12-07T23:59:00+08:00')[0]).toBe('202610');
    expect(at('2026-12-08T00:00:00+08:00')[0]).toBe('202611');
    expect(at('2026-12-08T00:00:00+08:00')).toHaveLength(13);
    expect(at('2026-12-08T00:00:00+08:00').at(-1)).toBe('202511');
  });
});
