/**
 * What the demo wall reads for today once the simulator has run: a day of the built-in feed through
 * the real ingest and aggregator, then the province's snapshot over HTTP. The demo once showed
 * 纠纷化解 0 and the funnel's 化解/核验 at 0 all day beside 782 disputes received: every simulated
 * dispute took a day and a half to settle and days more to be checked, so none received today
 * reached those stages before the evening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { startSimulator } from '../../server/simulator/simulator.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { drained } from '../helpers/drain.ts';
import { prng } from '../helpers/prng.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// A Monday afternoon: a working day's rhythm, and the day two thirds gone.
const NOW = Date.parse('2026-03-16T16:00:00+08:00');

let t: TestServer;
let today: Snapshot['counts']['today'];

beforeAll(async () => {
  const clock = new ManualClock(NOW);
  t = await startTestServer({ clock });
  // Disputes only, at the province's real rate: the figures under test are disputes'.
  const sim = await startSimulator({
    ingest: t.server.ingest,
    redis: t.server.redis,
    tree: t.tree,
    logger: createLogger('silent', false),
    speed: 1,
    backfillDays: 1,
    clock,
    rand: prng(1416),
    rates: { incidentsPerDay: 0, homicidesPerDay: 0, spikesPerDay: 0 },
  });
  await sim.ready;
  await sim.stop();
  await drained(t.server.redis, createKeys('62').events);
  const token = await t.login('admin', t.adminPassword);
  const res = await fetch(`${t.url}/api/v1/snapshot/62`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  today = ((await res.json()) as Snapshot).counts.today;
}, 180_000);
afterAll(async () => t?.stop());

describe('a simulated day as the wall reads it at 16:00', () => {
  it('has disputes received today, and a share of them already 化解 (纠纷化解 is not 0)', () => {
    const received = today.dispute ?? 0;
    const resolved = (today.byStatus?.resolved ?? 0) + (today.byStatus?.verified ?? 0);
    // ~2,227 a day, most of them in office hours: well over a thousand by 16:00.
    expect(received).toBeGreaterThan(1000);
    // Simple quarrels settled the day they come in: ≈ a tenth of the day's disputes by 16:00.
    expect(resolved / received).toBeGreaterThan(0.05);
    expect(resolved / received).toBeLessThan(0.4);
  });

  it('has some of today’s settled disputes already checked (核验 is not 0)', () => {
    expect(today.byStatus?.verified ?? 0).toBeGreaterThan(10);
  });
});
