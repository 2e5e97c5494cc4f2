// The ingest's hook (IngestDeps.onAccepted) hears a call's valid events as their append is sent,
// not once Redis has answered it: a red alert must not wait for its event's round trip, nor for a
// replica's confirmation, before its own raise goes out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { createIngest } from '../../server/ingest/ingest.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { createMetrics } from '../../server/metrics.ts';
import { systemClock } from '../../server/clock.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

let r: TestRedis;
let redis: Redis;
beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
});
afterAll(async () => r?.stop());

describe('the ingest hook', () => {
  it('hears the valid events while their append waits, and the call still answers once it is in', async () => {
    const tree = await loadRegionTree('62');
    const heard: { at: number; events: StoredEvent[] }[] = [];
    const ingest = createIngest({
      redis,
      keys: createKeys('62'),
      clock: systemClock,
      metrics: createMetrics(),
      hasRegion: (c) => tree.has(c),
      onAccepted: (events) => heard.push({ at: performance.now(), events }),
    });
    // Writes (and so the append script) held for 400 ms, as a slow Redis or a replica would.
    await redis.client('PAUSE', 400, 'WRITE');
    const start = performance.now();
    const result = await ingest([killThreatDispute('hook-1'), { id: 'hook-bad' }], 'test');
    const answered = performance.now() - start;
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((x) => x.id)).toEqual(['hook-bad']);
    expect(answered).toBeGreaterThanOrEqual(350);
    // Heard once, with the valid event only, long before the append was answered.
    expect(heard.map((h) => h.events.map((e) => e.id))).toEqual([['hook-1']]);
    expect(heard[0]!.at - start).toBeLessThan(200);
  });
});
