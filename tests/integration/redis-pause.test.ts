import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { drained } from '../helpers/drain.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { isoBeijing } from '../../server/time/beijing.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

/** Redis's answers are waited for at most this long on the request-serving connections. */
const COMMAND_TIMEOUT_MS = 2000;
/** What a sender may be kept waiting: the bound plus room for a loaded machine. */
const BOUND_MS = COMMAND_TIMEOUT_MS + 3000;
const PAUSE_MS = 10_000;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    // No rate limiter in front: its Redis call would time out first and the appends, whose late
    // landing is the point here, would never be sent.
    env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), RATE_LIMIT_INGEST: '0' },
  });
});
afterAll(async () => {
  // A failed test must not leave the test's Redis frozen for the teardown.
  try {
    process.kill(t.redis.server.pid, 'SIGCONT');
  } catch {
    /* already gone */
  }
  await t?.stop();
});

function batch(n: number, from: number): object[] {
  const occurredAt = isoBeijing(Date.now() - 1000);
  return Array.from({ length: n }, (_, i) => ({
    id: `pause-${from + i}`,
    caseId: `pause-case-${from + i}`,
    kind: 'incident',
    category: 'criminal',
    status: 'reported',
    severity: 1,
    region: '620102',
    occurredAt,
    channel: 'police_110',
    summary: '测试事件',
  }));
}

interface Answer {
  status: number | 'hung';
  ms: number;
  retryAfter: string | null;
  body: unknown;
}

/** A POST that gives up well past the bound, so a hang is seen as such instead of stalling the test. */
async function post(events: object[]): Promise<Answer> {
  const start = Date.now();
  try {
    const res = await fetch(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
      signal: AbortSignal.timeout(BOUND_MS + 5000),
    });
    return {
      status: res.status,
      ms: Date.now() - start,
      retryAfter: res.headers.get('retry-after'),
      body: await res.json(),
    };
  } catch {
    return { status: 'hung', ms: Date.now() - start, retryAfter: null, body: null };
  }
}

async function readyz(): Promise<Answer> {
  const start = Date.now();
  try {
    const res = await fetch(`${t.url}/readyz`, { signal: AbortSignal.timeout(BOUND_MS + 5000) });
    return { status: res.status, ms: Date.now() - start, retryAfter: null, body: await res.json() };
  } catch {
    return { status: 'hung', ms: Date.now() - start, retryAfter: null, body: null };
  }
}

describe('Redis frozen with SIGSTOP for 10 s', () => {
  it('answers every ingest within the bound (503 with Retry-After, or a late 200), says why in /readyz, and counts each acknowledged event once', async () => {
    const BATCH = 20;
    let next = 0;
    const sent: { events: object[]; answer: Answer }[] = [];
    const send = async () => {
      const events = batch(BATCH, next);
      next += BATCH;
      sent.push({ events, answer: await post(events) });
    };
    await send();
    expect(sent[0]!.answer.status).toBe(200);

    const pid = t.redis.server.pid;
    process.kill(pid, 'SIGSTOP');
    const resumeAt = Date.now() + PAUSE_MS;
    const ready: Answer[] = [];
    // Three senders at once, as departments' systems would be, plus a balancer probing /readyz.
    const sender = async () => {
      while (Date.now() < resumeAt - 500) await send();
    };
    const prober = async () => {
      while (Date.now() < resumeAt - 2000) {
        ready.push(await readyz());
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    await Promise.all([sender(), sender(), sender(), prober()]);
    process.kill(pid, 'SIGCONT');

    const during = sent.slice(1);
    const statuses = during.map((s) => s.answer.status);
    expect(statuses).not.toContain('hung');
    for (const s of during) {
      expect(s.answer.ms).toBeLessThan(BOUND_MS);
      expect([200, 503]).toContain(s.answer.status);
      if (s.answer.status === 503) {
        expect(Number(s.answer.retryAfter)).toBeGreaterThan(0);
        expect(s.answer.body).toMatchObject({ error: { code: 'unavailable' } });
      }
    }
    expect(statuses).toContain(503);
    expect(ready.length).toBeGreaterThan(0);
    for (const r of ready) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(r.body).toMatchObject({ ok: false, redis: false });
      expect(String((r.body as { reason?: unknown }).reason)).toMatch(/redis/i);
    }

    // A sender resends what was not acknowledged; what landed anyway is a duplicate, not a second case.
    for (const s of sent.filter((x) => x.answer.status !== 200)) {
      let answer = await post(s.events);
      const end = Date.now() + 20_000;
      while (answer.status !== 200 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        answer = await post(s.events);
      }
      s.answer = answer;
    }
    const acknowledged = sent.filter((s) => s.answer.status === 200).reduce((n, s) => n + s.events.length, 0);
    const landedLate = sent.reduce((n, s) => n + ((s.answer.body as { duplicates?: number }).duplicates ?? 0), 0);
    await drained(t.server.redis, createKeys('62').events, 30_000);
    const token = await t.login('admin', t.adminPassword);
    const res = await fetch(`${t.url}/api/v1/snapshot/62`, { headers: { authorization: `Bearer ${token}` } });
    const counted = ((await res.json()) as Snapshot).counts.today.incident;
    console.log(
      `redis paused ${PAUSE_MS / 1000} s: sent ${next}, acknowledged ${acknowledged}, counted ${counted}; ` +
        `${statuses.filter((s) => s === 503).length} answered 503, ${statuses.filter((s) => s === 200).length} 200 during the pause; ` +
        `${landedLate} of the unacknowledged had landed late and came back as duplicates`,
    );
    expect(acknowledged).toBe(next);
    expect(counted).toBe(acknowledged);
    expect((await readyz()).status).toBe(200);
  }, 60_000);
});

describe('a server starting while its Redis cannot answer yet', () => {
  it('waits for Redis instead of failing its first commands on the request timeout', async () => {
    const redis = await startTestRedis();
    let server: TestServer | undefined;
    try {
      // As a Redis still loading a large AOF: connections open, no answers for a while.
      process.kill(redis.server.pid, 'SIGSTOP');
      const resumed = new Promise((r) => setTimeout(r, 3000)).then(() => process.kill(redis.server.pid, 'SIGCONT'));
      server = await startTestServer({ redis, env: { REDIS_COMMAND_TIMEOUT_MS: '500', AGGREGATOR: 'off' } });
      await resumed;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      try {
        process.kill(redis.server.pid, 'SIGCONT');
      } catch {
        /* gone */
      }
      await server?.stop();
      await redis.stop();
    }
  }, 30_000);
});

describe('the ingest rate limiter on a frozen Redis', () => {
  it('answers 503 with Retry-After within the bound instead of waiting for its counter', async () => {
    const redis = await startTestRedis();
    const server = await startTestServer({ redis, env: { REDIS_COMMAND_TIMEOUT_MS: '1000', AGGREGATOR: 'off' } });
    try {
      process.kill(redis.server.pid, 'SIGSTOP');
      const start = Date.now();
      const res = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch(1, 9000)),
        signal: AbortSignal.timeout(10_000),
      });
      expect(Date.now() - start).toBeLessThan(4000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      process.kill(redis.server.pid, 'SIGCONT');
      await server.stop();
      await redis.stop();
    }
  }, 30_000);
});
