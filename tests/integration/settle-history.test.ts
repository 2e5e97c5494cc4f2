import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { HISTORY_ACTOR, settleHistory } from '../../server/simulator/settle-history.ts';
import { createLogger } from '../../server/log.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const HOUR = 3600_000;
const threat = (id: string, hoursAgo: number, region: string) => ({
  id,
  caseId: id,
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 3,
  region,
  occurredAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
  channel: 'grid',
  summary: '扬言持刀报复',
  riskMarkers: ['kill_threat', 'weapon'],
});

describe('the simulated duty desks of the backfilled days', () => {
  it('put each alert where its desk would have it by now, once everything is counted', async () => {
    const posted = await t.postEvents([
      threat('hist-old', 30, '620702001001'),
      threat('hist-hours', 2, '620702002003'),
      threat('hist-now', 0.1, '620702001005'),
    ]);
    expect(posted.body).toMatchObject({ accepted: 3 });
    const done = await settleHistory({
      alerts: t.server.alerts,
      drained: t.server.drained,
      root: '62',
      now: () => Date.now(),
      logger: createLogger('silent', false),
      stopped: () => false,
      pollMs: 100,
    });
    // Red: closed after 6 hours of handling, signed after half an hour, else new.
    // Posted over HTTP, they arrived now (late reports, not replayed history): judged by age.
    expect(done).toEqual({ closed: 1, signed: 1, new: 1, replayed: 0, steps: 0 });
    const all = [...(await t.server.alerts.list('62', 'open')), ...(await t.server.alerts.list('62', 'closed'))];
    const state = (caseId: string) => all.find((a) => a.caseId === caseId)?.state;
    expect([state('hist-old'), state('hist-hours'), state('hist-now')]).toEqual(['closed', 'acknowledged', 'new']);
    const old = all.find((a) => a.caseId === 'hist-old')!;
    const history = (await t.server.alerts.store.detail(old.id))!.history;
    expect(history.filter((h) => h.by === HISTORY_ACTOR).map((h) => h.action)).toEqual(['ack', 'resolve', 'close']);
  });

  it('acts at once on what is raised so far when told not to wait, however busy the stream', async () => {
    const posted = await t.postEvents([threat('hist-busy', 30, '620702001001')]);
    expect(posted.body, JSON.stringify(posted.body)).toMatchObject({ accepted: 1 });
    const raised = async () => (await t.server.alerts.list('62', 'open')).some((a) => a.caseId === 'hist-busy');
    for (let i = 0; i < 100 && !(await raised()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await raised()).toBe(true);
    const started = Date.now();
    // A stream that never rests: without noWait this pass would poll for two minutes first.
    const done = await settleHistory({
      alerts: t.server.alerts,
      drained: async () => false,
      root: '62',
      now: () => Date.now(),
      logger: createLogger('silent', false),
      stopped: () => false,
      pollMs: 100,
      noWait: true,
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(done.closed).toBe(1);
    const closed = await t.server.alerts.list('62', 'closed');
    expect(closed.some((a) => a.caseId === 'hist-busy')).toBe(true);
  }, 60_000);
});
