import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { listRoutes } from '../helpers/routes.ts';
import { openSocket, subscribe } from '../helpers/socket.ts';
import { ALERT_ACTIONS, TASK_ACTIONS } from '../../shared/alert-machine.ts';
import { io as connectSocket } from 'socket.io-client';
import type { TestSocket } from '../helpers/socket.ts';

/**
 * The authorization matrix of issue 4: every principal × every route and socket action × a region
 * inside and outside its home subtree, each with the status it must get. The routes are read from
 * the running server, so a route added without a row here fails the first test.
 *
 * Every user is homed in 甘州区 (620702); "in" is a township or village below it, "out" is a
 * county of 兰州 (620102). `allowed` means the request got past authorization: 2xx, or 409 when
 * the alert's state refused the step (the matrix is about who may ask, not about the workflow).
 */

const WHO = ['wall', 'duty', 'commander', 'admin', 'department', 'ingest', 'anonymous'] as const;
type Who = (typeof WHO)[number];
type Where = 'in' | 'out';
type Expected = number | 'allowed';
const USERS = ['wall', 'duty', 'commander', 'admin', 'department'] as const;
/** The department account of the matrix: 甘州区公安局 (issue 15). */
const DEPARTMENT = 'dep-620702-police';
const isUser = (w: Who): w is (typeof USERS)[number] => (USERS as readonly string[]).includes(w);

const HOME = '620702';
const REGION = { in: '620702001', out: '620102' } as const;
const VILLAGE = { in: '620702001001', out: '' };

interface Req {
  path: string;
  body?: unknown;
  /** Overrides the principal's Authorization (a fresh token for logout, none for login). */
  auth?: string | null;
}

interface Row {
  /** One request per variant (each alert action); by default one. */
  variants?: readonly string[];
  request(who: Who, where: Where, variant: string): Promise<Req> | Req;
  expect(who: Who, where: Where, variant: string): Expected;
}

// Expectations shared by many rows.
const open = (ok: number) => () => ok;
/** Any account but a department's, which sees its own tasks only (no region data, no wall). */
const anyUser =
  (ok: number) =>
  (who: Who, where: Where): Expected =>
    !isUser(who) ? 401 : who === 'department' ? 403 : where === 'in' ? ok : 403;
const roles =
  (allowed: readonly Who[], ok: Expected) =>
  (who: Who, where: Where): Expected =>
    !isUser(who) ? 401 : !allowed.includes(who) ? 403 : where === 'in' ? ok : 403;
const adminOnly = (ok: number) => roles(['admin'], ok);

let t: TestServer;
let root: string;
/** A province commander: gives the wall orders the matrix releases. */
let rootCommander: string;
const wallSockets: TestSocket[] = [];
const auth: Partial<Record<Who, string>> = {};
let n = 0;
const unique = (s: string) => `${s}-${++n}`;
/** Alerts by case id, made by the rules from events with a weapon marker. */
const alertIds = new Map<string, string>();

async function call(method: string, req: Req, who: Who): Promise<number> {
  const header = req.auth === undefined ? auth[who] : req.auth;
  const res = await fetch(`${t.url}${req.path}`, {
    method,
    headers: {
      ...(header ? { authorization: `Bearer ${header}` } : {}),
      ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function asRootCommander(method: string, path: string, body?: unknown): Promise<unknown> {
  return asRoot(method, path, body, rootCommander);
}

async function asRoot(method: string, path: string, body?: unknown, token = root): Promise<unknown> {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} as root admin: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

const event = (where: Where, caseId = unique('mx-ev'), riskMarkers?: string[]) => ({
  id: caseId,
  caseId,
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: VILLAGE[where],
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  channel: 'grid',
  summary: '矩阵测试',
  ...(riskMarkers ? { riskMarkers } : {}),
});

const ACTION_BODY: Record<string, unknown> = {
  ack: {},
  dispatch: { departments: ['司法所'] },
  checkin: { department: '司法所' },
  resolve: { note: '已处理' },
  close: {},
  escalate: { note: '需上级协调' },
  note: { note: '备注' },
  supervise: {},
  feedback: { department: '司法所', onBehalf: true, reason: '电话反馈', text: '已处置', result: 'handled' },
  assist: { text: '请求协办' },
};
/** A department account acts for itself: no department named. */
const DEPARTMENT_BODY: Record<string, unknown> = {
  checkin: {},
  feedback: { text: '已处置', result: 'handled' },
  assist: { text: '请求协办' },
};
const isTaskAction = (a: string) => (TASK_ACTIONS as readonly string[]).includes(a);

/** An in-scope alert of its own for every acting role and action: steps change state and desk. */
const alertFor = (who: Who, where: Where, action?: string) =>
  alertIds.get(
    where === 'out'
      ? 'mx-alert-out'
      : who === 'department'
        ? action && isTaskAction(action)
          ? `mx-alert-department-${action}`
          : 'mx-alert-read'
        : action && isUser(who) && who !== 'wall'
          ? `mx-alert-${who}-${action}`
          : 'mx-alert-read',
  )!;

const MATRIX: Record<string, Row> = {
  'GET /healthz': { request: () => ({ path: '/healthz' }), expect: open(200) },
  'GET /readyz': { request: () => ({ path: '/readyz' }), expect: open(200) },
  'GET /metrics': { request: () => ({ path: '/metrics' }), expect: open(200) },
  // The API's description holds no data: anyone may read it.
  'GET /api/v1/openapi.json': { request: () => ({ path: '/api/v1/openapi.json' }), expect: open(200) },

  // An ingest key only ingests, and only inside its region; a user token is not an ingest key.
  'POST /api/v1/events': {
    request: (_who, where) => ({ path: '/api/v1/events', body: [event(where)] }),
    expect: (who, where) => (who === 'ingest' ? (where === 'in' ? 200 : 422) : 401),
  },

  'POST /api/v1/auth/login': {
    request: (who) => ({
      path: '/api/v1/auth/login',
      auth: null,
      body: isUser(who)
        ? { username: `mx-${who}`, password: `pw-mx-${who}-12345` }
        : { username: 'nobody', password: 'not-a-password' },
    }),
    expect: (who) => (isUser(who) ? 200 : 401),
  },
  'POST /api/v1/auth/logout': {
    // Logging out revokes the token, so every call brings a fresh one.
    request: async (who) => ({
      path: '/api/v1/auth/logout',
      ...(isUser(who) ? { auth: await t.login(`mx-${who}`, `pw-mx-${who}-12345`) } : {}),
    }),
    expect: (who) => (isUser(who) ? 204 : 401),
  },

  // Names and shape of the tree, no figures: a department account reads them too (its tasks' places).
  'GET /api/v1/regions/:code': {
    request: (_w, where) => ({ path: `/api/v1/regions/${REGION[where]}` }),
    expect: (who, where) => (!isUser(who) ? 401 : where === 'in' ? 200 : 403),
  },
  // 平安指数: peers appear only as a median and a rank position, never by name.
  'GET /api/v1/index/:code': {
    request: (_w, where) => ({ path: `/api/v1/index/${REGION[where]}` }),
    expect: anyUser(200),
  },
  // 上报及时率: the same scope as every region route.
  'GET /api/v1/timeliness/:code': {
    request: (_w, where) => ({ path: `/api/v1/timeliness/${REGION[where]}` }),
    expect: anyUser(200),
  },
  // 督办考核 and the monthly 通报: the same scope as every region route.
  'GET /api/v1/assessment/:code': {
    request: (_w, where) => ({ path: `/api/v1/assessment/${REGION[where]}` }),
    expect: anyUser(200),
  },
  'GET /api/v1/assessment/:code/export': {
    request: (_w, where) => ({ path: `/api/v1/assessment/${REGION[where]}/export?format=csv` }),
    expect: anyUser(200),
  },
  'GET /api/v1/reports/monthly/:code': {
    request: (_w, where) => ({ path: `/api/v1/reports/monthly/${REGION[where]}` }),
    expect: anyUser(200),
  },
  'GET /api/v1/snapshot/:code': {
    request: (_w, where) => ({ path: `/api/v1/snapshot/${REGION[where]}` }),
    expect: anyUser(200),
  },
  // Replay's ticker events: the same readers and scope as the live snapshot.
  'GET /api/v1/replay/:code/events': {
    request: (_w, where) => {
      const to = new Date(Date.now() - 1000).toISOString();
      const from = new Date(Date.now() - 600_000).toISOString();
      return { path: `/api/v1/replay/${REGION[where]}/events?from=${from}&to=${to}` };
    },
    expect: anyUser(200),
  },

  'GET /api/v1/users': {
    request: (_w, where) => ({ path: `/api/v1/users?region=${REGION[where]}` }),
    expect: adminOnly(200),
  },
  'POST /api/v1/users': {
    request: (_w, where) => ({
      path: '/api/v1/users',
      body: { username: unique('mx-new'), password: 'password-123', role: 'wall', region: REGION[where] },
    }),
    expect: adminOnly(201),
  },
  'PATCH /api/v1/users/:username': {
    request: (_w, where) => ({ path: `/api/v1/users/mx-target-${where}`, body: { publicMode: false } }),
    expect: adminOnly(200),
  },
  'POST /api/v1/users/:username/password': {
    request: (_w, where) => ({ path: `/api/v1/users/mx-target-${where}/password`, body: { password: 'password-456' } }),
    expect: adminOnly(204),
  },
  'POST /api/v1/users/:username/logout': {
    request: (_w, where) => ({ path: `/api/v1/users/mx-target-${where}/logout` }),
    expect: adminOnly(204),
  },

  // The key list has no region argument: it shows the keys of the caller's subtree.
  'GET /api/v1/ingest-keys': {
    request: () => ({ path: '/api/v1/ingest-keys' }),
    expect: (who) => (!isUser(who) ? 401 : who === 'admin' ? 200 : 403),
  },
  'POST /api/v1/ingest-keys': {
    request: (_w, where) => ({ path: '/api/v1/ingest-keys', body: { source: 'matrix', region: REGION[where] } }),
    expect: adminOnly(201),
  },
  'DELETE /api/v1/ingest-keys/:id': {
    request: async (_w, where) => {
      const { id } = (await asRoot('POST', '/ingest-keys', { source: 'matrix', region: REGION[where] })) as {
        id: string;
      };
      return { path: `/api/v1/ingest-keys/${id}` };
    },
    expect: adminOnly(204),
  },

  'GET /api/v1/audit': {
    request: (_w, where) => ({ path: `/api/v1/audit?region=${REGION[where]}` }),
    expect: adminOnly(200),
  },

  // Alert work (server/http/routes/alerts.ts): walls read, duty officers and up act, at their desks only.
  'GET /api/v1/alerts': {
    request: (_w, where) => ({ path: `/api/v1/alerts?region=${REGION[where]}` }),
    expect: anyUser(200),
  },
  'GET /api/v1/alerts/export': {
    request: (_w, where) => ({ path: `/api/v1/alerts/export?format=csv&state=closed&region=${REGION[where]}` }),
    expect: anyUser(200),
  },

  // The case index (server/http/routes/cases.ts): read by any account but a department's, in its subtree.
  'GET /api/v1/cases': {
    request: (_w, where) => ({ path: `/api/v1/cases?region=${REGION[where]}` }),
    expect: anyUser(200),
  },
  'GET /api/v1/cases/export': {
    request: (_w, where) => ({ path: `/api/v1/cases/export?format=xlsx&region=${REGION[where]}` }),
    expect: anyUser(200),
  },
  'GET /api/v1/alerts/:id': {
    request: (who, where) => ({ path: `/api/v1/alerts/${alertFor(who, where)}` }),
    expect: anyUser(200),
  },
  'POST /api/v1/alerts/:id/:action': {
    variants: ALERT_ACTIONS,
    request: (who, where, action) => ({
      path: `/api/v1/alerts/${alertFor(who, where, action)}/${action}`,
      body: who === 'department' && isTaskAction(action) ? DEPARTMENT_BODY[action] : ACTION_BODY[action],
    }),
    // A department acts on its own tasks only; 请求协办 is the department's alone.
    expect: (who, where, action) =>
      action === 'assist'
        ? roles(['department'], 'allowed')(who, where)
        : isTaskAction(action)
          ? roles(['duty', 'commander', 'admin', 'department'], 'allowed')(who, where)
          : roles(['duty', 'commander', 'admin'], 'allowed')(who, where),
  },
  // Departments and supervision (issue 15).
  'GET /api/v1/departments': {
    request: (_w, where) => ({ path: `/api/v1/departments?region=${REGION[where]}` }),
    expect: (who, where) => (!isUser(who) ? 401 : where === 'in' ? 200 : 403),
  },
  'POST /api/v1/departments': {
    request: (_w, where) => ({
      path: '/api/v1/departments',
      body: { region: REGION[where], name: unique('矩阵部门') },
    }),
    expect: adminOnly(201),
  },
  // The tasks of the caller's own department: no region argument to be out of.
  'GET /api/v1/tasks': {
    request: () => ({ path: '/api/v1/tasks' }),
    expect: (who) => (!isUser(who) ? 401 : who === 'department' ? 200 : 403),
  },
  'GET /api/v1/supervision': {
    request: (_w, where) => ({ path: `/api/v1/supervision?region=${REGION[where]}` }),
    expect: anyUser(200),
  },
  // 重点问题 (issue 16): desks read their subtree's, a department those it takes part in; commanders
  // and admins register; the owner department marks done; the registering level verifies and
  // raises stars; a level above supervises.
  'GET /api/v1/problems': {
    request: (_w, where) => ({ path: `/api/v1/problems?region=${REGION[where]}` }),
    expect: roles(USERS, 200),
  },
  'GET /api/v1/problems/export': {
    request: (_w, where) => ({ path: `/api/v1/problems/export?format=csv&state=all&region=${REGION[where]}` }),
    expect: roles(USERS, 200),
  },
  'POST /api/v1/problems': {
    request: (_w, where) => ({ path: '/api/v1/problems', body: problemBody(REGION[where]) }),
    expect: roles(['commander', 'admin'], 201),
  },
  'GET /api/v1/problems/:id': {
    request: (_w, where) => ({ path: `/api/v1/problems/${problemIds[where]}` }),
    expect: roles(USERS, 200),
  },
  'POST /api/v1/problems/:id/milestones/:n/done': {
    request: (_w, where) => ({
      path: `/api/v1/problems/${problemIds[where]}/milestones/1/done`,
      body: { evidence: '已完成' },
    }),
    expect: roles(['department'], 'allowed'),
  },
  'POST /api/v1/problems/:id/milestones/:n/verify': {
    request: (_w, where) => ({ path: `/api/v1/problems/${problemIds[where]}/milestones/2/verify`, body: {} }),
    expect: roles(['duty', 'commander', 'admin'], 'allowed'),
  },
  'POST /api/v1/problems/:id/restar': {
    // A fresh problem of one star each time: a second 升星 to the same stars is bad input, not authorization.
    request: async (_w, where) => ({
      path: `/api/v1/problems/${where === 'in' ? await newProblem(auth.commander!, REGION.in) : problemIds.out}/restar`,
      body: { stars: 2, reason: '逾期未改', milestone: { title: '补充措施', deadline: later(), weight: 1 } },
    }),
    expect: roles(['commander', 'admin'], 'allowed'),
  },
  'POST /api/v1/problems/:id/supervise': {
    // Registered by a township commander: the matrix's users (county) are the level above.
    request: (_w, where) => ({
      path: `/api/v1/problems/${where === 'in' ? problemIds.township : problemIds.out}/supervise`,
      body: {},
    }),
    expect: roles(['duty', 'commander', 'admin'], 'allowed'),
  },
  'GET /api/v1/silences': {
    request: (_w, where) => ({ path: `/api/v1/silences?region=${REGION[where]}` }),
    expect: anyUser(200),
  },
  'POST /api/v1/silences': {
    request: (_w, where) => ({
      path: '/api/v1/silences',
      body: { rule: 'spike', region: REGION[where], reason: '矩阵测试', minutes: 5 },
    }),
    expect: roles(['commander', 'admin'], 201),
  },
  'DELETE /api/v1/silences/:rule/:region': {
    request: async (_w, where) => {
      await asRoot('POST', '/silences', { rule: 'cluster', region: REGION[where], reason: '矩阵测试', minutes: 5 });
      return { path: `/api/v1/silences/cluster/${REGION[where]}` };
    },
    expect: roles(['commander', 'admin'], 204),
  },

  // Walls and 一键上墙 (issue 19): desks command the walls of their area; admins only see the list.
  'GET /api/v1/walls': {
    request: () => ({ path: '/api/v1/walls' }),
    expect: (who) => (!isUser(who) ? 401 : ['duty', 'commander', 'admin'].includes(who) ? 200 : 403),
  },
  'POST /api/v1/walls/focus': {
    // The wall is in the caller's area; "out" puts up a region, a 重点问题 or a replay moment
    // outside it (the target's own region is what is checked).
    variants: ['region', 'problem', 'replay'],
    request: (_w, where, variant) => ({
      path: '/api/v1/walls/focus',
      body: {
        walls: ['矩阵屏'],
        target:
          variant === 'problem'
            ? { problem: problemIds[where] }
            : variant === 'replay'
              ? { region: REGION[where], at: new Date(Date.now() - 3_600_000).toISOString(), speed: 60 }
              : { region: REGION[where] },
        until: new Date(Date.now() + 60_000).toISOString(),
      },
    }),
    expect: roles(['duty', 'commander'], 201),
  },
  'DELETE /api/v1/walls/orders/:id': {
    request: async (_w, where) => {
      const wall = where === 'in' ? '矩阵屏' : '矩阵外屏';
      const body = { walls: [wall], target: { region: where === 'in' ? HOME : REGION.out } };
      const { order } = (await asRootCommander('POST', '/walls/focus', body)) as { order: { id: string } };
      return { path: `/api/v1/walls/orders/${order.id}` };
    },
    expect: roles(['duty', 'commander'], 200),
  },
};

const later = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
/** A problem of 2 stars led by the region's police (the matrix's department, for 620702 and below). */
const problemBody = (region: string) => {
  const county = region.slice(0, 6);
  return {
    region,
    title: unique('矩阵问题'),
    description: '矩阵测试',
    stars: 2,
    lead: `dep-${county}-police`,
    milestones: [
      { title: '措施一', deadline: later(), weight: 1 },
      { title: '措施二', deadline: later(), weight: 1 },
    ],
  };
};
const problemIds: Record<Where | 'township', string> = { in: '', out: '', township: '' };
async function newProblem(token: string, region: string): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/problems`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...problemBody(region),
      stars: 1,
      milestones: [{ title: '措施', deadline: later(), weight: 1 }],
    }),
  });
  if (res.status !== 201) throw new Error(`problem: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { problem: { id: string } }).problem.id;
}
async function problemOf(token: string, region: string): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/problems`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(problemBody(region)),
  });
  if (res.status !== 201) throw new Error(`problem: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { problem: { id: string } }).problem.id;
}

/** Socket actions: the ack's error code, `ok`, or the handshake's refusal. */
const SOCKET_MATRIX: Record<string, (who: Who, where: Where) => string> = {
  // A department subscribes to no wall, in its region or not: it hears its tasks in its own room.
  subscribe: (who, where) =>
    !isUser(who) ? 'unauthenticated' : where === 'in' && who !== 'department' ? 'ok' : 'out_of_scope',
  unsubscribe: (who) => (!isUser(who) ? 'unauthenticated' : 'ok'),
  // Only a named main wall whose viewer commands walls leads its group; the matrix socket is no wall.
  'wall:drill': (who, where) => (!isUser(who) ? 'unauthenticated' : where === 'in' ? 'forbidden' : 'out_of_scope'),
};

function matches(expected: Expected, status: number): boolean {
  return expected === 'allowed' ? (status >= 200 && status < 300) || status === 409 : status === expected;
}

beforeAll(async () => {
  t = await startTestServer();
  root = await t.login('admin', t.adminPassword);
  const out = t.tree.children(REGION.out)[0]!.code;
  VILLAGE.out = t.tree.children(out)[0]!.code;
  for (const role of USERS.filter((r) => r !== 'department')) auth[role] = await t.userToken(`mx-${role}`, role, HOME);
  await t.server.users.create({
    username: 'mx-department',
    password: 'pw-mx-department-12345',
    role: 'department',
    region: HOME,
    department: DEPARTMENT,
  });
  auth.department = await t.login('mx-department', 'pw-mx-department-12345');
  for (const where of ['in', 'out'] as const) await t.userToken(`mx-target-${where}`, 'wall', REGION[where]);
  if (listRoutes(t.server).includes('POST /api/v1/problems')) {
    problemIds.in = await problemOf(auth.commander!, REGION.in);
    problemIds.out = await problemOf(root, REGION.out);
    problemIds.township = await problemOf(await t.userToken('mx-town-commander', 'commander', REGION.in), REGION.in);
  }
  auth.ingest = ((await asRoot('POST', '/ingest-keys', { source: 'matrix', region: HOME })) as { key: string }).key;
  rootCommander = await t.userToken('mx-root-commander', 'commander', '62');
  // Two named walls: one in the matrix's home region, one outside it.
  for (const [name, token] of [
    ['矩阵屏', auth.wall!],
    ['矩阵外屏', await t.userToken('mx-wall-out', 'wall', REGION.out)],
  ] as const) {
    const s: TestSocket = connectSocket(t.url, {
      transports: ['websocket'],
      auth: { token, wall: name },
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    const registered = new Promise((r) => s.once('wall:registered', r));
    s.connect();
    expect(await registered).toMatchObject({ ok: true });
    wallSockets.push(s);
  }

  if (listRoutes(t.server).includes('GET /api/v1/alerts')) {
    const cases = [
      'mx-alert-read',
      'mx-alert-out',
      ...['duty', 'commander', 'admin'].flatMap((r) => ALERT_ACTIONS.map((a) => `mx-alert-${r}-${a}`)),
      ...TASK_ACTIONS.map((a) => `mx-alert-department-${a}`),
    ];
    expect(
      (await t.postEvents(cases.map((c) => event(c === 'mx-alert-out' ? 'out' : 'in', c, ['weapon'])))).status,
    ).toBe(200);
    const end = Date.now() + 15_000;
    while (alertIds.size < cases.length && Date.now() < end) {
      const { alerts } = (await asRoot('GET', '/alerts?region=62')) as { alerts: { id: string; caseId?: string }[] };
      for (const a of alerts) if (a.caseId && cases.includes(a.caseId)) alertIds.set(a.caseId, a.id);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alertIds.size, 'alerts raised for the matrix').toBe(cases.length);
    // The department's own tasks: dispatched to it, and reported in where the step needs it.
    for (const a of TASK_ACTIONS) {
      const id = alertIds.get(`mx-alert-department-${a}`)!;
      await asRoot('POST', `/alerts/${id}/ack`, {});
      await asRoot('POST', `/alerts/${id}/dispatch`, { departments: [DEPARTMENT] });
      if (a !== 'checkin')
        await asRoot('POST', `/alerts/${id}/checkin`, { department: DEPARTMENT, onBehalf: true, reason: '矩阵' });
    }
  }
});
afterAll(async () => {
  for (const s of wallSockets) s.close();
  await t?.stop();
});

describe('the authorization matrix', () => {
  it('has a row for every route the server answers', () => {
    const live = listRoutes(t.server);
    expect(
      live.filter((r) => !(r in MATRIX)),
      'routes without a row in MATRIX',
    ).toEqual([]);
    // A row whose route is gone is a leftover to remove, but it grants nothing: say so, do not fail.
    const stale = Object.keys(MATRIX).filter((r) => !live.includes(r));
    if (stale.length) console.warn(`authz matrix rows without a live route: ${stale.join(', ')}`);
  });

  it('gives every principal, route and region the expected status', async () => {
    const live = new Set(listRoutes(t.server));
    const wrong: string[] = [];
    let cells = 0;
    for (const [route, row] of Object.entries(MATRIX)) {
      if (!live.has(route)) continue;
      const method = route.split(' ')[0]!;
      for (const variant of row.variants ?? ['']) {
        for (const who of WHO) {
          for (const where of ['in', 'out'] as const) {
            const expected = row.expect(who, where, variant);
            const status = await call(method, await row.request(who, where, variant), who);
            cells++;
            if (!matches(expected, status))
              wrong.push(
                `${route}${variant ? ` [${variant}]` : ''} as ${who}, ${where}: ${status}, expected ${expected}`,
              );
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(200);
    // Several hundred requests one after another, some hashing a password: ~20 s alone, more when
    // the other test files share the two cores.
  }, 120_000);

  it('gives every principal and region the expected answer on the socket', async () => {
    const wrong: string[] = [];
    for (const who of WHO) {
      const socket = await openSocket(t.url, { token: auth[who] ?? '' }).catch((err: Error) => err);
      for (const [action, expectFor] of Object.entries(SOCKET_MATRIX)) {
        for (const where of ['in', 'out'] as const) {
          let got: string;
          if (socket instanceof Error) got = socket.message;
          else if (action === 'subscribe') {
            const r = await subscribe(socket, REGION[where]);
            got = r.ok ? 'ok' : r.error.code;
          } else {
            const r = await socket.timeout(5000).emitWithAck(action as 'unsubscribe', REGION[where]);
            got = r.ok ? 'ok' : r.error.code;
          }
          if (got !== expectFor(who, where))
            wrong.push(`${action} as ${who}, ${where}: ${got}, expected ${expectFor(who, where)}`);
        }
      }
      if (!(socket instanceof Error)) socket.close();
    }
    expect(wrong).toEqual([]);
  });

  it('has a row for every socket action the server handles', async () => {
    const s = await openSocket(t.url, { token: auth.admin! });
    const server = t.server.io.of('/').sockets.get(s.id!)!;
    const handled = server
      .eventNames()
      .filter((e) => typeof e === 'string' && !['disconnect', 'disconnecting', 'error'].includes(e));
    s.close();
    expect(handled.filter((e) => !(String(e) in SOCKET_MATRIX))).toEqual([]);
  });
});
