import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import type { AlertDetail } from '../../../shared/alert-machine.ts';
import type { Department, Task } from '../../../shared/schemas/department.ts';
import type { SupervisionItem } from '../../../shared/schemas/supervision.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { openSocket, subscribe, type TestSocket } from '../../helpers/socket.ts';

/**
 * 中心吹哨、部门报到 end to end (issue 15): registry departments, department accounts, report-in
 * deadlines by level (a simulated clock), feedback, 办结 and 核验, and 挂牌督办 with a deadline.
 */

const NOW = Date.now();
const clock = new ManualClock(NOW);
let t: TestServer;
const tokens: Record<string, string> = {};
const sockets: TestSocket[] = [];
const MIN = 60_000;

interface Reply {
  alert?: AlertView;
  alerts?: AlertView[];
  tasks?: Task[];
  departments?: Department[];
  department?: Department;
  items?: SupervisionItem[];
  error?: { code: string; message: string; details?: { errors?: string[] } };
}

async function call(method: string, path: string, who?: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Reply };
}

async function departmentUser(username: string, region: string, department: string): Promise<void> {
  const password = `pw-${username}-12345`;
  const r = await call('POST', '/users', 'admin', { username, password, role: 'department', region, department });
  expect(r.status).toBe(201);
  tokens[username] = await t.login(username, password);
}

let n = 0;
/** A dispute with a weapon through ingest: a red alert at the township desk 620702001. */
async function redAlert(): Promise<AlertView> {
  const caseId = `dp-case-${++n}`;
  await t.postEvents([
    {
      id: `dp-${n}`,
      caseId,
      kind: 'dispute',
      category: 'family',
      status: 'received',
      severity: 2,
      region: '620702001001',
      occurredAt: new Date(clock.now() - MIN).toISOString(),
      channel: 'grid',
      summary: '邻居反映夫妻争吵，一方持刀',
      riskMarkers: ['weapon'],
    },
  ]);
  return waitFor(async () =>
    (await call('GET', '/alerts?region=620702', 'county')).body.alerts?.find((a) => a.caseId === caseId),
  );
}

async function waitFor<T>(read: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dept = (a: AlertView | undefined, id: string) => a?.departments?.find((d) => d.id === id || d.name === id);

beforeAll(async () => {
  t = await startTestServer({ clock });
  tokens.admin = await t.login('admin', t.adminPassword);
  tokens.county = await t.userToken('dp-county', 'duty', '620702');
  tokens.town = await t.userToken('dp-town', 'duty', '620702001');
  tokens.city = await t.userToken('dp-city', 'commander', '6207');
  await departmentUser('dp-police', '620702', 'dep-620702-police');
  await departmentUser('dp-justice', '620702', 'dep-620702-justice');
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('the department registry', () => {
  it('lists a township desk’s own default departments and those of its county and above', async () => {
    const r = await call('GET', '/departments?region=620702001', 'town');
    expect(r.status).toBe(200);
    const ids = r.body.departments!.map((d) => d.id);
    expect(ids).toContain('dep-620702001-justice');
    expect(ids).toContain('dep-620702-police');
    expect(ids.indexOf('dep-620702001-justice')).toBeLessThan(ids.indexOf('dep-620702-police'));
    expect(r.body.departments!.find((d) => d.id === 'dep-620702-police')).toMatchObject({
      name: '公安局',
      region: '620702',
      builtin: true,
    });
  });

  it('lets an admin add a department, which desks below then see, and names a bad field', async () => {
    const r = await call('POST', '/departments', 'admin', {
      region: '620702',
      name: '退役军人事务局',
      contact: '0936-1234567',
    });
    expect(r.status).toBe(201);
    expect(r.body.department!.id).toMatch(/^dep-/);
    const listed = await call('GET', '/departments?region=620702001', 'town');
    expect(listed.body.departments!.map((d) => d.name)).toContain('退役军人事务局');
    const bad = await call('POST', '/departments', 'admin', { region: '620702', name: '' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('name');
    expect((await call('POST', '/departments', 'county', { region: '620702', name: 'x' })).status).toBe(403);
  });

  it('refuses a department account for a department not in its region’s registry', async () => {
    const r = await call('POST', '/users', 'admin', {
      username: 'dp-ghost',
      password: 'password-123',
      role: 'department',
      region: '620702',
      department: 'dep-620102-police',
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain('department');
  });
});

describe('中心吹哨、部门报到', () => {
  it('takes an alert from dispatch to two departments through late report-in, feedback, 办结 and 核验', async () => {
    const desk = await openSocket(t.url, { token: tokens.county! });
    const police = await openSocket(t.url, { token: tokens['dp-police']! });
    sockets.push(desk, police);
    await subscribe(desk, '620702');
    const deskSaw: AlertView[] = [];
    const policeSaw: AlertView[] = [];
    desk.on('alert', (a) => deskSaw.push(a));
    police.on('alert', (a) => policeSaw.push(a));

    const a = await redAlert();
    expect(a.level).toBe('red');
    expect((await call('POST', `/alerts/${a.id}/ack`, 'county', {})).status).toBe(200);
    const d = await call('POST', `/alerts/${a.id}/dispatch`, 'county', {
      departments: ['dep-620702-police', '司法局'],
    });
    expect(d.status).toBe(200);
    const police0 = dept(d.body.alert, 'dep-620702-police');
    const justice0 = dept(d.body.alert, 'dep-620702-justice');
    expect(police0).toMatchObject({ name: '公安局' });
    expect(justice0).toMatchObject({ name: '司法局' });
    expect(justice0?.adhoc).toBeUndefined();
    // Red: 30 minutes to report in (rules file `reportMinutes`).
    expect(Date.parse(justice0!.reportBy!) - Date.parse(justice0!.dispatchedAt)).toBe(30 * MIN);

    for (const who of ['dp-police', 'dp-justice']) {
      const tasks = await call('GET', '/tasks?state=pending', who);
      expect(tasks.status).toBe(200);
      expect(tasks.body.tasks!.map((x) => x.alert.id)).toContain(a.id);
    }
    await waitFor(async () => policeSaw.find((x) => x.id === a.id));

    clock.advance(10 * MIN);
    expect((await call('POST', `/alerts/${a.id}/checkin`, 'dp-police', {})).status).toBe(200);
    expect((await call('GET', '/tasks?state=active', 'dp-police')).body.tasks!.map((x) => x.alert.id)).toContain(a.id);

    clock.advance(25 * MIN);
    const flagged = await waitFor(async () =>
      deskSaw.find((x) => x.id === a.id && dept(x, 'dep-620702-justice')?.lateAt),
    );
    expect(dept(flagged, 'dep-620702-police')?.lateAt).toBeUndefined();
    expect((await call('POST', `/alerts/${a.id}/checkin`, 'dp-justice', {})).status).toBe(200);

    expect(
      (await call('POST', `/alerts/${a.id}/feedback`, 'dp-police', { text: '已控制持刀人员', result: 'handled' }))
        .status,
    ).toBe(200);
    const fb = await call('POST', `/alerts/${a.id}/feedback`, 'dp-justice', { text: '已调解', result: 'partly' });
    expect(fb.status).toBe(200);
    expect(fb.body.alert!.departments!.every((x) => x.feedback)).toBe(true);
    expect((await call('GET', '/tasks?state=done', 'dp-justice')).body.tasks!.map((x) => x.alert.id)).toContain(a.id);

    expect((await call('POST', `/alerts/${a.id}/resolve`, 'county', { note: '已办结' })).status).toBe(200);
    expect((await call('POST', `/alerts/${a.id}/close`, 'county', {})).status).toBe(200);

    const detail = (await call('GET', `/alerts/${a.id}`, 'county')).body as unknown as AlertDetail;
    const steps = detail.history.map((h) => `${h.action}:${h.by}`);
    expect(steps).toEqual([
      'create:system',
      'ack:dp-county',
      'dispatch:dp-county',
      'checkin:dp-police',
      'late:system',
      'checkin:dp-justice',
      'feedback:dp-police',
      'feedback:dp-justice',
      'resolve:dp-county',
      'close:dp-county',
    ]);
    const late = detail.history.find((h) => h.action === 'late')!;
    expect(late.departments).toEqual(['司法局']);
    expect(Date.parse(late.at)).toBe(NOW + 35 * MIN);
    expect(detail.history.find((h) => h.action === 'feedback' && h.by === 'dp-justice')).toMatchObject({
      text: '已调解',
      result: 'partly',
    });
  });

  it('refuses a department acting on a task it was not given, or for another department', async () => {
    const a = await redAlert();
    await call('POST', `/alerts/${a.id}/ack`, 'county', {});
    await call('POST', `/alerts/${a.id}/dispatch`, 'county', { departments: ['dep-620702-police'] });
    const notMine = await call('POST', `/alerts/${a.id}/checkin`, 'dp-justice', {});
    expect(notMine).toMatchObject({ status: 403, body: { error: { code: 'not_your_task' } } });
    const other = await call('POST', `/alerts/${a.id}/checkin`, 'dp-justice', { department: 'dep-620702-police' });
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'not_your_department' } } });
    const early = await call('POST', `/alerts/${a.id}/feedback`, 'dp-police', { text: '处置中', result: 'handled' });
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'not_checked_in' } } });
    const bad = await call('POST', `/alerts/${a.id}/feedback`, 'dp-police', { text: 'x', result: 'done' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('result');
    expect((await call('POST', `/alerts/${a.id}/assist`, 'dp-police', { text: '需要司法所协助' })).status).toBe(200);
    expect((await call('GET', '/alerts?region=620702', 'dp-police')).status).toBe(403);
    expect((await call('POST', `/alerts/${a.id}/ack`, 'dp-police', {})).status).toBe(403);
    const s = await openSocket(t.url, { token: tokens['dp-police']! });
    sockets.push(s);
    const ack = await s.emitWithAck('subscribe', '620702');
    expect(ack).toMatchObject({ ok: false, error: { code: 'out_of_scope' } });
  });

  it('lets a desk record a report-in and a feedback for an ad-hoc department, keeping the reason', async () => {
    const a = await redAlert();
    await call('POST', `/alerts/${a.id}/ack`, 'county', {});
    const d = await call('POST', `/alerts/${a.id}/dispatch`, 'county', { departments: ['供电公司'] });
    expect(dept(d.body.alert, '供电公司')).toMatchObject({ adhoc: true });
    const noReason = await call('POST', `/alerts/${a.id}/checkin`, 'county', {
      department: '供电公司',
      onBehalf: true,
    });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.error)).toContain('reason');
    const ci = await call('POST', `/alerts/${a.id}/checkin`, 'county', {
      department: '供电公司',
      onBehalf: true,
      reason: '电话报到',
    });
    expect(ci.status).toBe(200);
    expect(dept(ci.body.alert, '供电公司')?.checkinOnBehalf).toEqual({ reason: '电话报到' });
    const fb = await call('POST', `/alerts/${a.id}/feedback`, 'county', {
      department: '供电公司',
      onBehalf: true,
      reason: '电话反馈',
      text: '已恢复供电',
      result: 'handled',
    });
    expect(fb.status).toBe(200);
    const detail = (await call('GET', `/alerts/${a.id}`, 'county')).body as unknown as AlertDetail;
    expect(detail.history.find((h) => h.action === 'checkin')).toMatchObject({ onBehalf: true, reason: '电话报到' });
  });
});

describe('挂牌督办', () => {
  it('puts an overdue supervised alert first in the supervisor’s queue and lets only that level verify it', async () => {
    const a = await redAlert();
    const past = await call('POST', `/alerts/${a.id}/supervise`, 'city', {
      deadline: new Date(clock.now() - MIN).toISOString(),
      requirement: '三日内化解',
    });
    expect(past).toMatchObject({ status: 400, body: { error: { code: 'deadline_past' } } });
    const own = await call('POST', `/alerts/${a.id}/supervise`, 'town', { requirement: '尽快' });
    expect(own).toMatchObject({ status: 403, body: { error: { code: 'own_desk' } } });
    const s = await call('POST', `/alerts/${a.id}/supervise`, 'city', {
      deadline: new Date(clock.now() + 60 * MIN).toISOString(),
      requirement: '一小时内稳控',
    });
    expect(s.status).toBe(200);
    expect(s.body.alert!.supervision).toMatchObject({ region: '6207', requirement: '一小时内稳控', overdue: false });
    // Signed now, so the hour below does not also escalate it by the sign timer.
    expect((await call('POST', `/alerts/${a.id}/ack`, 'town', {})).status).toBe(200);

    const listed = await call('GET', '/supervision?region=6207', 'city');
    expect(listed.body.items!.find((i) => i.alert.id === a.id)).toMatchObject({
      overdue: false,
      state: 'acknowledged',
    });

    clock.advance(61 * MIN);
    const later = await call('GET', '/supervision?region=6207', 'city');
    expect(later.body.items![0]).toMatchObject({ overdue: true, requirement: '一小时内稳控' });
    const queue = await call('GET', '/alerts?desk=6207', 'city');
    expect(queue.body.alerts![0]).toMatchObject({ id: a.id, supervision: { overdue: true } });

    expect((await call('POST', `/alerts/${a.id}/resolve`, 'town', { note: '已稳控' })).status).toBe(200);
    const byTown = await call('POST', `/alerts/${a.id}/close`, 'town', {});
    expect(byTown).toMatchObject({ status: 403, body: { error: { code: 'supervisor_verifies' } } });
    expect((await call('POST', `/alerts/${a.id}/close`, 'city', {})).status).toBe(200);
  });
});
