import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import type { AlertDetail } from '../../../shared/alert-machine.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

const NOW = Date.now();
const clock = new ManualClock(NOW);
let t: TestServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer({ clock });
  const users: [string, 'wall' | 'duty' | 'commander' | 'admin', string][] = [
    ['wall62', 'wall', '62'],
    ['county', 'duty', '620702'],
    ['town', 'duty', '620702001'],
    ['lanzhou', 'duty', '620102'],
    ['cityboss', 'commander', '6207'],
  ];
  for (const [u, role, region] of users) tokens[u] = await t.userToken(u, role, region);
});
afterAll(async () => t?.stop());

/** What the alert routes answer, loosely: each test reads the part it checks. */
interface Reply {
  alert?: AlertView;
  alerts?: AlertView[];
  silences?: unknown[];
  error?: {
    code: string;
    message: string;
    details?: { errors?: string[]; signedBy?: string; state?: string; unreported?: string[] };
  };
}

async function call(
  method: string,
  path: string,
  who?: string,
  body?: unknown,
): Promise<{ status: number; body: Reply }> {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Reply) };
}

let n = 0;
/** Posts a dispute with a weapon through ingest and waits for its alert. */
async function weaponAlert(region = '620702001001'): Promise<AlertView> {
  const caseId = `rt-case-${++n}`;
  const posted = await t.postEvents([
    {
      id: `rt-${n}`,
      caseId,
      kind: 'dispute',
      category: 'family',
      status: 'received',
      severity: 2,
      region,
      occurredAt: new Date(clock.now() - 60_000).toISOString(),
      channel: 'grid',
      summary: '邻居反映夫妻争吵，一方持刀',
      riskMarkers: ['weapon'],
    },
  ]);
  expect(posted.body).toMatchObject({ accepted: 1 });
  const end = Date.now() + 5000;
  for (;;) {
    const a = (await call('GET', `/alerts?region=${region.slice(0, 4)}`, 'cityboss')).body.alerts?.find(
      (x) => x.caseId === caseId,
    );
    if (a) return a;
    if (Date.now() > end) throw new Error(`no alert for ${caseId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('alert routes: roles and scope', () => {
  it('lets a wall read alerts of its area but not act on them', async () => {
    const a = await weaponAlert();
    expect((await call('GET', '/alerts?region=620702', 'wall62')).status).toBe(200);
    const d = await call('GET', `/alerts/${a.id}`, 'wall62');
    expect(d.status).toBe(200);
    expect((d.body as unknown as AlertDetail).history[0]).toMatchObject({ action: 'create' });
    expect((d.body as unknown as AlertDetail).events[0]).toMatchObject({ caseId: a.caseId, riskMarkers: ['weapon'] });
    const r = await call('POST', `/alerts/${a.id}/ack`, 'wall62', {});
    expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('refuses readers and actors outside the alert’s area with out_of_scope', async () => {
    const a = await weaponAlert();
    expect((await call('GET', '/alerts?region=620702', 'lanzhou')).body).toMatchObject({
      error: { code: 'out_of_scope' },
    });
    expect((await call('GET', `/alerts/${a.id}`, 'lanzhou')).status).toBe(403);
    expect((await call('POST', `/alerts/${a.id}/ack`, 'lanzhou', {})).body).toMatchObject({
      error: { code: 'out_of_scope' },
    });
    expect((await call('POST', `/alerts/${a.id}/note`, 'lanzhou', { note: '看看' })).status).toBe(403);
    expect((await call('POST', `/alerts/${a.id}/ack`, undefined, {})).status).toBe(401);
  });

  it('lets duty officers of the area act, validates bodies and explains refusals', async () => {
    const a = await weaponAlert();
    const ack = await call('POST', `/alerts/${a.id}/ack`, 'town', { note: '收到' });
    expect(ack).toMatchObject({ status: 200, body: { alert: { state: 'acknowledged', signedBy: 'town' } } });
    const second = await call('POST', `/alerts/${a.id}/ack`, 'county', {});
    expect(second).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: { signedBy: 'town' } } } });
    expect((await call('POST', `/alerts/${a.id}/dispatch`, 'town', { departments: [] })).body).toMatchObject({
      error: { code: 'bad_request', details: { errors: [expect.stringMatching(/^departments/)] } },
    });
    expect((await call('POST', `/alerts/${a.id}/resolve`, 'town', {})).body.error?.details?.errors?.[0]).toMatch(
      /^note/,
    );
    expect((await call('POST', `/alerts/${a.id}/close`, 'town', {})).body).toMatchObject({
      error: { code: 'illegal_transition', details: { state: 'acknowledged' } },
    });
    expect((await call('POST', `/alerts/${a.id}/dispatch`, 'town', { departments: ['派出所', '妇联'] })).status).toBe(
      200,
    );
    expect(
      (await call('POST', `/alerts/${a.id}/checkin`, 'town', { department: '妇联' })).body.alert?.departments?.[1],
    ).toMatchObject({ name: '妇联', checkedInBy: 'town' });
    expect((await call('POST', `/alerts/${a.id}/frobnicate`, 'town', {})).status).toBe(404);
    // Every action is in the tamper-evident trail as well as in the alert's own history.
    const trail = await t.server.audit.recent({ within: '620702' });
    expect(trail.filter((e) => e.target === a.id).map((e) => `${e.actor}:${e.action}`)).toEqual([
      'town:alert.checkin',
      'town:alert.dispatch',
      'town:alert.ack',
    ]);
  });

  it('refuses 办结 while dispatched departments have not checked in, naming them, unless a reason is given', async () => {
    const a = await weaponAlert();
    await call('POST', `/alerts/${a.id}/ack`, 'town', {});
    await call('POST', `/alerts/${a.id}/dispatch`, 'town', { departments: ['派出所', '妇联', '司法所'] });
    await call('POST', `/alerts/${a.id}/checkin`, 'town', { department: '妇联' });
    const refused = await call('POST', `/alerts/${a.id}/resolve`, 'town', { note: '已调解' });
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', details: { unreported: ['派出所', '司法所'] } } },
    });
    expect(refused.body.error?.message).toContain('派出所、司法所');
    const forced = await call('POST', `/alerts/${a.id}/resolve`, 'town', {
      note: '已调解',
      override: '派出所警力在外，电话确认已到场',
    });
    expect(forced).toMatchObject({ status: 200, body: { alert: { state: 'resolved' } } });
    const d = (await call('GET', `/alerts/${a.id}`, 'town')).body as unknown as AlertDetail;
    expect(d.history.at(-1)).toMatchObject({
      action: 'resolve',
      note: '已调解',
      override: '派出所警力在外，电话确认已到场',
      departments: ['派出所', '司法所'],
    });
  });

  it('finds closed alerts by region, rule and day, within the caller’s area', async () => {
    const a = await weaponAlert('620702001001');
    await call('POST', `/alerts/${a.id}/ack`, 'town', {});
    await call('POST', `/alerts/${a.id}/resolve`, 'town', { note: '已处置' });
    await call('POST', `/alerts/${a.id}/close`, 'county', {});
    const day = a.createdAt.slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
    const ids = async (q: string, who = 'county') =>
      ((await call('GET', `/alerts?state=closed&${q}`, who)).body.alerts ?? []).map((x) => x.id);
    expect(await ids(`region=620702001&rule=homicide_risk&from=${day}&to=${day}`)).toContain(a.id);
    expect(await ids(`region=620702001&rule=spike`)).not.toContain(a.id);
    expect(await ids(`region=620702002`)).not.toContain(a.id);
    expect(await ids(`region=620702&from=${next}`)).not.toContain(a.id);
    expect(await ids(`region=620702&to=${day}`)).toContain(a.id);
    expect((await call('GET', `/alerts?state=closed&from=2026-13-01`, 'county')).status).toBe(400);
    expect((await call('GET', `/alerts?state=closed&region=620102`, 'county')).status).toBe(403);
  });

  it('lets only a level above the desk mark 督办', async () => {
    const a = await weaponAlert();
    // Its own desk: refused with a code of its own (issue 15).
    expect((await call('POST', `/alerts/${a.id}/supervise`, 'town', {})).body).toMatchObject({
      error: { code: 'own_desk' },
    });
    expect((await call('POST', `/alerts/${a.id}/supervise`, 'cityboss', { note: '市里督办' })).body).toMatchObject({
      alert: { supervised: true },
    });
  });

  it('lets exactly one of two officers signing at once win, over HTTP', async () => {
    const a = await weaponAlert();
    const [x, y] = await Promise.all([
      call('POST', `/alerts/${a.id}/ack`, 'town', {}),
      call('POST', `/alerts/${a.id}/ack`, 'county', {}),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const winner = x.status === 200 ? 'town' : 'county';
    expect((x.status === 409 ? x : y).body.error?.details?.signedBy).toBe(winner);
  });

  it('lets commanders silence a rule for their area, with a reason and an expiry', async () => {
    expect(
      (await call('POST', '/silences', 'county', { rule: 'cluster', region: '620702', reason: '演练', minutes: 60 }))
        .status,
    ).toBe(403);
    expect(
      (await call('POST', '/silences', 'cityboss', { rule: 'cluster', region: '620102', reason: '演练', minutes: 60 }))
        .status,
    ).toBe(403);
    const s = await call('POST', '/silences', 'cityboss', {
      rule: 'cluster',
      region: '620702',
      reason: '演练',
      minutes: 60,
    });
    expect(s).toMatchObject({ status: 201, body: { silence: { rule: 'cluster', region: '620702', by: 'cityboss' } } });
    expect((await call('GET', '/silences?region=620702001', 'town')).body.silences).toHaveLength(1);
    expect((await call('DELETE', '/silences/cluster/620702', 'cityboss')).status).toBe(204);
  });
});

describe('automatic escalation', () => {
  it('puts a red alert nobody signed within 5 minutes on the parent desk’s list', async () => {
    const a = await weaponAlert('620702001001');
    expect(a.desk).toBe('620702001');
    const deskList = async () =>
      ((await call('GET', '/alerts?desk=620702', 'county')).body.alerts ?? []).map((x) => x.id);
    expect(await deskList()).not.toContain(a.id);
    clock.advance(4 * 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await deskList()).not.toContain(a.id);
    clock.advance(2 * 60_000);
    const end = Date.now() + 5000;
    while (!(await deskList()).includes(a.id) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(await deskList()).toContain(a.id);
    const d = (await call('GET', `/alerts/${a.id}`, 'county')).body as unknown as AlertDetail;
    expect(d.alert).toMatchObject({ state: 'escalated', desk: '620702' });
    expect(d.history.at(-1)).toMatchObject({
      action: 'escalate',
      by: 'system',
      from: 'new',
      to: 'escalated',
      desk: '620702',
    });
    // The county signs it now, and the clock stops.
    expect((await call('POST', `/alerts/${a.id}/ack`, 'county', {})).status).toBe(200);
  });
});
