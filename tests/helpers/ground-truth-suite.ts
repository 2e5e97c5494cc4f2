import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './server.ts';
import { generate, type Generated } from './ground-truth.ts';
import { drained } from './drain.ts';
import { compareAll } from './compare.ts';
import { startTestCluster, type TestCluster } from './redis-cluster.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';

/**
 * The ground-truth test, on one Redis or on a Redis Cluster of 3 masters and 3 replicas: 100,000
 * events over the whole Gansu tree, every region of every level checked against a count made
 * independently. One body, run by tests/integration/ground-truth.test.ts and
 * ground-truth-cluster.test.ts (two files, so the suite's two workers run them side by side).
 */
export function groundTruthSuite(store: 'single Redis' | 'Redis Cluster (3 masters, 3 replicas)'): void {
  // Fixed "now" so a run across Beijing midnight cannot move the day under the test.
  const NOW = Date.now();
  let t: TestServer;
  let cluster: TestCluster | undefined;
  let gen: Generated;
  let totals = { accepted: 0, duplicates: 0, rejected: 0 };

  beforeAll(async () => {
    if (store !== 'single Redis') cluster = await startTestCluster();
    t = await startTestServer({
      clock: new ManualClock(NOW),
      // This test counts; it does not time the replica. Six redis-servers sharing two busy cores can
      // take seconds to confirm a 5,000-event request, which would be answered 503 to resend.
      ...(cluster ? { cluster, env: { REDIS_REPLICA_WAIT_MS: '30000', REDIS_COMMAND_TIMEOUT_MS: '60000' } } : {}),
    });
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
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
  });

  describe(`ground truth on a ${store}: 100,000 events over the whole Gansu tree`, () => {
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
}
