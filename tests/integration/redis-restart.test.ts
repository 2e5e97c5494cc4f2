import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { generate } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { createKeys } from '../../server/redis/keys.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

describe('a Redis restart in the middle of the feed', () => {
  it('loses nothing that was accepted and counts nothing twice', async () => {
    const now = Date.now();
    const gen = generate(t.tree, { events: 8000, now, seed: 21, oldShare: 0 });
    const half = Math.floor(gen.sent.length / 2);
    let accepted = 0;
    for (let i = 0; i < half; i += 2000)
      accepted += ((await t.postEvents(gen.sent.slice(i, Math.min(half, i + 2000)))).body as { accepted: number })
        .accepted;
    // SIGTERM and start again on the same AOF, while the server keeps running.
    await t.redis.restart();
    for (let i = half; i < gen.sent.length; i += 2000)
      accepted += ((await t.postEvents(gen.sent.slice(i, i + 2000))).body as { accepted: number }).accepted;
    // Re-sending the first half after the restart only yields duplicates.
    const resend = await t.postEvents(gen.sent.slice(0, 2000));
    expect((resend.body as { accepted: number }).accepted).toBe(0);
    expect(accepted).toBe(gen.valid);
    await drained(t.server.redis, createKeys('62').events, 60_000);
    const { mismatches } = await compareAll(t.tree, t.server.redis, gen.expected, now, { overdue: false });
    expect(mismatches).toEqual([]);
    const health = await fetch(`${t.url}/readyz`);
    expect(health.status).toBe(200);
  }, 120_000);
});
