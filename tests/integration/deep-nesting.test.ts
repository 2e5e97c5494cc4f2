import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Bodies nested millions of levels deep are refused by a scan of their bytes before any parser
 * builds them, so three at once never hold the event loop long enough to starve other requests.
 */

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

interface Reply {
  status: number;
  body: { error?: { code: string; message: string } };
}

/**
 * POSTs through node:http, writing the body in 64 KB slices of one Buffer: fetch copies a body
 * several times on this (the server's) event loop, which would stall it for the test's own sake.
 */
function post(path: string, body: Buffer | string, headers: Record<string, string>): Promise<Reply> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-length': bytes.length },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['body'],
        }),
      );
      res.on('error', reject);
    });
    const write = (offset: number): void => {
      while (offset < bytes.length) {
        const end = Math.min(offset + 65_536, bytes.length);
        const more = req.write(bytes.subarray(offset, end));
        offset = end;
        if (!more) {
          req.once('drain', () => write(offset));
          return;
        }
      }
      req.end();
    };
    write(0);
  });
}

/**
 * Runs `work` while /healthz is asked every 20 ms; resolves with the work's result, the slowest
 * /healthz round trip and the longest event-loop stall seen, in milliseconds.
 */
async function whileWatched<T>(work: () => Promise<T>): Promise<{ result: T; healthzMs: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let healthzMs = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      const start = performance.now();
      const res = await fetch(`${t.url}/healthz`);
      await res.arrayBuffer();
      healthzMs = Math.max(healthzMs, performance.now() - start);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const result = await work();
    return { result, healthzMs, stallMs: delay.max / 1e6 };
  } finally {
    running = false;
    await poller;
    delay.disable();
  }
}

/** `[[[…]]]`, `levels` deep, as bytes. */
const deep = (levels: number) => Buffer.alloc(2 * levels, '[').fill(']', levels);

describe('bodies nested millions of levels deep', () => {
  it('refuses three concurrent 8 MB ingest bodies, naming the depth, while /healthz keeps answering', async () => {
    const body = deep(4_000_000);
    const { result, healthzMs, stallMs } = await whileWatched(() =>
      Promise.all(
        [0, 1, 2].map(() =>
          post('/api/v1/events', body, { authorization: `Bearer ${t.ingestKey}`, 'content-type': 'application/json' }),
        ),
      ),
    );
    for (const r of result) {
      expect(r.status).toBe(400);
      expect(r.body.error?.message).toMatch(/nested deeper than 32 levels/);
    }
    // Parsing them held the event loop for seconds (on a loaded 2-core machine /healthz took 8 s,
    // the longest stall was 5 s); refused from their first bytes, what remains is reading 24 MB.
    // The bounds leave room for a machine shared with other work (hundreds of ms there).
    expect(healthzMs).toBeLessThan(2000);
    expect(stallMs).toBeLessThan(1500);
  });

  it('refuses a deep body to the rest of the API from its bytes, before parsing: a truncated one too', async () => {
    const body = `{"username":"a","password":${'['.repeat(30_000)}`;
    const r = await post('/api/v1/auth/login', body, { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/nested deeper than 16 levels/);
  });

  it('refuses a JSON body in another charset than UTF-8, whose bytes the depth scan cannot read', async () => {
    const r = await post('/api/v1/auth/login', JSON.stringify({ username: 'a', password: 'b' }), {
      'content-type': 'application/json; charset=utf-16le',
    });
    expect(r.status).toBe(415);
    expect(r.body.error?.message).toMatch(/UTF-8/);
  });
});
