import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/clock.ts';
import { problemsOfMonthFrom } from '../../../server/problems/month.ts';
import type { ProblemDetail, ProblemDigest, ProblemView } from '../../../shared/schemas/problem.ts';
import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import type { ProblemSupervisionItem } from '../../../shared/schemas/supervision.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { openSocket, subscribe, type TestSocket } from '../../helpers/socket.ts';

/**
 * 重点问题 · 降星销号 end to end through HTTP (issue 16): a problem of 3 stars, a milestone of weight
 * 2 done and verified (3 → 1), another one overdue on a simulated clock and flagged by the sweep,
 * 升星 with a reason and a new milestone, the last milestones verified down to 0 and 销号; every
 * refusal naming its field; scope; and the live events a wall and a department hear.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const clock = new ManualClock(Date.now());
let t: TestServer;
const tokens: Record<string, string> = {};
async function user(name: string, username: string, role: Parameters<TestServer['userToken']>[1], region: string) {
  tokens[name] = await t.userToken(username, role, region);
}
const sockets: TestSocket[] = [];

interface Reply {
  problem?: ProblemView;
  problems?: ProblemView[];
  history?: ProblemDetail['history'];
  items?: ProblemSupervisionItem[];
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

/** The fields a refusal names (`details.errors` as `field: message`). */
const fields = (r: { body: Reply }) => (r.body.error?.details?.errors ?? []).map((e) => e.split(':')[0]);

async function departmentUser(username: string, region: string, department: string): Promise<void> {
  const password = `pw-${username}-12345`;
  const r = await fetch(`${t.url}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, role: 'department', region, department }),
  });
  expect(r.status).toBe(201);
  tokens[username] = await t.login(username, password);
}

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const at = (ms: number) => new Date(clock.now() + ms).toISOString();
const POLICE = 'dep-620702-police';
const JUSTICE = 'dep-620702-justice';

const valid = () => ({
  region: '620702001',
  title: '梁家墩镇某村土地承包纠纷积案',
  description: '村民反映土地承包经营权确权遗留问题，多次到县信访。',
  stars: 3,
  lead: POLICE,
  partners: [JUSTICE],
  milestones: [
    { title: '摸排涉事农户并建立台账', deadline: at(2 * DAY), weight: 2 },
    { title: '组织司法所调解', deadline: at(2 * HOUR), weight: 1, owner: JUSTICE },
  ],
});

const digests: { region: string; digest: ProblemDigest }[] = [];
const policeHeard: ProblemView[] = [];

beforeAll(async () => {
  t = await startTestServer({ clock });
  tokens.admin = await t.login('admin', t.adminPassword);
  await user('county', 'pr-county', 'commander', '620702');
  await user('countyDuty', 'pr-county-duty', 'duty', '620702');
  await user('city', 'pr-city', 'commander', '6207');
  await user('other', 'pr-other', 'commander', '620102');
  await user('wall', 'pr-wall', 'wall', '620702');
  await departmentUser('pr-police', '620702', POLICE);
  await departmentUser('pr-justice', '620702', JUSTICE);
  await departmentUser('pr-hrss', '620702', 'dep-620702-hrss');

  const wall = await openSocket(t.url, { token: tokens.wall! });
  sockets.push(wall);
  wall.on('problems', (u) => digests.push(u));
  expect((await subscribe(wall, '620702')).ok).toBe(true);
  const police = await openSocket(t.url, { token: tokens['pr-police']! });
  sockets.push(police);
  police.on('problem', (p) => policeHeard.push(p));
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('a problem worked down star by star', () => {
  let id = '';

  it('registers a problem of 3 stars, which the wall and the lead department hear at once', async () => {
    const r = await call('POST', '/problems', 'county', valid());
    expect(r.status).toBe(201);
    const p = r.body.problem!;
    id = p.id;
    expect(p).toMatchObject({ stars: 3, starsAtStart: 3, state: 'open', desk: '620702', region: '620702001' });
    expect(p.lead).toEqual({ id: POLICE, name: '公安局' });
    expect(p.milestones.map((m) => [m.n, m.weight, m.owner.id, m.state])).toEqual([
      [1, 2, POLICE, 'open'],
      [2, 1, JUSTICE, 'open'],
    ]);
    const live = await waitFor(() => digests.find((d) => d.digest.top.some((x) => x.id === id)));
    expect(live.region).toBe('620702');
    expect(live.digest).toMatchObject({ open: 1, stars: 3 });
    await waitFor(() => policeHeard.find((x) => x.id === id));

    const snap = (await (
      await fetch(`${t.url}/api/v1/snapshot/620702`, { headers: { authorization: `Bearer ${tokens.wall}` } })
    ).json()) as Snapshot;
    expect(snap.problems?.top[0]).toMatchObject({ id, stars: 3, lead: '公安局' });
    expect(snap.children.find((c) => c.code === '620702001')?.problems).toEqual({ open: 1, stars: 3 });
  });

  it('takes the weight off when the owner’s milestone is done and verified (3 → 1)', async () => {
    const early = await call('POST', `/problems/${id}/milestones/1/verify`, 'county', {});
    expect(early.status).toBe(409);
    expect(fields(early)).toEqual(['milestones.1']);

    const done = await call('POST', `/problems/${id}/milestones/1/done`, 'pr-police', {
      evidence: '已摸排 42 户，台账建立',
    });
    expect(done.status).toBe(200);
    expect(done.body.problem!.milestones[0]).toMatchObject({ state: 'done', evidence: '已摸排 42 户，台账建立' });
    expect(done.body.problem!.stars).toBe(3);

    const v = await call('POST', `/problems/${id}/milestones/1/verify`, 'countyDuty', { note: '现场核实' });
    expect(v.status).toBe(200);
    expect(v.body.problem!.stars).toBe(1);
    expect(v.body.problem!.milestones[0]!.state).toBe('verified');
    await waitFor(() => digests.find((d) => d.digest.top.some((x) => x.id === id && x.stars === 1)));
  });

  it('flags a milestone past its deadline, and the registering level raises a star (升星) with its reason', async () => {
    // Two hours: past milestone 2's deadline, within the desk tokens' twelve-hour life.
    clock.advance(2 * HOUR + MIN);
    // The sweep (every second, on the simulated clock) writes the flag into the history and tells the wall.
    const flagged = await waitFor(async () => {
      const d = await call('GET', `/problems/${id}`, 'county');
      return d.body.history!.some((e) => e.action === 'overdue' && e.n === 2) ? d.body : undefined;
    });
    expect(flagged.problem!.milestones[1]).toMatchObject({ overdue: true });
    expect(flagged.problem!.overdue).toBe(true);
    const live = await waitFor(() => digests.find((d) => d.digest.overdueCount === 1));
    expect(live.digest.overdue[0]).toMatchObject({ problemId: id, milestone: '组织司法所调解', owner: '司法局' });
    const overdueList = await call('GET', '/problems?region=620702&state=overdue', 'county');
    expect(overdueList.body.problems!.map((p) => p.id)).toEqual([id]);

    const r = await call('POST', `/problems/${id}/restar`, 'county', {
      stars: 2,
      reason: '调解逾期未完成，群众再次到县上访',
      milestone: { title: '县司法局牵头再次调解', deadline: at(3 * DAY), weight: 1, owner: JUSTICE },
    });
    expect(r.status).toBe(200);
    expect(r.body.problem!.stars).toBe(2);
    expect(r.body.problem!.milestones[2]).toMatchObject({ n: 3, weight: 1, state: 'open', owner: { id: JUSTICE } });
    const d = await call('GET', `/problems/${id}`, 'county');
    expect(d.body.history!.at(-1)).toMatchObject({
      action: 'restar',
      stars: 2,
      text: '调解逾期未完成，群众再次到县上访',
    });
  });

  it('verifies the last milestones down to 0 stars and strikes the problem off (销号)', async () => {
    expect(
      (await call('POST', `/problems/${id}/milestones/2/done`, 'pr-justice', { evidence: '双方签订调解协议' })).status,
    ).toBe(200);
    expect(
      (await call('POST', `/problems/${id}/milestones/3/done`, 'pr-justice', { evidence: '协议履行完毕' })).status,
    ).toBe(200);
    expect((await call('POST', `/problems/${id}/milestones/2/verify`, 'county', {})).body.problem!.stars).toBe(1);
    const last = await call('POST', `/problems/${id}/milestones/3/verify`, 'county', {});
    expect(last.status).toBe(200);
    expect(last.body.problem).toMatchObject({ stars: 0, state: 'closed' });
    expect(last.body.problem!.struckAt).toBeDefined();

    const d = await call('GET', `/problems/${id}`, 'county');
    expect(d.body.history!.map((e) => `${e.action}:${e.stars}`)).toEqual([
      'register:3',
      'done:3',
      'verify:1',
      'overdue:1',
      'restar:2',
      'done:2',
      'done:2',
      'verify:1',
      'verify:0',
      'strike:0',
    ]);
    // Every step is in the audit chain too.
    const audit = await t.server.audit.recent({ limit: 50 });
    const steps = audit.filter((a) => a.target === id).map((a) => a.action);
    expect(steps.sort()).toEqual(
      [
        'problem.register',
        'problem.done',
        'problem.verify',
        'problem.overdue',
        'problem.restar',
        'problem.done',
        'problem.done',
        'problem.verify',
        'problem.verify',
        'problem.strike',
      ].sort(),
    );
    const live = await waitFor(() => digests.find((d) => d.digest.struckCount === 1));
    expect(live.digest).toMatchObject({ open: 0, stars: 0, overdueCount: 0 });
    expect(live.digest.struck[0]).toMatchObject({ id, starsAtStart: 3 });
    expect(
      (await call('GET', '/problems?region=620702&state=closed', 'county')).body.problems!.map((p) => p.id),
    ).toEqual([id]);
    expect((await call('GET', '/problems?region=620702', 'county')).body.problems).toEqual([]);
    // A struck-off problem takes no more steps.
    expect((await call('POST', `/problems/${id}/milestones/3/verify`, 'county', {})).status).toBe(409);
  });

  it('counts the month for the report: registered, struck off, milestones due and on time', async () => {
    const month = new Date(clock.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const ofMonth = problemsOfMonthFrom({ store: t.server.problems.store, clock });
    const m = await ofMonth('6207', month);
    // Dates near a month's end could split the story over two months; only the sure parts then.
    expect(m.struckOff.map((s) => s.id)).toEqual([id]);
    expect(m.struckOff[0]!.starsAtStart).toBe(3);
    expect(m.open).toEqual([]);
    expect(m.milestonesDue).toBeGreaterThanOrEqual(1);
    // Milestone 2 was done a day late: never on time.
    expect(m.milestonesOnTime).toBeLessThan(m.milestonesDue);
    expect(await ofMonth('620102', month)).toMatchObject({ registered: 0, struckOff: [], open: [], overdue: [] });
  });
});

describe('bad input is refused with the field named', () => {
  const refused = async (body: unknown, field: string, who = 'county') => {
    const r = await call('POST', '/problems', who, body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(fields(r)).toContain(field);
  };

  it('refuses stars outside 1–5 or not whole', async () => {
    for (const stars of [0, 6, 2.5, '3']) await refused({ ...valid(), stars }, 'stars');
  });

  it('refuses weights that do not add up to the stars', async () => {
    await refused({ ...valid(), stars: 4 }, 'milestones');
    const b = valid();
    b.milestones[0]!.weight = 0;
    await refused(b, 'milestones.0.weight');
  });

  it('refuses a deadline in the past', async () => {
    const b = valid();
    b.milestones[1]!.deadline = at(-MIN);
    await refused(b, 'milestones.1.deadline');
  });

  it('refuses unknown department ids, naming which', async () => {
    await refused({ ...valid(), lead: 'dep-620702-nosuch' }, 'lead');
    await refused({ ...valid(), partners: ['dep-620102-police'] }, 'partners.0');
    const b = valid();
    (b.milestones[0] as { owner?: string }).owner = 'dep-999999-x';
    await refused(b, 'milestones.0.owner');
    await refused({ ...valid(), lead: '公安局' }, 'lead');
  });

  it('refuses verifying a milestone not done, a department marking another’s, and a bad 升星', async () => {
    const id = (await call('POST', '/problems', 'county', valid())).body.problem!.id;
    const notDone = await call('POST', `/problems/${id}/milestones/2/verify`, 'county', {});
    expect(notDone.status).toBe(409);
    expect(fields(notDone)).toEqual(['milestones.2']);

    const other = await call('POST', `/problems/${id}/milestones/2/done`, 'pr-police', { evidence: '越权' });
    expect(other.status).toBe(403);
    expect(other.body.error!.code).toBe('not_your_department');
    expect(fields(other)).toEqual(['milestones.2.owner']);
    expect((await call('POST', `/problems/${id}/milestones/9/done`, 'pr-police', { evidence: 'x' })).status).toBe(404);
    const empty = await call('POST', `/problems/${id}/milestones/1/done`, 'pr-police', { evidence: ' ' });
    expect(fields(empty)).toEqual(['evidence']);

    const restar = (b: object) => call('POST', `/problems/${id}/restar`, 'county', b);
    const m = { title: '新增措施', deadline: at(DAY), weight: 1 };
    expect(fields(await restar({ stars: 3, reason: '升星', milestone: m }))).toEqual(['stars']);
    expect(fields(await restar({ stars: 5, reason: '升星', milestone: m }))).toEqual(['milestone.weight']);
    expect(fields(await restar({ stars: 4, reason: '升星', milestone: { ...m, deadline: at(-MIN) } }))).toEqual([
      'milestone.deadline',
    ]);
    expect(fields(await restar({ stars: 4, reason: '', milestone: m }))).toEqual(['reason']);
    expect(fields(await restar({ stars: 4, reason: '升星', milestone: { ...m, owner: 'dep-620102-police' } }))).toEqual(
      ['milestone.owner'],
    );
    // Nothing of the refused steps was kept.
    const d = await call('GET', `/problems/${id}`, 'county');
    expect(d.body.problem!.stars).toBe(3);
    expect(d.body.history!.map((e) => e.action)).toEqual(['register']);
  });
});

describe('races', () => {
  it('takes a milestone’s weight off once when two officers verify it at the same moment', async () => {
    const id = (await call('POST', '/problems', 'county', valid())).body.problem!.id;
    expect((await call('POST', `/problems/${id}/milestones/1/done`, 'pr-police', { evidence: '完成' })).status).toBe(
      200,
    );
    const both = await Promise.all([
      call('POST', `/problems/${id}/milestones/1/verify`, 'county', {}),
      call('POST', `/problems/${id}/milestones/1/verify`, 'countyDuty', {}),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const d = await call('GET', `/problems/${id}`, 'county');
    expect(d.body.problem!.stars).toBe(1);
    expect(d.body.history!.filter((e) => e.action === 'verify')).toHaveLength(1);
    const snap = (await (
      await fetch(`${t.url}/api/v1/snapshot/620702001`, { headers: { authorization: `Bearer ${tokens.county}` } })
    ).json()) as Snapshot;
    // The stars per region follow the documents: this problem's 1 plus the other open one's 3.
    expect(snap.problems?.stars).toBe(
      (await call('GET', '/problems?region=620702001', 'county')).body.problems!.reduce((s, p) => s + p.stars, 0),
    );
  });
});

describe('scope', () => {
  let id = '';
  beforeAll(async () => {
    id = (await call('POST', '/problems', 'county', valid())).body.problem!.id;
  });

  it('keeps another region’s commander out', async () => {
    expect((await call('GET', `/problems/${id}`, 'other')).status).toBe(403);
    expect((await call('GET', '/problems?region=620702', 'other')).status).toBe(403);
    expect((await call('POST', `/problems/${id}/milestones/1/verify`, 'other', {})).status).toBe(403);
    expect((await call('POST', '/problems', 'other', valid())).status).toBe(403);
    const mine = await call('GET', '/problems', 'other');
    expect(mine.body.problems!.map((p) => p.id)).not.toContain(id);
  });

  it('lets a department see and act only on problems it takes part in', async () => {
    expect((await call('GET', `/problems/${id}`, 'pr-hrss')).status).toBe(403);
    expect((await call('POST', `/problems/${id}/milestones/1/done`, 'pr-hrss', { evidence: 'x' })).status).toBe(403);
    expect((await call('GET', '/problems', 'pr-hrss')).body.problems).toEqual([]);
    expect((await call('GET', '/problems', 'pr-justice')).body.problems!.map((p) => p.id)).toContain(id);
    // A department neither registers nor verifies.
    expect((await call('POST', '/problems', 'pr-police', valid())).status).toBe(403);
    expect((await call('POST', `/problems/${id}/milestones/1/verify`, 'pr-police', {})).status).toBe(403);
  });

  it('leaves verifying to the registering level and 督办 to a level above it', async () => {
    // The city is above the county desk: it may supervise, not verify.
    expect((await call('POST', `/problems/${id}/milestones/1/verify`, 'city', {})).status).toBe(403);
    const own = await call('POST', `/problems/${id}/supervise`, 'county', {});
    expect(own.status).toBe(403);
    expect(own.body.error!.code).toBe('own_desk');
    const past = await call('POST', `/problems/${id}/supervise`, 'city', { deadline: at(-MIN) });
    expect(fields(past)).toEqual(['deadline']);
    const s = await call('POST', `/problems/${id}/supervise`, 'city', {
      deadline: at(5 * DAY),
      requirement: '月底前化解',
    });
    expect(s.status).toBe(200);
    expect(s.body.problem!.supervision).toMatchObject({ region: '6207', requirement: '月底前化解', overdue: false });
    expect((await call('POST', `/problems/${id}/supervise`, 'city', {})).status).toBe(409);
    const list = await call('GET', '/supervision?region=6207', 'city');
    expect(list.body.items!.find((i) => 'problem' in i && i.problem.id === id)).toMatchObject({
      state: 'open',
      requirement: '月底前化解',
    });
  });
});
