/**
 * 中心吹哨、部门报到 under the national root (REGION_ROOT=00 over 甘肃 and 广东): each province's
 * departments are its own registry's; a department user sees and acts on its own department's
 * tasks only, never another province's (403 with the reason, over HTTP and the socket); a national
 * admin registers national departments, a province admin may not; and the nation's 督办考核 and
 * 通报 show its provinces' departments summed per province and ranked among the provinces.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { regionsWith } from '../helpers/provinces.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { openSocket, subscribe, type TestSocket } from '../helpers/socket.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Department, Task } from '../../shared/schemas/department.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';

const PROVINCES = ['44', '62'];
let dir: string;
let tree: RegionTree;
let t: TestServer;
const tokens: Record<string, string> = {};
/** One red alert per province, dispatched by its desk to that province's 公安. */
const alerts: Record<string, AlertView> = {};

interface Reply {
  alert?: AlertView;
  alerts?: AlertView[];
  tasks?: Task[];
  departments?: Department[];
  department?: Department;
  error?: { code: string; message: string; details?: { errors?: string[] } };
}

async function call(method: string, path: string, who: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Reply, text };
}

async function departmentUser(username: string, region: string, department: string): Promise<void> {
  const password = `pw-${username}-12345`;
  const r = await call('POST', '/users', 'nation-admin', {
    username,
    password,
    role: 'department',
    region,
    department,
  });
  expect(r.status, r.text).toBe(201);
  tokens[username] = await t.login(username, password);
}

/** A village of the province whose name is not a placeholder. */
function villageOf(province: string): string {
  let c = province;
  while (c.length < 12) c = tree.children(c).find((k) => !/虚拟/.test(k.name))!.code;
  return c;
}

async function waitFor<T>(read: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = regionsWith(PROVINCES);
  tree = await loadRegionTree('00', dir, PROVINCES);
  t = await startTestServer({ tree, env: { PROVINCES: PROVINCES.join(','), AGGREGATOR: 'inline' } });
  tokens['nation-admin'] = await t.login('admin', t.adminPassword);
  tokens['nation-duty'] = await t.userToken('nation-duty', 'duty', '00');
  tokens['nation-commander'] = await t.userToken('nation-commander', 'commander', '00');
  tokens['gansu-admin'] = await t.userToken('gansu-admin', 'admin', '62');
  tokens['gansu-commander'] = await t.userToken('gansu-commander', 'commander', '62');
  await departmentUser('gd-police', '44', 'dep-44-police');
  await departmentUser('gs-police', '62', 'dep-62-police');
  for (const p of PROVINCES) {
    const id = `nd-${p}`;
    const res = await t.postEvents([killThreatDispute(id, { region: villageOf(p) })]);
    expect(res.status).toBe(200);
    alerts[p] = await waitFor(async () =>
      (await call('GET', `/alerts?region=${p}`, 'nation-duty')).body.alerts?.find((a) => a.caseId === `${id}-case`),
    );
    // The alert's own desk acts on it (a higher desk supervises); its province's 公安 is callable there.
    const desk = `desk-${p}`;
    tokens[desk] = await t.userToken(desk, 'duty', alerts[p]!.desk);
    const ack = await call('POST', `/alerts/${alerts[p]!.id}/ack`, desk, {});
    expect(ack.status, ack.text).toBe(200);
    const d = await call('POST', `/alerts/${alerts[p]!.id}/dispatch`, desk, {
      departments: [`dep-${p}-police`],
    });
    expect(d.status, d.text).toBe(200);
    alerts[p] = d.body.alert!;
  }
}, 180_000);

afterAll(async () => {
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a province’s departments under the national root', () => {
  it('are that province’s own registry, callable by its desks; the nation has none built in', async () => {
    const gd = await call('GET', '/departments?region=4401', 'nation-commander');
    expect(gd.status).toBe(200);
    const ids = gd.body.departments!.map((d) => d.id);
    expect(ids).toContain('dep-4401-police');
    expect(ids).toContain('dep-44-police');
    expect(ids.some((id) => id.startsWith('dep-62'))).toBe(false);
    expect((await call('GET', '/departments?region=00', 'nation-commander')).body.departments).toEqual([]);
  });

  it('gives a department user its own tasks only, never another province’s', async () => {
    const gd = await call('GET', '/tasks', 'gd-police');
    expect(gd.status).toBe(200);
    expect(gd.body.tasks!.map((x) => x.alert.id)).toEqual([alerts['44']!.id]);
    const gs = await call('GET', '/tasks', 'gs-police');
    expect(gs.body.tasks!.map((x) => x.alert.id)).toEqual([alerts['62']!.id]);
  });

  it('refuses a department user another province’s task, registry and regions, with the reason', async () => {
    const other = alerts['62']!.id;
    const cases: [string, string, unknown, string, RegExp][] = [
      ['GET', `/alerts/${other}`, undefined, 'out_of_scope', /outside your area/],
      ['POST', `/alerts/${other}/checkin`, {}, 'out_of_scope', /outside your area/],
      ['POST', `/alerts/${other}/feedback`, { text: '已处置', result: 'handled' }, 'out_of_scope', /outside your area/],
      ['POST', `/alerts/${other}/assist`, { text: '请求协办' }, 'out_of_scope', /outside your area/],
      [
        'POST',
        `/alerts/${alerts['44']!.id}/checkin`,
        { department: 'dep-62-police' },
        'not_your_department',
        /acts for itself only/,
      ],
      ['GET', '/departments?region=62', undefined, 'out_of_scope', /62/],
      ['GET', '/departments?region=00', undefined, 'out_of_scope', /00/],
      ['GET', '/alerts?region=62', undefined, 'forbidden', /department/],
    ];
    const wrong: string[] = [];
    for (const [method, path, body, code, why] of cases) {
      const r = await call(method, path, 'gd-police', body);
      if (r.status !== 403 || r.body.error?.code !== code || !why.test(r.body.error?.message ?? ''))
        wrong.push(`${method} ${path}: ${r.status} ${r.text}`);
    }
    expect(wrong).toEqual([]);
    // Nothing changed on the other province's alert.
    const seen = (await call('GET', `/alerts/${other}`, 'nation-duty')).body.alert!;
    expect(seen.departments?.[0]?.checkedInAt).toBeUndefined();
  });

  it('hears only its own tasks over the socket and subscribes to no region', async () => {
    const gd: TestSocket = await openSocket(t.url, { token: tokens['gd-police']! });
    const gs: TestSocket = await openSocket(t.url, { token: tokens['gs-police']! });
    try {
      for (const code of ['00', '44', '62']) {
        const r = await subscribe(gd, code);
        expect(r.ok ? 'ok' : r.error.code, code).toBe('out_of_scope');
      }
      const heard: Record<string, string[]> = { gd: [], gs: [] };
      gd.on('alert', (a: AlertView) => heard.gd!.push(a.id));
      gs.on('alert', (a: AlertView) => heard.gs!.push(a.id));
      // The 甘肃 department reports in: the alert change reaches 甘肃's room, not 广东's.
      expect((await call('POST', `/alerts/${alerts['62']!.id}/checkin`, 'gs-police', {})).status).toBe(200);
      await waitFor(async () => heard.gs!.includes(alerts['62']!.id) || undefined, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(heard.gd).toEqual([]);
    } finally {
      gd.close();
      gs.close();
    }
  });

  it('binds a department account only to a department its region may call', async () => {
    const r = await call('POST', '/users', 'nation-admin', {
      username: 'gs-as-gd',
      password: 'password-12345',
      role: 'department',
      region: '62',
      department: 'dep-44-police',
    });
    expect(r.status).toBe(400);
    expect(r.body.error?.details?.errors?.[0]).toMatch(/^department: not in the registry of region 62/);
  });
});

describe('national departments', () => {
  it('are registered by a national admin only, and called by every desk of the country', async () => {
    const refused = await call('POST', '/departments', 'gansu-admin', { region: '00', name: '国家信访局' });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('out_of_scope');
    const made = await call('POST', '/departments', 'nation-admin', { region: '00', name: '国家信访局' });
    expect(made.status).toBe(201);
    const id = made.body.department!.id;
    expect(id).toMatch(/^dep-00-/);
    for (const desk of ['00', '62', '4401']) {
      const ids = (await call('GET', `/departments?region=${desk}`, 'nation-commander')).body.departments!.map(
        (d) => d.id,
      );
      expect(ids, desk).toContain(id);
    }
    // Its account sees no province's task.
    await departmentUser('nation-petition', '00', id);
    expect((await call('GET', '/tasks', 'nation-petition')).body.tasks).toEqual([]);
    // The nation's area holds the alert; the department was not given it.
    const notMine = await call('GET', `/alerts/${alerts['44']!.id}`, 'nation-petition');
    expect(notMine.status).toBe(403);
    expect(notMine.body.error?.code).toBe('not_your_task');
  });
});

describe('the nation’s 职能部门 in the 督办考核 and the 通报', () => {
  it('sums each province’s departments and ranks the provinces; a province’s reply sums its cities’', async () => {
    // 广东's department reports in and feeds back; 甘肃's reported in (above) and owes its feedback.
    expect((await call('POST', `/alerts/${alerts['44']!.id}/checkin`, 'gd-police', {})).status).toBe(200);
    const fb = await call('POST', `/alerts/${alerts['44']!.id}/feedback`, 'gd-police', {
      text: '已控制持刀人员',
      result: 'handled',
    });
    expect(fb.status, fb.text).toBe(200);
    // The first read of the nation's assessment here (a live one is kept a minute).
    const r = await call('GET', '/assessment/00', 'nation-commander');
    expect(r.status).toBe(200);
    const reply = r.body as unknown as AssessmentReply;
    const rows = reply.departmentsByChild!;
    expect(rows.map((x) => x.code)).toEqual(PROVINCES);
    const gd = rows.find((x) => x.code === '44')!;
    const gs = rows.find((x) => x.code === '62')!;
    expect(gd.departments).toBe(1);
    expect(gs.departments).toBe(1);
    expect(gd.name).toBe('广东省');
    expect(gd.figures.checkinOnTime).toMatchObject({ num: 1, den: 1 });
    expect(gd.figures.feedbackRate).toMatchObject({ num: 1, den: 1 });
    // 甘肃's reported in on time; its feedback is owed, not late, while the alert is open.
    expect(gs.figures.checkinOnTime).toMatchObject({ num: 1, den: 1 });
    expect(gs.figures.feedbackRate).toMatchObject({ num: 0, den: 0 });
    // The national row carries the country's own departments: the one registered above.
    expect(reply.departments.every((d) => d.id.startsWith('dep-00-'))).toBe(true);
    const province = (await call('GET', '/assessment/62', 'nation-commander')).body as unknown as AssessmentReply;
    // 甘肃's task went to the province's own 公安局: its cities' departments did none of it.
    expect(province.departmentsByChild!.map((c) => c.code)).toEqual(province.desks.map((d) => d.code));
    expect(province.departmentsByChild!.every((c) => c.departments === 0)).toBe(true);
    expect(province.departments.map((d) => d.id)).toContain('dep-62-police');
  });

  it('prints the provinces’ departments in the nation’s 通报', async () => {
    const month = (await call('GET', '/assessment/00', 'nation-commander')).body as unknown as AssessmentReply;
    const r = await call('GET', `/reports/monthly/00?month=${month.month}`, 'nation-commander');
    expect(r.status).toBe(200);
    expect(r.text).toContain('各省（区、市）职能部门');
    expect(r.text).toContain('广东省');
    expect(r.text).toContain('甘肃省');
    const gs = await call('GET', `/reports/monthly/62?month=${month.month}`, 'gansu-commander');
    expect(gs.text).not.toContain('各省（区、市）职能部门');
    expect(gs.text).toContain('各市（州）职能部门');
    expect(gs.text).toContain('公安局');
  });
});
