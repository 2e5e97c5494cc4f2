import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { generate, type Generated } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';

// Fixed "now" so a run across Beijing midnight cannot move the day under the test.
const NOW = Date.now();
let t: TestServer;
let gen: Generated;
let totals = { accepted: 0, duplicates: 0, rejected: 0 };

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  gen = generate(t.tree, { events: 100_000, now: NOW, seed: 7 });
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
  await drained(t.server.redis, createKeys('62').events);
}, 300_000);
afterAll(async () => t?.stop());

describe('ground truth: 100,000 events over the whole Gansu tree', () => {
  it('accepts every valid event once, flags every duplicate and rejects every invalid one', () => {
    expect(totals).toEqual({ accepted: gen.valid, duplicates: gen.duplicates, rejected: gen.invalid });
  });

  it('reports exactly the generated counts for every region at every level', async () => {
    const { checked, mismatches } = await compareAll(t.tree, t.server.redis, gen.expected, NOW);
    expect(mismatches).toEqual([]);
    expect(checked).toBe(1 + 14 + 88 + 1403 + 17718);
    // The data really covered the tree: most counties have cases.
    expect(t.tree.codesAt('county').filter((c) => gen.expected.has(c)).length).toBeGreaterThan(80);
  }, 300_000);
});
