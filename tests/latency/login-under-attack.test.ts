import http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { auditKeys, recordOf } from '../../server/audit/log.ts';
import { createKeys } from '../../server/redis/keys.ts';

/**
 * Logins under a spray of wrong passwords from one address: the address runs out of budget
 * whatever names it tries, it never holds more than its share of the password hashing, a correct
 * login from elsewhere still answers at once, and the audit trail gets one line per address, not
 * one per attempt. In tests/latency: the correct login's answer time is judged against idle logins
 * measured alongside, which only holds with the machine to this file (a fresh-clone run with the
 * suite sharing two cores measured 3,543 ms against a bound of 2,375).
 */

interface Reply {
  status: number;
  retryAfter: string | undefined;
  ms: number;
}

/** A login over a connection of its own from `localAddress` (Linux routes all of 127/8 to lo). */
function login(t: TestServer, username: string, password: string, localAddress = '127.0.0.1'): Promise<Reply> {
  const body = JSON.stringify({ username, password });
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      localAddress,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'] as string | undefined,
          ms: performance.now() - start,
        }),
      );
    });
    req.end(body);
  });
}

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('a spray of bad logins from one address', () => {
  it('answers a correct login from another address within 1 s (eight idle logins when loaded) while 150 bad logins are in flight', async () => {
    // The address limits are lifted so that every attempt reaches the password check: with them,
    // the address would be refused after 50 failures and the hashing never tested.
    t = await startTestServer({ env: { RATE_LIMIT_LOGIN: '0', RATE_LIMIT_LOGIN_ADDRESS: '0' } });
    const server = t;
    await server.userToken('desk', 'duty', '6207');
    // What a login costs on this machine right now, unattacked: 177 ms on an idle 2-core machine,
    // 500-1000 ms on one shared with five other test runs, where answering the 150 refusals (on
    // this very event loop) also takes seconds. The bound is 1 s, or eight unattacked logins on a
    // loaded machine; before the hashing had a line, the correct login waited for the spray's 150
    // hashes, some forty times an unattacked login.
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) idle.push((await login(server, 'desk', 'pw-desk-12345', '127.0.0.2')).ms);
    const bound = Math.max(1000, 8 * idle.sort((a, b) => a - b)[1]!);
    // A burst of 150 wrong logins with names of their own, all sent at once; the correct login
    // goes while they are being answered.
    const spray = Promise.all(Array.from({ length: 150 }, (_, i) => login(server, `spray-${i}`, 'wrong-password')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const correct = await login(server, 'desk', 'pw-desk-12345', '127.0.0.2');
    const statuses = await spray;
    expect(correct.status).toBe(200);
    expect(correct.ms).toBeLessThan(bound);
    // The spray was answered, not queued: refusals say when to come back.
    const refused = statuses.filter((r) => r.status === 429 || r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => Number(r.retryAfter) >= 1)).toBe(true);
    expect(statuses.every((r) => [401, 429, 503].includes(r.status))).toBe(true);
  });

  it('refuses an address that has failed its budget, whatever the usernames, and only that address', async () => {
    t = await startTestServer({ env: { RATE_LIMIT_LOGIN_ADDRESS: '5' } });
    await t.userToken('desk', 'duty', '6207');
    for (let i = 0; i < 5; i++) expect((await login(t, `nobody-${i}`, 'wrong-password')).status).toBe(401);
    const blocked = await login(t, 'desk', 'pw-desk-12345');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect((await login(t, 'desk', 'pw-desk-12345', '127.0.0.2')).status).toBe(200);
  });
});

describe('failed logins in the audit trail', () => {
  let redis: TestRedis;
  afterAll(async () => {
    await redis?.stop();
  });

  it('are summed into one entry per address, with the count and the names tried', async () => {
    redis = await startTestRedis({ appendonly: false });
    t = await startTestServer({ redis });
    const trail = auditKeys(createKeys('62').prefix).stream;
    const client = redis.client();
    const before = await client.xlen(trail);
    for (let i = 0; i < 8; i++) expect((await login(t, `nobody-${i % 4}`, 'wrong-password')).status).toBe(401);
    // The window is still open: no entry per attempt.
    expect(await client.xlen(trail)).toBe(before);
    // Closing the server closes the window.
    await t.stop();
    t = undefined;
    const entries = ((await client.xrange(trail, '-', '+')) as [string, string[]][])
      .map(([, fields]) => recordOf(fields))
      .filter((r) => r?.action === 'auth.login_failed');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toMatchObject({
      ip: '127.0.0.1',
      count: 8,
      usernames: 'nobody-0,nobody-1,nobody-2,nobody-3',
    });
  });
});
