import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { next, openSocket, rawEmitWithAck, subscribe, type TestSocket } from '../helpers/socket.ts';
import { createKeys } from '../../server/redis/keys.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { regionRoom } from '../../shared/events.ts';
import { MAX_SUBSCRIPTIONS } from '../../server/realtime/handlers.ts';
import { appendedCount } from '../helpers/drain.ts';

/**
 * The hostile-input corpus (tests/fixtures/hostile/, plus bodies too big or too deep to keep as
 * files) fed to ingest, login and the socket. Each input gets its own 4xx with a JSON error (or
 * is stored as inert text); afterwards the server is healthy and what was accepted before is intact.
 */

const dir = new URL('../fixtures/hostile/', import.meta.url);
const fixture = (name: string): Buffer => {
  const raw = fs.readFileSync(new URL(name, dir));
  // Events must be recent to be valid apart from what each file breaks on purpose.
  return name.endsWith('.bin')
    ? raw
    : Buffer.from(raw.toString('utf8').replaceAll('{{NOW}}', new Date(Date.now() - 60_000).toISOString()));
};

const nowIso = () => new Date(Date.now() - 60_000).toISOString();
const good = (id: string, region = '620702001') => ({
  id,
  caseId: id,
  kind: 'incident',
  category: 'criminal',
  status: 'reported',
  severity: 1,
  region,
  occurredAt: nowIso(),
  channel: 'police_110',
  summary: '正常事件',
});

const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

interface Reply {
  status: number;
  contentType: string;
  body: {
    error?: { code: string; message: string; details?: unknown };
    accepted?: number;
    rejected?: { errors: string[] }[];
  };
}

let t: TestServer;
let token: string;
let watcher: TestSocket;
const keys = createKeys('62');
const seeded = Array.from({ length: 5 }, (_, i) => good(`hx-seed-${i}`));
let before: { stream: number; today: number; open: number };
let acceptedByCorpus = 0;

async function send(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let parsed: Reply['body'] = {};
  try {
    parsed = JSON.parse(text) as Reply['body'];
  } catch {
    /* asserted below: every answer is JSON */
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed };
}

const ingest = (body: Buffer | string, contentType = 'application/json', key?: string) =>
  send('/api/v1/events', body, { authorization: `Bearer ${key ?? t.ingestKey}`, 'content-type': contentType });
const login = (body: Buffer | string, contentType = 'application/json') =>
  send('/api/v1/auth/login', body, { 'content-type': contentType });

async function snapshot(code: string): Promise<Snapshot> {
  const res = await fetch(`${t.url}/api/v1/snapshot/${code}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Snapshot;
}

async function state() {
  const s = await snapshot('62');
  return {
    stream: await appendedCount(t.server.redis, keys.events),
    today: s.counts.today.incident,
    open: s.counts.open.incident,
  };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startTestServer();
  token = await t.login('admin', t.adminPassword);
  expect((await t.postEvents(seeded)).body).toMatchObject({ accepted: seeded.length });
  before = await until(state, (s) => s.today === seeded.length);
  watcher = await openSocket(t.url, { token });
  expect((await subscribe(watcher, '620702')).ok).toBe(true);
});
afterAll(async () => {
  watcher?.close();
  await t?.stop();
});

/** Every refusal is a JSON error with a code from the closed list, never a stack or an HTML page. */
function refused(r: Reply, status: number, code: string, message?: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.contentType).toMatch(/^application\/json/);
  expect(r.body.error?.code).toBe(code);
  if (message) expect(r.body.error?.message).toMatch(message);
}

/** A batch answered 422: every event rejected, each with reasons naming the field. */
function rejected(r: Reply, pattern: RegExp): void {
  expect(r.status).toBe(422);
  expect(r.body.accepted).toBe(0);
  expect(r.body.rejected?.[0]?.errors.join(' | ')).toMatch(pattern);
}

describe('hostile input to ingest', () => {
  it('refuses malformed JSON whole', async () =>
    refused(await ingest(fixture('ingest-malformed.json')), 400, 'bad_request', /not valid JSON/));

  it('rejects wrong types, naming each field', async () => {
    const r = await ingest(fixture('ingest-wrong-types.json'));
    rejected(r, /^id:/);
    const errors = r.body.rejected![0]!.errors.join(' | ');
    for (const field of ['caseId', 'severity', 'region', 'occurredAt', 'summary'])
      expect(errors).toContain(`${field}:`);
  });

  it('rejects an unknown region code', async () =>
    rejected(await ingest(fixture('ingest-unknown-region.json')), /region: unknown region code 629999/));

  it('rejects a __proto__ key', async () =>
    rejected(await ingest(fixture('ingest-proto-key.json')), /__proto__: key not allowed/));

  it('rejects a constructor key nested inside an event', async () =>
    rejected(await ingest(fixture('ingest-constructor-nested.json')), /location\.constructor: key not allowed/));

  it('keeps nothing of an NDJSON body with one broken line', async () =>
    refused(
      await ingest(fixture('ingest-broken-line.ndjson'), 'application/x-ndjson'),
      400,
      'bad_request',
      /NDJSON line 2/,
    ));

  it('rejects a body that is a bare JSON scalar', async () =>
    rejected(await ingest(fixture('ingest-scalar.json')), /./));

  it('reads invalid UTF-8 as replacement characters and rejects the event for what it lacks', async () =>
    rejected(await ingest(fixture('ingest-invalid-utf8.bin')), /kind:/));

  it('refuses an empty body', async () => refused(await ingest(''), 400, 'bad_request', /empty body/));

  it('refuses a 10 MB body without reading it all', async () =>
    refused(await ingest(`[${' '.repeat(10 * 1024 * 1024)}]`), 413, 'payload_too_large'));

  it('refuses more than 5,000 events in one body', async () =>
    refused(
      await ingest(JSON.stringify(Array.from({ length: 5001 }, (_, i) => ({ id: `x${i}` })))),
      413,
      'payload_too_large',
      /5001 events/,
    ));

  it('refuses a body with an array nested 10,000 levels deep whole, before parsing it', async () =>
    refused(await ingest(deepArray(10_000)), 400, 'bad_request', /nested deeper than 32 levels/));

  it('refuses a body with an object nested 10,000 levels deep whole, before parsing it', async () =>
    refused(await ingest(`[${deepObject(10_000)}]`), 400, 'bad_request', /nested deeper than 32 levels/));

  it('rejects an event nested a few levels too deep on its own, as a bad event', async () => {
    const r = await ingest(JSON.stringify([{ ...good('hx-deep'), location: { lng: [[[[1]]]], lat: 1 } }]));
    rejected(r, /nested deeper than 4 levels/);
  });

  it('rejects very long strings, naming the fields', async () => {
    const r = await ingest(
      JSON.stringify([{ ...good('x'), id: 'i'.repeat(100_000), summary: '长'.repeat(1_000_000) }]),
    );
    rejected(r, /id: .*\| summary: /);
  });

  it('refuses a missing, unknown or absurd ingest key before reading the body', async () => {
    refused(await send('/api/v1/events', '[]'), 401, 'unauthenticated');
    refused(await ingest('[]', 'application/json', 'not-a-key-0123456789'), 401, 'unauthenticated');
    refused(await ingest('[]', 'application/json', 'k'.repeat(10_000)), 401, 'unauthenticated');
  });

  it('stores a <script> summary as inert text and sends it on exactly as it came', async () => {
    const raw = fixture('ingest-script-summary.json');
    const literal = (JSON.parse(raw.toString('utf8')) as { summary: string }[])[0]!.summary;
    const ticker = next(watcher, 'ticker');
    const r = await ingest(raw);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    acceptedByCorpus += 1;
    const item = (await ticker).find((i) => i.id === 'hx-script');
    expect(item?.summary).toBe(literal);
  });
});

describe('hostile input to login', () => {
  it('refuses malformed JSON', async () =>
    refused(await login(fixture('login-malformed.json')), 400, 'bad_request', /not valid JSON/));

  it('refuses wrong types, naming the fields', async () => {
    const r = await login(fixture('login-wrong-types.json'));
    refused(r, 400, 'bad_request');
    expect(JSON.stringify(r.body.error?.details)).toMatch(/username:.*password:/);
  });

  it('refuses a __proto__ key', async () =>
    refused(await login(fixture('login-proto-key.json')), 400, 'bad_request', /__proto__: key not allowed/));

  it('refuses a nested constructor key', async () =>
    refused(
      await login(fixture('login-constructor-key.json')),
      400,
      'bad_request',
      /extra\.constructor: key not allowed/,
    ));

  it('answers markup in the credentials with a plain 401 that does not echo it', async () => {
    const r = await login(fixture('login-script-username.json'));
    refused(r, 401, 'unauthenticated');
    expect(JSON.stringify(r.body)).not.toContain('<script>');
  });

  it('refuses a 10 MB body', async () =>
    refused(
      await login(JSON.stringify({ username: 'a', password: 'p'.repeat(10 * 1024 * 1024) })),
      413,
      'payload_too_large',
    ));

  it('refuses nesting 10,000 levels deep', async () =>
    refused(await login(`{"username":"a","password":${deepArray(10_000)}}`), 400, 'bad_request', /nested deeper than/));

  it('refuses a very long username', async () =>
    refused(await login(JSON.stringify({ username: 'u'.repeat(60_000), password: 'x' })), 400, 'bad_request'));

  it('refuses a body that is not JSON at all', async () =>
    refused(await login('username=admin&password=x', 'application/x-www-form-urlencoded'), 400, 'bad_request'));
});

describe('hostile input to the socket', () => {
  const reply = async (s: TestSocket, payload: unknown) => {
    const r = await s.timeout(5000).emitWithAck('subscribe', payload as string);
    return r.ok ? 'ok' : r.error.code;
  };

  it('answers each bad subscription with its own error code', async () => {
    const s = await openSocket(t.url, { token });
    expect(await reply(s, { code: '620702' })).toBe('bad_request');
    expect(await reply(s, JSON.parse(fixture('socket-subscribe-proto.json').toString('utf8')))).toBe('bad_request');
    expect(await reply(s, 'x'.repeat(10_000))).toBe('bad_request');
    expect(await reply(s, '<script>alert(1)</script>')).toBe('bad_request');
    // Too deep for the client's encoder to even send: written raw, as an attacker would.
    expect(await rawEmitWithAck(s, `["subscribe",${deepArray(5_000)}]`)).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await reply(s, '629999')).toBe('unknown_region');
    expect(await reply(s, null)).toBe('bad_request');
    // No acknowledgement function: ignored, and the connection goes on.
    (s.emit as (event: string, region: string) => void)('subscribe', '620702');
    expect(await reply(s, '620702')).toBe('ok');
    s.close();
  });

  it('throttles a flood of subscriptions on one connection', async () => {
    const s = await openSocket(t.url, { token });
    const codes = await Promise.all(Array.from({ length: 60 }, () => reply(s, '620702')));
    expect(codes).toContain('rate_limited');
    expect(codes).toContain('ok');
    s.close();
  });

  it('holds a connection to 8 regions when 20 subscriptions arrive at once', async () => {
    const s = await openSocket(t.url, { token });
    const counties = t.tree.codesAt('county').slice(0, 20);
    const codes = await Promise.all(counties.map((c) => reply(s, c)));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(codes.filter((c) => c === 'too_many_subscriptions')).toHaveLength(20 - MAX_SUBSCRIPTIONS);
    const rooms = [...(t.server.io.sockets.sockets.get(s.id!)?.rooms ?? [])];
    expect(rooms.filter((r) => r.startsWith(regionRoom('')))).toHaveLength(MAX_SUBSCRIPTIONS);
    s.close();
  });

  it('drops a connection that sends a packet it cannot parse, and only that one', async () => {
    const s = await openSocket(t.url, { token });
    const gone = new Promise<string>((r) => s.once('disconnect', r));
    s.io.engine.write('21["subscribe","620702"');
    expect(await gone).toBe('transport close');
    s.close();
    expect(watcher.connected).toBe(true);
  });

  it('drops a connection that sends a message over 16 KB, and only that one', async () => {
    const s = await openSocket(t.url, { token });
    const gone = new Promise<string>((r) => s.once('disconnect', r));
    s.emit('subscribe', 'x'.repeat(64 * 1024), () => undefined);
    expect(await gone).toMatch(/transport (close|error)/);
    s.close();
    expect(watcher.connected).toBe(true);
  });

  it('refuses a handshake whose token is not a string or is absurdly long', async () => {
    await expect(openSocket(t.url, { token: { role: 'admin' } as unknown as string })).rejects.toThrow();
    await expect(openSocket(t.url, { token: 't'.repeat(100_000) })).rejects.toThrow();
  });
});

describe('after the corpus', () => {
  it('is healthy and still holds exactly what it accepted', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const after = await until(state, (s) => s.today === before.today + acceptedByCorpus);
    expect(after).toEqual({
      stream: before.stream + acceptedByCorpus,
      today: before.today + acceptedByCorpus,
      open: before.open + acceptedByCorpus,
    });
    // The events accepted before the corpus are still known: sending them again changes nothing.
    expect((await t.postEvents(seeded)).body).toMatchObject({ accepted: 0, duplicates: seeded.length });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
