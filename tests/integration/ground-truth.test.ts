import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { generate, type Generated } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { ManualClock } from '../../server/clock.ts';
import { readSnapshot } from '../../server/aggregate/snapshot.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { LEVELS } from '../../shared/regions.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

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
    totals = { accepted: totals.accepted + b.accepted, duplicates: totals.duplicates + b.duplicates, rejected: totals.rejected + b.rejected.length };
  }
  await drained(t.server.redis, createKeys('62').events);
}, 300_000);
afterAll(async () => t?.stop());

const pick = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v));

describe('ground truth: 100,000 events over the whole Gansu tree', () => {
  it('accepts every valid event once, flags every duplicate and rejects every invalid one', () => {
    expect(totals).toEqual({ accepted: gen.valid, duplicates: gen.duplicates, rejected: gen.invalid });
  });

  it('reports exactly the generated counts for every region at every level', async () => {
    const deps = { redis: t.server.redis, keys: createKeys('62'), region: (c: string) => t.tree.info(c) };
    let checked = 0;
    const mismatches: string[] = [];
    for (const level of LEVELS) {
      for (const code of t.tree.codesAt(level)) {
        const s = (await readSnapshot(deps, code, NOW)) as Snapshot;
        const x = gen.expected.get(code);
        const got = {
          today: { i: s.counts.today.incident, d: s.counts.today.dispute, c: s.counts.today.byCategory, s: s.counts.today.byStatus, ch: s.counts.today.byChannel },
          month: { i: s.counts.month.incident, d: s.counts.month.dispute },
          open: { i: s.counts.open.incident, d: s.counts.open.dispute, s: s.counts.open.byStatus },
          overdue: { od: s.counts.overdue.dispute, odd: s.counts.overdue.dispatch, odr: s.counts.overdue.resolve },
        };
        const want = {
          today: { i: x?.today.i ?? 0, d: x?.today.d ?? 0, c: pick(x?.today.c ?? {}), s: pick(x?.today.s ?? {}), ch: pick(x?.today.ch ?? {}) },
          month: { i: x?.month.i ?? 0, d: x?.month.d ?? 0 },
          open: { i: x?.open.i ?? 0, d: x?.open.d ?? 0, s: pick(x?.open.s ?? {}) },
          overdue: x?.overdue ?? { od: 0, odd: 0, odr: 0 },
        };
        if (!isDeepStrictEqual(got, want) && mismatches.length < 5) mismatches.push(`${code}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
        if (x && x.month.resolved + x.month.failed > 0) {
          expect(s.rates.mediationSuccess).toBeCloseTo(x.month.resolved / (x.month.resolved + x.month.failed), 3);
        }
        checked++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(1 + 14 + 88 + 1403 + 17718);
    // The data really covered the tree: every city and most counties have cases.
    expect(t.tree.codesAt('county').filter((c) => gen.expected.has(c)).length).toBeGreaterThan(80);
  }, 300_000);
});
