import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { Tokens } from '../../server/auth/tokens.ts';
import { Users } from '../../server/auth/users.ts';
import { ManualClock } from '../../server/clock.ts';

// The token checks on their own, against a real Redis: the signature and expiry once (`verify`),
// the account and the revocation every time (`verify` and `stillValid`, which a socket runs again
// after joining its session rooms).
let redis: TestRedis;
let client: Redis;
let users: Users;
let tokens: Tokens;
const clock = new ManualClock(Date.parse('2026-12-05T03:00:00Z'));
const secret = new Uint8Array(32).fill(7);

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  client = redis.client();
  users = new Users(client, 't:');
  tokens = new Tokens(secret, users, client, 't:', clock);
  for (const username of ['w1', 'w2', 'w3', 'w4'])
    await users.create({ username, password: 'password-12345', role: 'wall', region: '6207' });
});
afterAll(async () => {
  await redis?.stop();
});

async function issue(username: string) {
  const { token } = await tokens.issue((await users.get(username))!);
  const p = (await tokens.verify(token))!;
  return { token, p };
}

describe('tokens', () => {
  it('verifies a token it issued, with the account’s token version', async () => {
    const { p } = await issue('w1');
    expect(p).toMatchObject({ username: 'w1', role: 'wall', region: '6207', tokenVersion: 0 });
    expect(await tokens.stillValid(p)).toBe(true);
  });

  it('refuses a forged, tampered, foreign-key or expired token', async () => {
    const { token } = await issue('w1');
    const [h, body, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, region: '62', role: 'admin' })).toString('base64url');
    expect(await tokens.verify(`${h}.${widened}.${sig}`)).toBeUndefined();
    const foreign = createSigner({ key: Buffer.alloc(32, 8), algorithm: 'HS256' })(claims);
    expect(await tokens.verify(foreign)).toBeUndefined();
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    expect(await tokens.verify(unsigned)).toBeUndefined();
    const later = new Tokens(secret, users, client, 't:', new ManualClock(clock.now() + 31 * 86_400_000));
    expect(await later.verify(token)).toBeUndefined();
  });

  it('verifies a token issued before the switch to fast-jwt (jose wrote no typ) and refuses another algorithm', async () => {
    // Walls keep their tokens for 30 days: an upgrade must not log them out.
    const now = Math.floor(clock.now() / 1000);
    const claims = { role: 'wall', region: '6207', tv: 0, sub: 'w1', jti: 'before-upgrade', iat: now, exp: now + 60 };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signed = (alg: string, hash: string) => {
      const body = `${b64({ alg })}.${b64(claims)}`;
      return `${body}.${createHmac(hash, Buffer.from(secret)).update(body).digest('base64url')}`;
    };
    expect(await tokens.verify(signed('HS256', 'sha256'))).toMatchObject({ username: 'w1', tokenId: 'before-upgrade' });
    expect(await tokens.verify(signed('HS512', 'sha512'))).toBeUndefined();
  });

  it('refuses a revoked token, and says so when asked again without the signature', async () => {
    const { token, p } = await issue('w2');
    await tokens.revoke(p.tokenId, p.expiresAt);
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.stillValid(p)).toBe(false);
  });

  it('refuses the tokens of a disabled user and of a password reset', async () => {
    const a = await issue('w3');
    // The disabled flag alone refuses, whatever the token version says.
    await client.hset('t:user:w3', 'disabled', 1);
    expect(await tokens.verify(a.token)).toBeUndefined();
    expect(await tokens.stillValid(a.p)).toBe(false);
    await client.hset('t:user:w3', 'disabled', 0);
    expect(await tokens.stillValid(a.p)).toBe(true);
    await users.setDisabled('w3', true);
    await users.setDisabled('w3', false);
    expect(await tokens.verify(a.token)).toBeUndefined();
    expect(await tokens.stillValid(a.p)).toBe(false);

    const b = await issue('w4');
    await users.setPassword('w4', 'password-67890');
    expect(await tokens.verify(b.token)).toBeUndefined();
    expect(await tokens.stillValid(b.p)).toBe(false);
    // A token issued after the reset carries the new version.
    expect(await tokens.stillValid((await issue('w4')).p)).toBe(true);
  });

  it('refuses a deleted user’s token', async () => {
    const { token, p } = await issue('w1');
    await client.del('t:user:w1');
    expect(await tokens.verify(token)).toBeUndefined();
    expect(await tokens.stillValid(p)).toBe(false);
  });

  it('answers checks asked together from one read of each account and token id, each with its own verdict', async () => {
    // A reconnect storm: many screens' checks in one event-loop turn, some of them bad.
    for (const username of ['s1', 's2', 's3', 's4'])
      await users.create({ username, password: 'password-12345', role: 'wall', region: '6207' });
    const good = await issue('s1');
    const good2 = await issue('s1');
    const revoked = await issue('s2');
    await tokens.revoke(revoked.p.tokenId, revoked.p.expiresAt);
    const disabled = await issue('s3');
    await client.hset('t:user:s3', 'disabled', 1);
    const deleted = await issue('s4');
    await client.del('t:user:s4');

    const commands = async () => {
      const info = await client.info('commandstats');
      const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      return { hgetall: calls('hgetall'), exists: calls('exists') };
    };
    const before = await commands();
    const checks = [good, good2, revoked, disabled, deleted, good, revoked];
    const [stills, verified] = await Promise.all([
      Promise.all(checks.map((c) => tokens.stillValid(c.p))),
      Promise.all(checks.map((c) => tokens.verify(c.token))),
    ]);
    const after = await commands();
    expect(stills).toEqual([true, true, false, false, false, true, false]);
    expect(verified.map((p) => p?.tokenId)).toEqual([
      good.p.tokenId,
      good2.p.tokenId,
      undefined,
      undefined,
      undefined,
      good.p.tokenId,
      undefined,
    ]);
    // 14 checks: the four accounts and five token ids, once each (28 commands when read one by one).
    // verify's reads come a turn later (after its signature), so at most twice that.
    expect(after.hgetall - before.hgetall).toBeLessThanOrEqual(8);
    expect(after.exists - before.exists).toBeLessThanOrEqual(10);
    // And a check asked after a revocation sees it.
    await tokens.revoke(good.p.tokenId, good.p.expiresAt);
    expect(await Promise.all([tokens.stillValid(good.p), tokens.stillValid(good2.p)])).toEqual([false, true]);
  });
});
