import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { generate, type Generated } from '../helpers/ground-truth.ts';
import { appendedCount, drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { regionsWith } from '../helpers/provinces.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { levelOf } from '../../shared/regions.ts';

// A national deployment of three provinces (甘肃, 广东, 北京): every event written under its own
// province's keys, the nation read as the sum of them.
const PROVINCES = ['11', '44', '62'];
const NOW = Date.now();
let dir: string;
let tree: RegionTree;
let t: TestServer;
let gen: Generated;
let totals = { accepted: 0, duplicates: 0, rejected: 0 };

beforeAll(async () => {
  dir = regionsWith(PROVINCES);
  tree = await loadRegionTree('00', dir, PROVINCES);
  t = await startTestServer({ clock: new ManualClock(NOW), tree, env: { PROVINCES: PROVINCES.join(',') } });
  gen = generate(tree, { events: 5_000, now: NOW, seed: 11 });
  for (let i = 0; i < gen.sent.length; i += 5000) {
    const res = await t.postEvents(gen.sent.slice(i, i + 5000));
    expect(res.status).toBe(200);
    const b = res.body as { accepted: number; duplicates: number; rejected: unknown[] };
    totals = {
      accepted: totals.accepted + b.accepted,
      duplicates: totals.duplicates + b.duplicates,
      rejected: totals.rejected + b.rejected.length,
    };
  }
  for (const p of PROVINCES) await drained(t.server.redis, createKeys(p).events);
}, 240_000);
afterAll(async () => {
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ground truth across three provinces under the national root', () => {
  it('accepts every valid event once, flags every duplicate and rejects every invalid one', () => {
    expect(totals).toEqual({ accepted: gen.valid, duplicates: gen.duplicates, rejected: gen.invalid });
  });

  it("writes each event only under its own province's keys, and nothing per event under the nation's", async () => {
    const r = t.server.redis;
    for (const p of PROVINCES) expect(await appendedCount(r, createKeys(p).events)).toBeGreaterThan(0);
    expect(await r.exists(createKeys('00').events)).toBe(0);
    const national: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'pa:{00}:*:00*', 'COUNT', 1000);
      national.push(...keys.filter((k) => /:(day|mon|open|lday|lmon|lopen):/.test(k)));
      cursor = next;
    } while (cursor !== '0');
    expect(national).toEqual([]);
  });

  it('reports exactly the generated counts at every level, the nation and its ranking of provinces included', async () => {
    // Every region down to the county, and every township and village the events reached (the
    // others are zero, which their county's ranking of them already checks).
    const only = (c: string) => {
      const l = levelOf(c);
      return l === 'nation' || l === 'province' || l === 'city' || l === 'county' || gen.expected.has(c);
    };
    const { checked, mismatches } = await compareAll(tree, t.server.redis, gen.expected, NOW, { only });
    expect(mismatches).toEqual([]);
    const nation = gen.expected.get('00')!;
    expect(nation.today.i + nation.today.d).toBeGreaterThan(0);
    for (const p of PROVINCES) expect(gen.expected.has(p)).toBe(true);
    expect(checked).toBeGreaterThan(1 + 3 + tree.codesAt('county').length);
  }, 240_000);
});
