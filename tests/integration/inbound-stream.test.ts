import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { readSnapshot } from '../../server/aggregate/snapshot.ts';
import { decodeEntry } from '../../server/ingest/stream-entry.ts';

const keys = createKeys('62');
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  caseId: `case-${id}`,
  kind: 'incident',
  category: 'fraud',
  status: 'reported',
  severity: 1,
  region: '620102001',
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  channel: 'police_110',
  summary: '经XADD接入',
  ...extra,
});

describe('the inbound stream for systems that speak Redis', () => {
  it('validates XADDed events like HTTP ingest and reports rejections back on a stream', async () => {
    const redis = t.redis.client();
    // A group of the test's own that reads nothing: the aggregator trims only what every group has
    // been delivered (trim-acked.lua), so the stored entry stays for the check below.
    await redis.xgroup('CREATE', keys.events, 'inbound-test', '$', 'MKSTREAM');
    await redis.xadd(
      keys.inbound,
      '*',
      'source',
      'gongan110',
      'events',
      JSON.stringify([event('x1'), event('x2', { region: 'nowhere' })]),
    );
    await redis.xadd(keys.inbound, '*', 'source', 'gongan110', 'event', JSON.stringify(event('x1'))); // duplicate id
    await redis.xadd(keys.inbound, '*', 'source', 'gongan110', 'events', '{not json');
    const deadline = Date.now() + 10_000;
    while ((await redis.xlen(keys.inbound)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await redis.xlen(keys.inbound)).toBe(0);
    await drained(redis, keys.events);
    const s = await readSnapshot({ redis, keys, region: (c) => t.tree.info(c) }, '620102', Date.now());
    expect(s!.counts.today.byCategory.fraud).toBe(1);
    const rejected = (await redis.xrange(`${keys.inbound}:rejected`, '-', '+')) as [string, string[]][];
    const errors = rejected.map(([, f]) => f[f.indexOf('errors') + 1]).join('\n');
    expect(errors).toMatch(/region: /);
    expect(errors).toMatch(/events: not valid JSON/);
    const stored = (await redis.xrange(keys.events, '-', '+')) as [string, string[]][];
    expect(stored.map(([, f]) => decodeEntry(f).source)).toEqual(['redis:gongan110']);
  });
});
