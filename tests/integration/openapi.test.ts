import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ACTIONS } from '../../shared/alert-machine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { listRoutes } from '../helpers/routes.ts';
import { responseChecker } from '../helpers/openapi-responses.ts';
import { io as connectSocket } from 'socket.io-client';

/**
 * /api/v1/openapi.json against the server it describes: valid OpenAPI 3.1, clean under
 * `redocly lint`, one operation per mounted route (and no other), and real replies — good and
 * bad — checked against it by ajv, a validator that knows nothing of the zod schemas behind it.
 */

interface Doc {
  openapi: string;
  servers: { url: string }[];
  paths: Record<
    string,
    Record<string, { operationId?: string; responses: Record<string, unknown> }> & { servers?: { url: string }[] }
  >;
  components: { schemas: Record<string, { oneOf?: { properties: Record<string, { enum?: string[] }> }[] }> };
}

const REPO = path.resolve(import.meta.dirname, '../..');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let t: TestServer;
let doc: Doc;
let check: ReturnType<typeof responseChecker>;
let admin: string;
let countyDuty: string;
let wall: string;

interface Call {
  token?: string;
  body?: unknown;
  /** A body sent as it is (not JSON-encoded). */
  raw?: string;
  headers?: Record<string, string>;
}

/** A real request whose reply must be one the document declares, with a body of its schema. */
async function call(method: string, url: string, c: Call = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${t.url}${url}`, {
    method,
    headers: {
      ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
      ...(c.body !== undefined || c.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...c.headers,
    },
    ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : c.raw !== undefined ? { body: c.raw } : {}),
  });
  const text = await res.text();
  const body = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text || undefined;
  const problems = res.headers.get('content-type')?.startsWith('text/plain')
    ? []
    : check(method, url, res.status, body);
  expect(problems, `${method} ${url} → ${res.status} ${text.slice(0, 300)}`).toEqual([]);
  return { status: res.status, body };
}

const dispute = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  caseId: id,
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: '620702001001',
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  channel: 'grid',
  summary: '文档测试',
  ...extra,
});

beforeAll(async () => {
  // A low failed-login budget, so a 429 takes three requests rather than eleven.
  t = await startTestServer({ env: { RATE_LIMIT_LOGIN: '2' } });
  doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as Doc;
  check = responseChecker(doc);
  admin = await t.login('admin', t.adminPassword);
  countyDuty = await t.userToken('oa-duty', 'duty', '620702');
  wall = await t.userToken('oa-wall', 'wall', '620702');
}, 60_000);
afterAll(async () => t?.stop());

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by the specification’s own JSON Schema', async () => {
    const result = await new Validator().validate(
      structuredClone(doc) as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has an operation for every route the server mounts, and none for a route it lacks', () => {
    const mounted = listRoutes(t.server).flatMap((r) =>
      r.includes('/:action') ? ALERT_ACTIONS.map((a) => r.replace(':action', a)) : [r],
    );
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => {
      const base = (item.servers ?? doc.servers)[0]!.url.replace(/\/$/, '');
      return METHODS.filter((m) => m in item).map(
        (m) => `${m.toUpperCase()} ${base}${p.replace(/\{([^}]+)\}/g, ':$1')}`,
      );
    });
    expect(
      mounted.filter((r) => !documented.includes(r)),
      'mounted but not documented',
    ).toEqual([]);
    expect(
      documented.filter((r) => !mounted.includes(r)),
      'documented but not mounted',
    ).toEqual([]);
  });

  it('gives every operation a unique operationId, and every /api/v1 operation its 4xx replies', () => {
    const ops = Object.entries(doc.paths).flatMap(([p, item]) =>
      METHODS.filter((m) => m in item).map((m) => ({ at: `${m} ${p}`, item, op: item[m]! })),
    );
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const versioned = ops.filter((o) => !o.item.servers);
    expect(
      versioned.filter((o) => !Object.keys(o.op.responses).some((s) => s.startsWith('4'))).map((o) => o.at),
    ).toEqual([]);
  });

  it('takes an ingest batch of any objects, so one bad event cannot get a whole batch dropped by a gateway', () => {
    const body = (
      doc.paths['/events']!.post as unknown as {
        requestBody: { content: { 'application/json': { schema: { anyOf: { type: string; maxItems?: number }[] } } } };
      }
    ).requestBody.content['application/json'].schema;
    expect(body.anyOf[0]).toMatchObject({ type: 'array', maxItems: 5000 });
    const dispute = doc.components.schemas.Event!.oneOf!.find((o) =>
      JSON.stringify(o.properties.kind).includes('dispute'),
    );
    expect(dispute?.properties.status?.enum).toEqual([
      'received',
      'dispatched',
      'mediating',
      'resolved',
      'failed',
      'verified',
    ]);
  });

  it('lints clean under redocly: no error and no warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      fs.writeFileSync(file, JSON.stringify(doc));
      const bin = path.join(REPO, 'node_modules', '.bin', 'redocly');
      const run = await promisify(execFile)(
        bin,
        ['lint', file, '--config', path.join(REPO, 'redocly.yaml'), '--format', 'json'],
        { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      ).catch((e: { stdout: string; stderr: string }) => e);
      const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
      expect(report.problems, JSON.stringify(report.problems, null, 1).slice(0, 3000)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('real replies, good and bad, match the document', () => {
  it('covers logging in: a token, a refused body, a wrong password, an unreadable charset, a rate limit', async () => {
    expect(
      (await call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: t.adminPassword } })).status,
    ).toBe(200);
    expect((await call('POST', '/api/v1/auth/login', { body: { username: 'admin' } })).status).toBe(400);
    expect((await call('POST', '/api/v1/auth/login', { raw: '{"username":' })).status).toBe(400);
    expect(
      (
        await call('POST', '/api/v1/auth/login', {
          raw: '{}',
          headers: { 'content-type': 'application/json; charset=latin1' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('POST', '/api/v1/auth/login', { raw: JSON.stringify({ username: 'x'.repeat(70_000) }) })).status,
    ).toBe(413);
    const wrong = { body: { username: 'oa-nobody', password: 'wrong-password' } };
    expect((await call('POST', '/api/v1/auth/login', wrong)).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', wrong)).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', wrong)).status).toBe(429);
    const own = await t.userToken('oa-leaver', 'wall', '620702');
    expect((await call('POST', '/api/v1/auth/logout', { token: own })).status).toBe(204);
    expect((await call('GET', '/api/v1/regions/620702', { token: own })).status).toBe(401);
  });

  it('covers ingest: a mixed batch kept in part, a batch all bad, and bodies refused whole', async () => {
    const mixed = await call('POST', '/api/v1/events', {
      token: t.ingestKey,
      body: [dispute('oa-ev-1'), { ...dispute('oa-ev-2'), category: 'nonsense' }, 42],
    });
    expect(mixed.status).toBe(200);
    expect(mixed.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1 }, { index: 2 }] });
    expect(
      (await call('POST', '/api/v1/events', { token: t.ingestKey, body: [dispute('oa-ev-1')] })).body,
    ).toMatchObject({
      duplicates: 1,
    });
    expect((await call('POST', '/api/v1/events', { token: t.ingestKey, body: [{ id: 'x' }] })).status).toBe(422);
    expect((await call('POST', '/api/v1/events', { token: t.ingestKey, raw: '[{' })).status).toBe(400);
    expect((await call('POST', '/api/v1/events', { body: [dispute('oa-ev-3')] })).status).toBe(401);
    expect(
      (await call('POST', '/api/v1/events', { token: t.ingestKey, body: Array.from({ length: 5001 }, () => ({})) }))
        .status,
    ).toBe(413);
    expect(
      (
        await call('POST', '/api/v1/events', {
          token: t.ingestKey,
          raw: '[]',
          headers: { 'content-encoding': 'x-unknown' },
        })
      ).status,
    ).toBe(415);
  });

  it('covers regions, the snapshot and the figures, inside and outside the caller’s area', async () => {
    expect((await call('GET', '/api/v1/regions/62', { token: admin })).status).toBe(200);
    expect((await call('GET', '/api/v1/regions/620702', { token: countyDuty })).status).toBe(200);
    expect((await call('GET', '/api/v1/regions/62', { token: countyDuty })).status).toBe(403);
    expect((await call('GET', '/api/v1/regions/6299', { token: admin })).status).toBe(404);
    expect((await call('GET', '/api/v1/regions/6x', { token: admin })).status).toBe(400);
    expect((await call('GET', '/api/v1/regions/62')).status).toBe(401);
    // The snapshot once the event above is counted, so its maps and series are not all empty.
    const end = Date.now() + 15_000;
    let snap = await call('GET', '/api/v1/snapshot/620702', { token: wall });
    while ((snap.body as { counts: { today: { dispute: number } } }).counts.today.dispute < 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      snap = await call('GET', '/api/v1/snapshot/620702', { token: wall });
    }
    expect((snap.body as { counts: { today: { dispute: number } } }).counts.today.dispute).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/snapshot/62', { token: admin })).status).toBe(200);
    expect((await call('GET', '/api/v1/index/620702', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/index/620702?month=13', { token: wall })).status).toBe(400);
    expect((await call('GET', '/api/v1/timeliness/620702', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/timeliness/620702001001', { token: wall })).status).toBe(404);
    expect((await call('GET', '/api/v1/assessment/620702', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/assessment/620702?month=2099-01', { token: wall })).status).toBe(400);
    expect((await call('GET', '/api/v1/assessment/620702001001', { token: wall })).status).toBe(404);
    expect((await call('GET', '/api/v1/assessment/620702/export?format=csv', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/assessment/620702/export?format=xlsx', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/reports/monthly/620702', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/reports/monthly/620702?format=csv', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/reports/monthly/620702?format=doc', { token: wall })).status).toBe(400);
    expect(
      (await call('GET', '/api/v1/openapi.json', { headers: { origin: 'http://elsewhere.example' } })).status,
    ).toBe(403);
  });

  it('covers cases and exports: a page, a refused query, files of both formats, a region outside', async () => {
    await call('POST', '/api/v1/events', { token: t.ingestKey, body: [dispute('oa-case')] });
    let total = 0;
    const end = Date.now() + 15_000;
    while (total === 0 && Date.now() < end) {
      total = ((await call('GET', '/api/v1/cases?region=620702&limit=5', { token: wall })).body as { total: number })
        .total;
      if (!total) await new Promise((r) => setTimeout(r, 100));
    }
    expect(total).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/cases?kind=rumour', { token: wall })).status).toBe(400);
    expect((await call('GET', '/api/v1/cases?region=620102', { token: countyDuty })).status).toBe(403);
    expect((await call('GET', '/api/v1/cases/export?format=csv&region=620702', { token: wall })).status).toBe(200);
    expect((await call('GET', '/api/v1/cases/export?format=xlsx', { token: countyDuty })).status).toBe(200);
    expect((await call('GET', '/api/v1/cases/export', { token: countyDuty })).status).toBe(400);
    expect((await call('GET', '/api/v1/alerts/export?format=csv&state=closed', { token: countyDuty })).status).toBe(
      200,
    );
    expect((await call('GET', '/api/v1/alerts/export?format=pdf', { token: countyDuty })).status).toBe(400);
  });

  it('covers alert work: the list, one alert in full, a step, a refused step, and silences', async () => {
    await call('POST', '/api/v1/events', {
      token: t.ingestKey,
      body: [dispute('oa-alert', { riskMarkers: ['weapon'] })],
    });
    let id: string | undefined;
    const end = Date.now() + 15_000;
    while (!id && Date.now() < end) {
      const list = await call('GET', '/api/v1/alerts?region=620702', { token: countyDuty });
      id = (list.body as { alerts: { id: string; caseId?: string }[] }).alerts.find((a) => a.caseId === 'oa-alert')?.id;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    expect(id, 'an alert raised by the rules').toBeDefined();
    expect((await call('GET', `/api/v1/alerts/${id}`, { token: countyDuty })).status).toBe(200);
    expect((await call('GET', '/api/v1/alerts/no-such-alert', { token: countyDuty })).status).toBe(404);
    expect((await call('POST', `/api/v1/alerts/${id}/ack`, { token: countyDuty, body: {} })).status).toBe(200);
    expect((await call('POST', `/api/v1/alerts/${id}/ack`, { token: countyDuty, body: {} })).status).toBe(409);
    expect(
      (await call('POST', `/api/v1/alerts/${id}/dispatch`, { token: countyDuty, body: { departments: ['司法所'] } }))
        .status,
    ).toBe(200);
    expect((await call('POST', `/api/v1/alerts/${id}/note`, { token: countyDuty, body: {} })).status).toBe(400);
    expect((await call('POST', `/api/v1/alerts/${id}/ack`, { token: wall, body: {} })).status).toBe(403);
    expect((await call('GET', '/api/v1/alerts?state=open&region=620702', { token: wall })).status).toBe(200);

    const silence = { rule: 'spike', region: '620702', reason: '演练', minutes: 60 };
    expect((await call('POST', '/api/v1/silences', { token: admin, body: silence })).status).toBe(201);
    expect((await call('GET', '/api/v1/silences?region=620702', { token: wall })).status).toBe(200);
    expect((await call('POST', '/api/v1/silences', { token: countyDuty, body: silence })).status).toBe(403);
    expect((await call('DELETE', '/api/v1/silences/spike/620702', { token: admin })).status).toBe(204);
    expect((await call('DELETE', '/api/v1/silences/spike/620702', { token: admin })).status).toBe(404);
    expect((await call('DELETE', '/api/v1/silences/nonsense/620702', { token: admin })).status).toBe(400);
  }, 30_000);

  /** The 重点问题 registered below, put up on a wall by the wall routes' case. */
  let documentedProblem = '';
  it('covers 重点问题: register, list, one in full with its history, steps done and refused, 督办', async () => {
    const deadline = new Date(Date.now() + 86_400_000).toISOString();
    const body = {
      region: '620702001',
      title: '文档测试问题',
      description: '文档测试',
      stars: 2,
      lead: 'dep-620702-police',
      milestones: [{ title: '措施', deadline, weight: 2 }],
    };
    const made = await call('POST', '/api/v1/problems', { token: admin, body });
    expect(made.status).toBe(201);
    const id = (made.body as { problem: { id: string } }).problem.id;
    documentedProblem = id;
    expect((await call('POST', '/api/v1/problems', { token: admin, body: { ...body, stars: 7 } })).status).toBe(400);
    expect((await call('POST', '/api/v1/problems', { token: countyDuty, body })).status).toBe(403);
    expect((await call('GET', '/api/v1/problems?region=620702&state=all', { token: wall })).status).toBe(200);
    expect((await call('GET', `/api/v1/problems/${id}`, { token: countyDuty })).status).toBe(200);
    expect((await call('GET', '/api/v1/problems/pr-nosuch', { token: countyDuty })).status).toBe(404);
    const verify = `/api/v1/problems/${id}/milestones/1/verify`;
    expect((await call('POST', verify, { token: admin, body: {} })).status).toBe(409);
    const restar = { stars: 3, reason: '演练', milestone: { title: '加码', deadline, weight: 1 } };
    expect((await call('POST', `/api/v1/problems/${id}/restar`, { token: admin, body: restar })).status).toBe(200);
    expect((await call('POST', `/api/v1/problems/${id}/supervise`, { token: admin, body: {} })).status).toBe(403);
    expect((await call('GET', '/api/v1/supervision?region=62', { token: admin })).status).toBe(200);
  });

  it('covers administration: users, ingest keys and the audit trail', async () => {
    const user = { username: 'oa-made', password: 'password-123', role: 'duty', region: '620702' };
    expect((await call('POST', '/api/v1/users', { token: admin, body: user })).status).toBe(201);
    expect((await call('POST', '/api/v1/users', { token: admin, body: user })).status).toBe(409);
    expect((await call('POST', '/api/v1/users', { token: wall, body: user })).status).toBe(403);
    expect((await call('GET', '/api/v1/users?region=620702', { token: admin })).status).toBe(200);
    expect((await call('PATCH', '/api/v1/users/oa-made', { token: admin, body: { publicMode: true } })).status).toBe(
      200,
    );
    expect((await call('PATCH', '/api/v1/users/oa-nobody', { token: admin, body: { disabled: true } })).status).toBe(
      404,
    );
    expect(
      (await call('POST', '/api/v1/users/oa-made/password', { token: admin, body: { password: 'another-password' } }))
        .status,
    ).toBe(204);
    expect((await call('POST', '/api/v1/users/oa-made/logout', { token: admin })).status).toBe(204);

    const made = await call('POST', '/api/v1/ingest-keys', { token: admin, body: { source: 'oa', region: '620702' } });
    expect(made.status).toBe(201);
    expect((await call('GET', '/api/v1/ingest-keys', { token: admin })).status).toBe(200);
    const keyId = (made.body as { id: string }).id;
    expect((await call('DELETE', `/api/v1/ingest-keys/${keyId}`, { token: admin })).status).toBe(204);
    expect((await call('DELETE', `/api/v1/ingest-keys/${keyId}`, { token: admin })).status).toBe(409);
    expect((await call('DELETE', '/api/v1/ingest-keys/not-an-id', { token: admin })).status).toBe(400);

    expect((await call('GET', '/api/v1/audit?limit=50', { token: admin })).status).toBe(200);
    expect((await call('GET', '/api/v1/audit', { token: countyDuty })).status).toBe(403);
  });

  it('covers the wall routes: the list, an order and its release, and their refusals', async () => {
    const screen = connectSocket(t.url, {
      transports: ['websocket'],
      auth: { token: wall, wall: '文档屏' },
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    const registered = new Promise((r) => screen.once('wall:registered', r));
    screen.connect();
    try {
      expect(await registered).toMatchObject({ ok: true });
      expect((await call('GET', '/api/v1/walls', { token: countyDuty })).status).toBe(200);
      expect((await call('GET', '/api/v1/walls', { token: wall })).status).toBe(403);
      const until = new Date(Date.now() + 1500).toISOString();
      const given = await call('POST', '/api/v1/walls/focus', {
        token: countyDuty,
        body: { walls: ['文档屏'], target: { region: '620702001' }, until },
      });
      expect(given.status).toBe(201);
      const id = (given.body as { order: { id: string } }).order.id;
      const focus = (body: unknown) => call('POST', '/api/v1/walls/focus', { token: countyDuty, body });
      // A replay moment and a 重点问题 as the document describes their orders (and their refusals).
      const at = new Date(Date.now() - 3_600_000).toISOString();
      expect((await focus({ walls: ['文档屏'], target: { region: '620702', at, speed: 60 } })).status).toBe(201);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await focus({ walls: ['文档屏'], target: { region: '620702', at: future } })).status).toBe(400);
      expect((await focus({ walls: ['文档屏'], target: { region: '620702', at, speed: 9999 } })).status).toBe(400);
      expect((await focus({ walls: ['文档屏'], target: { problem: 'pr-none-0' } })).status).toBe(404);
      if (documentedProblem)
        expect((await focus({ walls: ['文档屏'], target: { problem: documentedProblem } })).status).toBe(201);
      expect((await focus({ walls: ['文档屏'], release: true })).status).toBe(200);
      expect((await focus({ walls: ['无此屏'], target: { region: '620702' } })).status).toBe(404);
      expect((await focus({ walls: ['文档屏'], target: { region: '6201' } })).status).toBe(403);
      expect((await focus({ walls: ['文档屏'] })).status).toBe(400);
      expect((await call('DELETE', '/api/v1/walls/orders/o-0000000000000000', { token: countyDuty })).status).toBe(404);
      expect((await call('DELETE', '/api/v1/walls/orders/bad', { token: countyDuty })).status).toBe(400);
      await new Promise((r) => setTimeout(r, 1600));
      expect((await call('DELETE', `/api/v1/walls/orders/${id}`, { token: countyDuty })).status).toBe(410);
    } finally {
      screen.close();
    }
  });

  it('covers the operator routes outside /api/v1', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    expect((await call('GET', '/metrics')).status).toBe(200);
  });

  it('reports a reply that drifts from the document: a field it does not name, one it lacks, a wrong type', async () => {
    const { body } = await call('GET', '/api/v1/snapshot/620702', { token: wall });
    const snap = body as Record<string, unknown>;
    expect(check('GET', '/api/v1/snapshot/620702', 200, { ...snap, extra: 1 })).not.toEqual([]);
    const { alertCounts: _dropped, ...lacking } = snap;
    expect(check('GET', '/api/v1/snapshot/620702', 200, lacking)).not.toEqual([]);
    expect(check('GET', '/api/v1/snapshot/620702', 200, { ...snap, seq: 'one' })).not.toEqual([]);
    expect(check('GET', '/api/v1/snapshot/620702', 418, snap)).not.toEqual([]);
  });
});
