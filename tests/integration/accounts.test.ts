import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { next, openSocket, subscribe } from '../helpers/socket.ts';
import { verifyAuditChain } from '../../server/audit/verify.ts';
import { createKeys } from '../../server/redis/keys.ts';

let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let admin: string;

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  // Two server processes on one Redis, as behind a load balancer.
  [a, b] = await Promise.all([startTestServer({ redis }), startTestServer({ redis })]);
  admin = await a.login('admin', a.adminPassword);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
});

async function api(t: TestServer, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const event = (id: string, region: string, summary = '') => ({
  id,
  caseId: id,
  kind: 'incident',
  category: 'public_order',
  status: 'reported',
  severity: 1,
  region,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  channel: 'police_110',
  summary,
});

describe('accounts administered by an admin', () => {
  it('creates, lists and disables users of its own subtree only', async () => {
    const county = await a.userToken('county-admin', 'admin', '620702');
    expect(
      (
        await api(a, 'POST', '/users', county, {
          username: 'g1',
          password: 'password-1',
          role: 'wall',
          region: '620702001',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api(a, 'POST', '/users', county, {
          username: 'g2',
          password: 'password-1',
          role: 'wall',
          region: '620102',
        })
      ).status,
    ).toBe(403);
    const list = (await api(a, 'GET', '/users', county)).body as { username: string }[];
    expect(list.map((u) => u.username)).toEqual(['county-admin', 'g1']);
    expect((await api(a, 'PATCH', '/users/admin', county, { disabled: true })).status).toBe(403);
    expect((await api(a, 'PATCH', '/users/county-admin', county, { disabled: true })).status).toBe(400);
  });

  it('disconnects a disabled user’s screens on every process at once, telling them why', async () => {
    const token = await a.userToken('wall-b', 'wall', '6207');
    const s = await openSocket(b.url, { token });
    const ended = next(s, 'session:ended');
    const gone = new Promise<string>((r) => s.once('disconnect', r));
    expect((await api(a, 'PATCH', '/users/wall-b', admin, { disabled: true })).status).toBe(200);
    expect(await ended).toBe('disabled');
    expect(await gone).toBe('io server disconnect');
    expect((await api(b, 'GET', '/regions/6207', token)).status).toBe(401);
    await expect(openSocket(b.url, { token })).rejects.toThrow('unauthenticated');
    expect((await api(a, 'PATCH', '/users/wall-b', admin, { disabled: false })).status).toBe(200);
    expect(await a.login('wall-b', 'pw-wall-b-12345')).toBeTruthy();
  });

  it('ends every session of a user whose password is reset', async () => {
    const token = await a.userToken('duty-pw', 'duty', '6207');
    const s = await openSocket(a.url, { token });
    const ended = next(s, 'session:ended');
    expect((await api(b, 'POST', '/users/duty-pw/password', admin, { password: 'new-password-1' })).status).toBe(204);
    expect(await ended).toBe('password_changed');
    expect((await api(a, 'GET', '/regions/6207', token)).status).toBe(401);
    expect(await a.login('duty-pw', 'new-password-1')).toBeTruthy();
  });

  it('logs out one token and closes only the screens that use it', async () => {
    const t1 = await a.userToken('duty-lo', 'duty', '6207');
    const t2 = await a.login('duty-lo', 'pw-duty-lo-12345');
    const s1 = await openSocket(b.url, { token: t1 });
    const s2 = await openSocket(b.url, { token: t2 });
    const ended = next(s1, 'session:ended');
    expect((await api(a, 'POST', '/auth/logout', t1)).status).toBe(204);
    expect(await ended).toBe('logged_out');
    expect((await api(a, 'GET', '/regions/6207', t1)).status).toBe(401);
    expect((await api(a, 'GET', '/regions/6207', t2)).status).toBe(200);
    expect(s2.connected).toBe(true);
    s2.close();
  });

  it('issues an ingest key once, binds it to a region and revokes it', async () => {
    const county = await a.userToken('key-admin', 'admin', '620702');
    const created = await api(a, 'POST', '/ingest-keys', county, { source: 'grid-app' });
    expect(created.status).toBe(201);
    const { id, key, region } = created.body as { id: string; key: string; region: string };
    expect(region).toBe('620702');
    const listed = (await api(a, 'GET', '/ingest-keys', county)).body as Record<string, unknown>[];
    expect(listed.map((k) => k.id)).toEqual([id]);
    expect(JSON.stringify(listed)).not.toContain(key);

    const post = (events: unknown[]) =>
      fetch(`${b.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify(events),
      });
    const res = await post([event('key-in', '620702001'), event('key-out', '620102')]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, id: 'key-out', errors: [expect.stringMatching(/^region: outside/)] }],
    });

    expect((await api(a, 'DELETE', `/ingest-keys/${id}`, admin)).status).toBe(204);
    expect((await post([event('key-late', '620702001')])).status).toBe(401);
    expect((await api(a, 'DELETE', `/ingest-keys/${id}`, admin)).status).toBe(409);
  });

  it('keeps every login and admin action in an intact audit trail', async () => {
    const entries = (await api(a, 'GET', '/audit?limit=500', admin)).body as { action: string; actor: string }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'auth.login',
      'auth.logout',
      'user.create',
      'user.disable',
      'user.enable',
      'user.password_reset',
      'ingest_key.create',
      'ingest_key.revoke',
    ])
      expect(actions, action).toContain(action);
    const v = await verifyAuditChain(a.server.redis, createKeys('62').prefix);
    expect(v.problems).toEqual([]);
  });
});

describe('public mode', () => {
  it('masks names, phone and ID numbers in the ticker of a public screen, not of a desk', async () => {
    const wall = await a.userToken('lobby-wall', 'wall', '6207');
    const duty = await a.userToken('desk', 'duty', '6207');
    const lobby = await openSocket(a.url, { token: wall, public: true });
    const desk = await openSocket(a.url, { token: duty });
    expect((await subscribe(lobby, '620702')).ok).toBe(true);
    expect((await subscribe(desk, '620702')).ok).toBe(true);
    const seen = Promise.all([next(lobby, 'ticker'), next(desk, 'ticker')]);
    const summary = '村民张三丰与邻居李四因宅基地发生纠纷，电话13812345678，身份证620102199001011234';
    expect((await a.postEvents([event('pm-1', '620702001', summary)])).status).toBe(200);
    const [masked, plain] = await seen;
    expect(masked.find((i) => i.id === 'pm-1')?.summary).toBe(
      '村民张**与邻居李*因宅基地发生纠纷，电话138****5678，身份证620102********1234',
    );
    expect(plain.find((i) => i.id === 'pm-1')?.summary).toBe(summary);
    lobby.close();
    desk.close();
  });

  it('is forced by the account setting, whatever the screen asks', async () => {
    const token = await a.userToken('forced-wall', 'wall', '6207');
    expect((await api(a, 'PATCH', '/users/forced-wall', admin, { publicMode: true })).status).toBe(200);
    const s = await openSocket(b.url, { token, public: false });
    expect((await subscribe(s, '620702')).ok).toBe(true);
    const ticker = next(s, 'ticker');
    await a.postEvents([event('pm-2', '620702001', '报警人：王小明称电动车被盗')]);
    expect((await ticker).find((i) => i.id === 'pm-2')?.summary).toBe('报警人：王**称电动车被盗');
    s.close();
  });
});

describe('public mode over REST', () => {
  it('masks the alert list of a public screen and keeps alert details from it', async () => {
    const wall = await a.userToken('public-rest', 'wall', '6207');
    expect((await api(a, 'PATCH', '/users/public-rest', admin, { publicMode: true })).status).toBe(200);
    const duty = await a.userToken('rest-duty', 'duty', '6207');
    await a.postEvents([
      {
        ...event('pm-alert', '620702001001', '村民张三丰持刀'),
        kind: 'dispute',
        category: 'family',
        status: 'received',
        riskMarkers: ['weapon'],
      },
    ]);
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      const list = (await api(a, 'GET', '/alerts?region=6207', duty)).body as {
        alerts: { id: string; caseId?: string }[];
      };
      id = list.alerts.find((x) => x.caseId === 'pm-alert')?.id;
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    expect(id).toBeDefined();
    expect((await api(a, 'POST', `/alerts/${id}/ack`, duty, {})).status).toBe(200);
    const seen = (await api(a, 'GET', '/alerts?region=6207', wall)).body as { alerts: Record<string, unknown>[] };
    const mine = seen.alerts.find((x) => x.id === id)!;
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('signedBy');
    expect((await api(a, 'GET', `/alerts/${id}`, wall)).status).toBe(403);
    expect((await api(a, 'GET', `/alerts/${id}`, duty)).status).toBe(200);
  });
});

describe('the socket handshake', () => {
  it('refuses a foreign origin and accepts its own and configured ones', async () => {
    const token = await a.userToken('origin-wall', 'wall', '6207');
    await expect(openSocket(a.url, { token }, { origin: 'https://evil.example' })).rejects.toThrow();
    const own = await openSocket(a.url, { token }, { origin: a.url });
    own.close();
    const c = await startTestServer({ redis, env: { ALLOWED_ORIGINS: 'https://wall.example.gov.cn' } });
    try {
      const listed = await openSocket(c.url, { token }, { origin: 'https://wall.example.gov.cn' });
      listed.close();
      await expect(openSocket(c.url, { token }, { origin: 'https://evil.example' })).rejects.toThrow();
    } finally {
      await c.stop();
    }
  });

  it('refuses a missing or forged token', async () => {
    await expect(openSocket(a.url, { token: '' })).rejects.toThrow('unauthenticated');
    await expect(openSocket(a.url, { token: `${admin}x` })).rejects.toThrow('unauthenticated');
  });
});

describe('hardening of the HTTP surface', () => {
  it('limits failed logins per address and username, across processes', async () => {
    await a.userToken('victim', 'duty', '6207');
    const attempt = (t: TestServer, password: string) =>
      fetch(`${t.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'victim', password }),
      });
    for (let i = 0; i < 10; i++) expect((await attempt(i % 2 ? a : b, 'wrong-password')).status).toBe(401);
    const blocked = await attempt(a, 'pw-victim-12345');
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another name from the same address is not held back by it.
    expect(await a.login('desk', 'pw-desk-12345')).toBeTruthy();
  });

  it('keys the login limit on the connection by default, so a rotating X-Forwarded-For does not escape it', async () => {
    await a.userToken('xff-victim', 'duty', '6207');
    const attempt = (i: number, password: string) =>
      fetch(`${a.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ username: 'xff-victim', password }),
      });
    for (let i = 0; i < 10; i++) expect((await attempt(i, 'wrong-password')).status).toBe(401);
    expect((await attempt(10, 'pw-xff-victim-12345')).status).toBe(429);
  });

  it('sends a strict Content-Security-Policy and refuses foreign origins on the API', async () => {
    const res = await fetch(`${a.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const foreign = await fetch(`${a.url}/api/v1/regions/62`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${admin}` },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
