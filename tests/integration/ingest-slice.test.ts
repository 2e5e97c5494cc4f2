import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

let t: TestServer;
let token: string;
beforeAll(async () => {
  t = await startTestServer();
  token = await t.login('admin', t.adminPassword);
});
afterAll(async () => t?.stop());

const nowIso = () => new Date(Date.now() - 60_000).toISOString();

async function snapshot(code: string): Promise<Snapshot> {
  const res = await fetch(`${t.url}/api/v1/snapshot/${code}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Snapshot;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the first slice: ingest → stream → aggregate → snapshot', () => {
  it('counts an event in its village and every ancestor, once', async () => {
    const ev = {
      id: 'slice-1',
      caseId: 'case-slice-1',
      kind: 'incident',
      category: 'criminal',
      status: 'reported',
      severity: 2,
      region: '620702001001',
      occurredAt: nowIso(),
      channel: 'police_110',
      summary: '测试',
    };
    const first = await t.postEvents([ev]);
    expect(first).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } });
    const again = await t.postEvents([ev]);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    for (const code of ['62', '6207', '620702', '620702001', '620702001001']) {
      const s = await until(
        () => snapshot(code),
        (s) => s.counts.today.incident === 1,
      );
      expect(s.counts.today.incident, code).toBe(1);
      expect(s.counts.today.byCategory.criminal, code).toBe(1);
      expect(s.counts.open.incident, code).toBe(1);
    }
    const city = await snapshot('6207');
    expect(city.children.find((c) => c.code === '620702')?.counts.today.incident).toBe(1);
    expect(city.children.find((c) => c.code === '620722')?.counts.today.incident ?? 0).toBe(0);
  });

  it('keeps the good events of a batch and names the bad field', async () => {
    const good = {
      id: 'slice-2',
      caseId: 'c2',
      kind: 'dispute',
      category: 'family',
      status: 'received',
      severity: 1,
      region: '620102',
      occurredAt: nowIso(),
      channel: 'grid',
      summary: '',
    };
    const bad = { ...good, id: 'slice-3', category: 'criminal' };
    const res = await t.postEvents([good, bad]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1, id: 'slice-3' }] });
    const errors = (res.body as { rejected: { errors: string[] }[] }).rejected[0]!.errors;
    expect(errors.join(' ')).toMatch(/^category:/);
  });

  it('runs the aggregator on its own thread and reports its metrics with the server metrics', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    expect(await ready.json()).toMatchObject({
      ok: true,
      redis: true,
      aggregator: true,
      pipeline: { state: 'ok', lagEntries: expect.any(Number), oldestAgeSeconds: expect.any(Number) },
    });
    // The slice's first event was applied by the thread: its counter reaches /metrics through the server.
    const text = await until(
      async () => (await fetch(`${t.url}/metrics`)).text(),
      (m) => /pingan_aggregate_events_total\{result="new_case"\} [1-9]/.test(m),
    );
    expect(text).toMatch(/pingan_aggregate_events_total\{result="new_case"\} [1-9]/);
    expect(text).toMatch(/pingan_aggregate_batch_seconds_count [1-9]/);
    // Ingest counts stay the server thread's; process figures are reported once, not per thread.
    expect(text).toMatch(/pingan_ingest_events_total\{outcome="accepted",source="test"\} [1-9]/);
    expect(text.match(/^pingan_process_cpu_user_seconds_total /gm)).toHaveLength(1);
  });
});
