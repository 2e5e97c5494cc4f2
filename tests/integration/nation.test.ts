/**
 * A national deployment (REGION_ROOT=00 over 甘肃 and 广东): national users see every province,
 * province users see theirs and neither the nation nor the other province, and the nation ranks
 * its provinces against each other by the 平安指数 and the 督办考核, from the provinces' own
 * counters (written under their own hash tags, summed for the nation when read).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { regionsWith } from '../helpers/provinces.ts';
import { drained } from '../helpers/drain.ts';
import { openSocket, subscribe } from '../helpers/socket.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createKeys } from '../../server/redis/keys.ts';
import type { SafetyIndexReply } from '../../shared/schemas/safety-index.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

const PROVINCES = ['44', '62'];
/** Disputes posted per province, half of them resolved; and criminal incidents. */
const POSTED = {
  '62': { disputes: 12, resolved: 9, incidents: 7 },
  '44': { disputes: 20, resolved: 10, incidents: 5 },
};

let dir: string;
let tree: RegionTree;
let t: TestServer;
const tokens: Record<string, string> = {};

async function get(path: string, who: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
}

function villageOf(province: string): string {
  let c = province;
  while (c.length < 12) c = tree.children(c).find((k) => !/虚拟/.test(k.name))!.code;
  return c;
}

function events(province: string) {
  const p = POSTED[province as keyof typeof POSTED];
  const region = villageOf(province);
  const at = new Date(Date.now() - 120_000).toISOString();
  const later = new Date(Date.now() - 60_000).toISOString();
  const out: unknown[] = [];
  for (let i = 0; i < p.disputes; i++) {
    const caseId = `nation-${province}-d${i}`;
    const base = { caseId, kind: 'dispute', category: 'neighbour', severity: 1, region, channel: 'grid' };
    out.push({ ...base, id: `${caseId}-0`, status: 'received', occurredAt: at, summary: '邻里纠纷' });
    if (i < p.resolved)
      out.push({ ...base, id: `${caseId}-1`, status: 'resolved', occurredAt: later, summary: '调解成功' });
  }
  for (let i = 0; i < p.incidents; i++) {
    const caseId = `nation-${province}-i${i}`;
    out.push({
      id: caseId,
      caseId,
      kind: 'incident',
      category: 'criminal',
      status: 'reported',
      severity: 1,
      region,
      occurredAt: at,
      channel: 'police_110',
      summary: '盗窃',
    });
  }
  return out;
}

beforeAll(async () => {
  dir = regionsWith(PROVINCES);
  tree = await loadRegionTree('00', dir, PROVINCES);
  // The aggregator thread would load its tree from the repository's regions/, without 广东.
  t = await startTestServer({ tree, env: { PROVINCES: PROVINCES.join(','), AGGREGATOR: 'inline' } });
  for (const p of PROVINCES) {
    const res = await t.postEvents(events(p));
    expect(res.status).toBe(200);
    expect((res.body as { rejected: unknown[] }).rejected).toEqual([]);
  }
  for (const p of PROVINCES) await drained(t.server.redis, createKeys(p).events);
  for (const role of ['wall', 'duty', 'commander', 'admin'] as const) {
    tokens[`nation-${role}`] = await t.userToken(`nation-${role}`, role, '00');
    tokens[`gansu-${role}`] = await t.userToken(`gansu-${role}`, role, '62');
  }
}, 180_000);
afterAll(async () => {
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Region reads (every one a region route checks), for a code. */
const READS = (code: string) => [
  `/regions/${code}`,
  `/snapshot/${code}`,
  `/index/${code}`,
  `/timeliness/${code}`,
  `/assessment/${code}`,
  `/assessment/${code}/export?format=csv`,
  `/reports/monthly/${code}`,
  `/alerts?region=${code}`,
  `/cases?region=${code}`,
  `/supervision?region=${code}`,
  `/problems?region=${code}`,
  `/silences?region=${code}`,
  `/departments?region=${code}`,
];

describe('scope under the national root', () => {
  it('lets a national user of every role read the nation and every province', async () => {
    const wrong: string[] = [];
    for (const role of ['wall', 'duty', 'commander', 'admin'])
      for (const code of ['00', '62', '44', '4401', villageOf('44')])
        for (const path of READS(code)) {
          // The 督办考核 and the 通报 stop at the township; 上报及时率 too.
          if (code.length === 12 && /assessment|reports|timeliness/.test(path)) continue;
          const { status } = await get(path, `nation-${role}`);
          if (status !== 200) wrong.push(`${role} ${path}: ${status}`);
        }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('refuses a province user the nation and the other province, on every region route', async () => {
    const wrong: string[] = [];
    for (const role of ['wall', 'duty', 'commander', 'admin'])
      for (const [code, expected] of [
        ['00', 403],
        ['44', 403],
        ['4401', 403],
        ['62', 200],
      ] as const)
        for (const path of READS(code)) {
          const { status } = await get(path, `gansu-${role}`);
          if (status !== expected) wrong.push(`${role} ${path}: ${status}, expected ${expected}`);
        }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('lets only a national admin create accounts and ingest keys at 00', async () => {
    const post = async (who: string, path: string, body: unknown) =>
      (
        await fetch(`${t.url}/api/v1${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    const user = (name: string, region: string) => ({ username: name, password: 'password-123', role: 'wall', region });
    expect(await post('nation-admin', '/users', user('nation-wall-2', '00'))).toBe(201);
    expect(await post('nation-admin', '/users', user('guangdong-wall', '44'))).toBe(201);
    expect(await post('gansu-admin', '/users', user('sneaky-nation', '00'))).toBe(403);
    expect(await post('gansu-admin', '/users', user('sneaky-guangdong', '44'))).toBe(403);
    expect(await post('nation-admin', '/ingest-keys', { source: 'nation', region: '00' })).toBe(201);
    expect(await post('gansu-admin', '/ingest-keys', { source: 'nation', region: '00' })).toBe(403);
  });

  it('subscribes a national wall to the nation and a province, and refuses a province wall the nation', async () => {
    const national = await openSocket(t.url, { token: tokens['nation-wall']! });
    const gansu = await openSocket(t.url, { token: tokens['gansu-wall']! });
    try {
      const n = await subscribe(national, '00');
      expect(n.ok).toBe(true);
      const children = (n as { ok: true; data: Snapshot }).data.children.map((c) => c.code);
      expect(children).toEqual(PROVINCES);
      expect((await subscribe(national, '44')).ok).toBe(true);
      const refused = await subscribe(gansu, '00');
      expect(refused.ok ? 'ok' : refused.error.code).toBe('out_of_scope');
      const other = await subscribe(gansu, '44');
      expect(other.ok ? 'ok' : other.error.code).toBe('out_of_scope');
      expect((await subscribe(gansu, '62')).ok).toBe(true);
    } finally {
      national.close();
      gansu.close();
    }
  });
});

describe('the nation ranks its provinces', () => {
  it('by the 平安指数: each province scored from its own counters, ranked among the provinces', async () => {
    const nation = (await get('/index/00', 'nation-wall')).body as SafetyIndexReply;
    expect(nation.region.level).toBe('nation');
    expect(nation.children.map((c) => c.code)).toEqual(PROVINCES);
    const crime = nation.indicators.find((i) => i.id === 'crime')!;
    expect(crime.value).toBe(POSTED['62'].incidents + POSTED['44'].incidents);
    const positions: number[] = [];
    for (const p of PROVINCES) {
      const r = (await get(`/index/${p}`, 'nation-wall')).body as SafetyIndexReply;
      expect(r.rank).toMatchObject({ level: 'province', of: PROVINCES.length });
      expect(r.indicators.find((i) => i.id === 'crime')!.value).toBe(POSTED[p as keyof typeof POSTED].incidents);
      const resolution = r.indicators.find((i) => i.id === 'resolution')!.value!;
      const posted = POSTED[p as keyof typeof POSTED];
      expect(resolution).toBeCloseTo(posted.resolved / posted.disputes, 6);
      expect(nation.children.find((c) => c.code === p)!.score).toBe(r.score);
      positions.push(r.rank.position);
    }
    expect(positions.sort()).toEqual(positions[0] === positions[1] ? [1, 1] : [1, 2]);
  });

  it('by the 督办考核: one desk row per province, figures from its own counters, ranked', async () => {
    const { status, body } = await get('/assessment/00', 'nation-commander');
    expect(status).toBe(200);
    const a = body as AssessmentReply;
    expect(a.region).toMatchObject({ code: '00', level: 'nation' });
    expect(a.desks.map((d) => d.code)).toEqual(PROVINCES);
    for (const d of a.desks) {
      const posted = POSTED[d.code as keyof typeof POSTED];
      expect(d.figures.disputeResolution).toMatchObject({ num: posted.resolved, den: posted.disputes });
      expect(d.figures.reportOnTime!.den).toBeGreaterThanOrEqual(posted.disputes + posted.incidents);
    }
    // The nation's own row is the sum of its provinces'.
    expect(a.own.figures.reportOnTime!.den).toBe(a.desks.reduce((n, d) => n + d.figures.reportOnTime!.den, 0));
    // 甘肃 resolved 9 of 12 (75 %), 广东 10 of 20 (50 %): 甘肃 first.
    const rank = (code: string) => a.desks.find((d) => d.code === code)!.figures.disputeResolution!.rank;
    expect([rank('62'), rank('44')]).toEqual([1, 2]);
    const all = POSTED['62'].disputes + POSTED['44'].disputes;
    expect(a.own.figures.disputeResolution).toMatchObject({
      num: POSTED['62'].resolved + POSTED['44'].resolved,
      den: all,
    });
    // A province's own assessment reads its own counters too.
    const gd = (await get('/assessment/44', 'nation-commander')).body as AssessmentReply;
    expect(gd.own.figures.disputeResolution).toMatchObject({ num: 10, den: 20 });
  });

  it("lists a province's cases from its own index, and the nation's from every province's", async () => {
    const all = (await get('/cases?region=00&kind=dispute&limit=100', 'nation-wall')).body as {
      total: number;
      cases: { region: string }[];
    };
    expect(all.total).toBe(POSTED['62'].disputes + POSTED['44'].disputes);
    expect(new Set(all.cases.map((c) => c.region.slice(0, 2)))).toEqual(new Set(PROVINCES));
    for (const p of PROVINCES) {
      const { body } = await get(`/cases?region=${p}&kind=dispute&limit=100`, 'nation-wall');
      const cases = (body as { cases: { caseId: string }[] }).cases;
      expect(cases.length).toBe(POSTED[p as keyof typeof POSTED].disputes);
    }
  });
});
