/**
 * Alerts of replayed history (issue 16): an event the simulator's backfill hands over with the
 * moment its system delivered it (last month) raises its alert as of that moment: created then,
 * counted in that month's 督办考核, never in the sign timer. The simulator's desks then take each
 * one through the steps they had taken by now, each at its own time after creation; last month's
 * 通报 lists the red alerts with how they ended and the assessment has real 签收/办结 figures. A
 * second settling and a re-sent history (a restart) change nothing. A live event's alert is still
 * created now and escalates on its timer as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { createLogger } from '../../server/log.ts';
import { HISTORY_ACTOR, HISTORY_DEPARTMENT_ACTOR, settleHistory } from '../../server/simulator/settle-history.ts';
import { lastMonthStart } from '../../server/simulator/older-history.ts';
import { buckets } from '../../server/time/beijing.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const DAY = 86_400_000;
const MIN = 60_000;
let t: TestServer;
let token: string;
const from = lastMonthStart(Date.now());
const month = buckets(from).month;
const monthParam = `${month.slice(0, 4)}-${month.slice(4)}`;

/** A threat to kill (red 命案风险) in a dispute of last month, delivered 3 minutes after it happened. */
const REGIONS = ['620702001001', '620102003004', '620502001002', '621002002001'];
const history = Array.from({ length: 16 }, (_, i) => {
  const occurred = from + (1 + i) * DAY + (i % 5) * 3 * 3600_000;
  return {
    raw: {
      id: `hist-threat-${i}`,
      caseId: `hist-case-${i}`,
      kind: 'dispute',
      category: 'family',
      status: 'received',
      severity: 3,
      region: REGIONS[i % REGIONS.length]!,
      occurredAt: new Date(occurred).toISOString(),
      channel: 'grid',
      summary: '扬言持刀报复',
      riskMarkers: ['kill_threat', 'weapon'],
    },
    receivedAt: occurred + 3 * MIN,
  };
});

const allAlerts = async (): Promise<AlertView[]> =>
  (await Promise.all((['open', 'resolved', 'closed'] as const).map((b) => t.server.alerts.list('62', b, 1000)))).flat();
const histories = async (ids: string[]) =>
  Promise.all(ids.map(async (id) => (await t.server.alerts.store.detail(id))!.history));

const settle = () =>
  settleHistory({
    alerts: t.server.alerts,
    drained: t.server.drained,
    departments: t.server.departments,
    rules: t.server.rules,
    root: '62',
    now: () => Date.now(),
    logger: createLogger('silent', false),
    stopped: () => false,
    pollMs: 100,
  });

const sendHistory = () =>
  t.server.ingest(
    history.map((h) => h.raw),
    'simulator.grid.6207',
    { receivedAt: history.map((h) => h.receivedAt), replayed: true },
  );

beforeAll(async () => {
  t = await startTestServer();
  token = await t.userToken('ha-province', 'commander', '62');
});
afterAll(async () => t?.stop());

describe('alerts of replayed history', () => {
  it('are created at their event’s arrival, in its month, outside the sign timer; a live one at now', async () => {
    expect((await sendHistory()).accepted).toBe(history.length);
    const live = await t.postEvents([
      {
        ...history[0]!.raw,
        id: 'live-threat',
        caseId: 'live-case',
        occurredAt: new Date(Date.now() - 2 * MIN).toISOString(),
      },
    ]);
    expect(live.body).toMatchObject({ accepted: 1 });
    // A live report received an hour ago and read only now (a backlog after a stall): not history.
    const late = await t.server.ingest(
      [
        {
          ...history[1]!.raw,
          id: 'late-threat',
          caseId: 'late-case',
          occurredAt: new Date(Date.now() - 65 * MIN).toISOString(),
        },
      ],
      'police_110',
      { receivedAt: [Date.now() - 60 * MIN] },
    );
    expect(late.accepted).toBe(1);
    const alerts = await until('every alert raised', async () => {
      const a = await allAlerts();
      return a.length === history.length + 2 && a;
    });
    for (const h of history) {
      const a = alerts.find((x) => x.caseId === h.raw.caseId)!;
      expect(a.level).toBe('red');
      expect(Date.parse(a.createdAt)).toBe(h.receivedAt);
      expect(await t.server.alerts.store.replayed(a.id)).toBe(true);
      // Outside the sign timer: the escalation sweep never sees it, though its deadline is long past.
      expect(await t.server.redis.zscore('pa:{62}:aldue', a.id)).toBeNull();
      expect(Date.parse(a.signBy!)).toBe(h.receivedAt + 5 * MIN);
    }
    expect(await t.server.redis.zcard(`pa:{62}:alm:62:${month}`)).toBe(history.length);
    const l = alerts.find((x) => x.caseId === 'live-case')!;
    expect(Math.abs(Date.parse(l.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(await t.server.alerts.store.replayed(l.id)).toBe(false);
    expect(await t.server.redis.zscore('pa:{62}:aldue', l.id)).not.toBeNull();
    const b = alerts.find((x) => x.caseId === 'late-case')!;
    expect(Math.abs(Date.parse(b.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(await t.server.alerts.store.replayed(b.id)).toBe(false);
    expect(await t.server.redis.zscore('pa:{62}:aldue', b.id)).not.toBeNull();
  }, 90_000);

  it('are settled by the simulated desks at plausible past times, into last month’s 通报 and 考核', async () => {
    const done = await settle();
    expect(done.replayed).toBe(history.length);
    expect(done.steps).toBeGreaterThanOrEqual(history.length * 4);
    const alerts = (await allAlerts()).filter((a) => a.caseId?.startsWith('hist-'));
    const hist = await histories(alerts.map((a) => a.id));
    const states = alerts.map((a) => a.state);
    expect(states.filter((s) => s === 'closed').length).toBeGreaterThanOrEqual(history.length - 3);
    alerts.forEach((a, i) => {
      const steps = hist[i]!;
      const created = Date.parse(a.createdAt);
      // Every step after creation, in order, by the simulator's desk or departments, none at "now".
      for (let j = 1; j < steps.length; j++) {
        expect(Date.parse(steps[j]!.at)).toBeGreaterThanOrEqual(Date.parse(steps[j - 1]!.at));
        expect([HISTORY_ACTOR, HISTORY_DEPARTMENT_ACTOR]).toContain(steps[j]!.by);
      }
      expect(Date.parse(steps.at(-1)!.at)).toBeLessThan(created + 10 * DAY);
      expect(steps[0]!.action).toBe('create');
      expect(steps.map((s) => s.action)).not.toContain('escalate');
      // Red alerts are dispatched: each department reported in and fed back before 办结.
      if (a.state === 'closed') {
        expect(steps.map((s) => s.action)).toEqual(
          expect.arrayContaining(['ack', 'dispatch', 'checkin', 'feedback', 'resolve', 'close']),
        );
        expect(a.departments?.every((d) => d.checkedInAt && d.feedback)).toBe(true);
      }
    });

    // 督办考核 of last month: every one of them counted for 签收 and 办结, some late.
    const r = await fetch(`${t.url}/api/v1/assessment/62?month=${monthParam}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const a = (await r.json()) as AssessmentReply;
    expect(a.own.figures.signOnTime).toMatchObject({ den: history.length });
    expect(a.own.figures.resolveOnTime?.den).toBe(history.length);
    const sign = a.own.figures.signOnTime!;
    expect(sign.num).toBeGreaterThan(history.length / 2);
    // The 通报 of last month: its red alerts, how each ended.
    const html = await (
      await fetch(`${t.url}/api/v1/reports/monthly/62?month=${monthParam}&format=html`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    expect(html).toContain(`本月生成红色预警${history.length}条`);
    expect(html).toContain('按时签收');
    expect(html).not.toContain('本月未生成红色预警');
  }, 90_000);

  it('is neither redone nor doubled by a second settling or a re-sent history (a restart)', async () => {
    const before = (await allAlerts()).filter((a) => a.caseId?.startsWith('hist-'));
    const lengths = (await histories(before.map((a) => a.id))).map((h) => h.length);
    expect((await sendHistory()).duplicates).toBe(history.length);
    await until('drained', () => t.server.drained());
    const again = await settle();
    expect(again.steps).toBe(0);
    const after = (await allAlerts()).filter((a) => a.caseId?.startsWith('hist-'));
    expect(after.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
    expect((await histories(before.map((a) => a.id))).map((h) => h.length)).toEqual(lengths);
    // The escalation timer has nothing of them.
    const due = await t.server.redis.zrange('pa:{62}:aldue', '0', '-1');
    expect(due.filter((id) => before.some((a) => a.id === id))).toEqual([]);
  }, 90_000);
});
