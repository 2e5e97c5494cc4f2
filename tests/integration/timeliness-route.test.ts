import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelinessReply } from '../../shared/schemas/timeliness.ts';
import { drained } from '../helpers/drain.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let token: string;
beforeAll(async () => {
  t = await startTestServer();
  token = await t.userToken('tl-wall', 'wall', '620702');
});
afterAll(async () => t?.stop());

const get = async (path: string) => {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as unknown };
};

const incident = (id: string, minutesAgo: number) => ({
  id,
  caseId: id,
  kind: 'incident',
  category: 'public_order',
  status: 'reported',
  severity: 1,
  region: '620702001001',
  occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  channel: 'police_110',
  summary: '及时率测试',
});

describe('GET /api/v1/timeliness/:code', () => {
  it('answers a region’s 上报及时率 of this month from what ingest received, with its formula and limits', async () => {
    // Received now: one a minute after it happened, one two hours after (incidents: 30 minutes).
    expect((await t.postEvents([incident('tl-on', 1), incident('tl-late', 120)])).status).toBe(200);
    await drained(t.server.redis, 'pa:{62}:events');
    // The warnings layer counts right after the counters are committed.
    let r = await get('/timeliness/620702001');
    for (let i = 0; i < 50 && (r.body as TimelinessReply).reports < 2; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      r = await get('/timeliness/620702001');
    }
    expect(r.status).toBe(200);
    const reply = r.body as TimelinessReply;
    expect(reply).toMatchObject({
      region: { code: '620702001', level: 'township' },
      provisional: true,
      reports: 2,
      late: 1,
      silences: 0,
      onTime: 1,
      rate: 0.5,
      byKind: { incident: { reports: 2, late: 1 }, dispute: { reports: 0, late: 0 } },
      limitMinutes: { incident: 30, dispute: 1440 },
    });
    expect(reply.formula).toContain('失联次数');
    expect(reply.month).toMatch(/^\d{4}-\d{2}$/);
    expect((await get('/timeliness/62')).status).toBe(403);
  });

  it('refuses a village, a month outside the kept range and a malformed month, naming the problem', async () => {
    expect((await get('/timeliness/620702001001')).status).toBe(404);
    const old = await get('/timeliness/620702?month=2001-01');
    expect(old.status).toBe(400);
    expect(JSON.stringify(old.body)).toContain('month: must be within');
    const bad = await get('/timeliness/620702?month=2026-13');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('month');
  });
});
