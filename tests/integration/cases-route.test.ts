import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { expectedList, generateCases, placesUnder, type TruthCase } from '../helpers/case-truth.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { isoBeijing } from '../../server/time/beijing.ts';
import { EXPORT_ROW_LIMIT } from '../../shared/schemas/export.ts';
import type { CaseListReply } from '../../shared/schemas/case.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';

/**
 * GET /api/v1/cases and the two exports, over HTTP as a client calls them: scoped to the caller's
 * subtree, filtered and paged exactly as an independent model of the posted cases says, masked for
 * a public screen, bad input refused naming the field; the files read back (csv-parse, exceljs)
 * hold the rows the list route gives for the same filters, and an export over its limit is refused.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const keys = createKeys('62');
let t: TestServer;
let truth: Map<string, TruthCase>;
let duty: string;
let publicWall: string;
/** A village with more cases than an export may hold. */
let crowded: string;

const beijingDay = (ms: number) => isoBeijing(ms).slice(0, 10);

async function get(path: string, token: string): Promise<{ status: number; body: unknown; res: Response }> {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, res };
}

/** Every case of a query, following nextCursor. */
async function listAll(query: string, token = duty): Promise<{ ids: string[]; total: number; pages: number }> {
  const ids: string[] = [];
  let cursor = '';
  let total = -1;
  let pages = 0;
  for (;;) {
    const r = await get(`/cases?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const b = r.body as CaseListReply;
    pages++;
    if (total === -1) total = b.total;
    else expect(b.total).toBe(total);
    ids.push(...b.cases.map((c) => c.id));
    if (!b.nextCursor) return { ids, total, pages };
    cursor = b.nextCursor;
  }
}

const errorsOf = (body: unknown) => (body as { error: { details?: { errors?: string[] } } }).error.details?.errors;

beforeAll(async () => {
  t = await startTestServer();
  const gen = generateCases(placesUnder(t.tree, ['620702', '620102']), { cases: 400, now: NOW, seed: 5, tag: 'cr' });
  truth = gen.cases;
  expect((await t.postEvents(gen.events)).status).toBe(200);
  // Over the export limit in one village: single-event incidents.
  crowded = t.tree.children(t.tree.children('620902')[0]!.code)[0]!.code;
  const many = Array.from({ length: EXPORT_ROW_LIMIT + 1 }, (_, i) => ({
    id: `crowd-${i}`,
    caseId: `crowd-${i}`,
    kind: 'incident',
    category: 'traffic',
    status: 'reported',
    severity: 1,
    region: crowded,
    occurredAt: isoBeijing(NOW - 4 * DAY + i * 30_000),
    channel: 'police_110',
    summary: '',
  }));
  for (let i = 0; i < many.length; i += 5000) expect((await t.postEvents(many.slice(i, i + 5000))).status).toBe(200);
  duty = await t.userToken('cases-duty', 'duty', '620702');
  await t.server.users.create({
    username: 'cases-public',
    password: 'pw-cases-public-12345',
    role: 'wall',
    region: '620702',
    publicMode: true,
  });
  publicWall = await t.login('cases-public', 'pw-cases-public-12345');
  await drained(t.server.redis, keys.events);
}, 120_000);
afterAll(async () => t?.stop());

describe('GET /api/v1/cases', () => {
  it('lists the caller’s home region by default, and refuses a region outside it or above it', async () => {
    const want = expectedList(truth.values(), { region: '620702' });
    expect(want.length).toBeGreaterThan(100);
    const got = await listAll('limit=200');
    expect(got.total).toBe(want.length);
    expect(got.ids).toEqual(want);
    for (const region of ['620102', '6207', '62']) {
      const r = await get(`/cases?region=${region}`, duty);
      expect(r.status).toBe(403);
      expect((r.body as { error: { code: string } }).error.code).toBe('out_of_scope');
    }
    expect((await get('/cases?region=620799999', duty)).status).toBe(404);
  });

  it('filters by kind, open/closed and Beijing days, and pages with a cursor without loss or repeats', async () => {
    const town = t.tree.children('620702')[0]!.code;
    const from = beijingDay(NOW - 9 * DAY);
    const to = beijingDay(NOW - 3 * DAY);
    const filters = [
      { q: `region=${town}`, f: { region: town } },
      { q: 'kind=dispute&status=open', f: { region: '620702', kind: 'dispute' as const, status: 'open' as const } },
      {
        q: 'kind=incident&status=closed',
        f: { region: '620702', kind: 'incident' as const, status: 'closed' as const },
      },
      {
        q: `from=${from}&to=${to}`,
        f: {
          region: '620702',
          from: Date.parse(`${from}T00:00:00+08:00`),
          to: Date.parse(`${to}T00:00:00+08:00`) + DAY,
        },
      },
    ];
    for (const { q, f } of filters) {
      const want = expectedList(truth.values(), f);
      expect(want.length, q).toBeGreaterThan(3);
      const got = await listAll(`${q}&limit=9`);
      expect(got, q).toEqual({ ids: want, total: want.length, pages: Math.ceil(want.length / 9) });
    }
  });

  it('gives each case its kind, status, region name and summary; a public screen gets the summary masked', async () => {
    const [first] = ((await get('/cases?limit=1', duty)).body as CaseListReply).cases;
    const c = truth.get(first!.id)!;
    expect(first).toMatchObject({ id: c.id, kind: c.kind, open: c.open, region: c.region, summary: c.summary });
    expect(first!.regionName).toContain('甘州区');
    expect(first!.summary).toContain('13812345678');
    const [masked] = ((await get('/cases?limit=1', publicWall)).body as CaseListReply).cases;
    expect(masked!.id).toBe(first!.id);
    expect(masked!.summary).not.toContain('13812345678');
    expect(masked!.summary).toContain('138****5678');
  });

  it('refuses bad input with an error naming the field', async () => {
    const cases: [string, string][] = [
      ['kind=rumour', 'kind'],
      ['status=pending', 'status'],
      ['from=2026-02-30', 'from'],
      ['from=yesterday', 'from'],
      ['from=2026-11-20&to=2026-11-10', 'to'],
      ['limit=0', 'limit'],
      ['limit=500', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['region=62a', 'region'],
      ['colour=red', 'colour'],
    ];
    for (const [q, field] of cases) {
      const r = await get(`/cases?${q}`, duty);
      expect(r.status, q).toBe(400);
      expect(errorsOf(r.body)?.join(' '), q).toMatch(new RegExp(`\\b${field}\\b`));
    }
  });
});

async function readXlsx(buf: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const sheet = book.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return rows;
}

const readCsv = (buf: Buffer) => parseCsv(buf, { bom: true }) as string[][];

describe('exports', () => {
  it('writes the case list of the same filters to CSV and XLSX, Chinese headers, masked for a public screen', async () => {
    const q = 'kind=dispute&status=open';
    const listed = (await listAll(q)).ids;
    const csv = await get(`/cases/export?format=csv&${q}`, duty);
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get('content-disposition')).toContain('filename*=UTF-8');
    const rows = readCsv(csv.body as Buffer);
    expect(rows[0]!.slice(0, 4)).toEqual(['案件编号', '类型', '类别', '状态']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(listed);
    expect(rows[1]![rows[0]!.indexOf('摘要')]).toContain('13812345678');

    const xlsx = await get(`/cases/export?format=xlsx&${q}`, duty);
    expect(xlsx.status).toBe(200);
    const sheet = await readXlsx(xlsx.body as Buffer);
    expect(sheet[0]).toEqual(rows[0]);
    expect(sheet.slice(1).map((r) => r[0])).toEqual(listed);

    const pub = readCsv((await get(`/cases/export?format=csv&${q}`, publicWall)).body as Buffer);
    expect(pub.slice(1).map((r) => r[0])).toEqual(listed);
    expect(pub.map((r) => r.join(',')).join('\n')).not.toContain('13812345678');
  });

  it('refuses a case export over the row limit, saying the limit, and takes a narrower one', async () => {
    const admin = await t.login('admin', t.adminPassword);
    const r = await get(`/cases/export?format=csv&region=${crowded}`, admin);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      error: { code: 'too_many_rows', details: { rows: EXPORT_ROW_LIMIT + 1, limit: EXPORT_ROW_LIMIT } },
    });
    const day = beijingDay(NOW - 2 * DAY);
    const narrow = await get(`/cases/export?format=csv&region=${crowded}&from=${day}&to=${day}`, admin);
    expect(narrow.status).toBe(200);
    const rows = readCsv(narrow.body as Buffer);
    expect(rows.length - 1).toBe((await listAll(`region=${crowded}&from=${day}&to=${day}&limit=200`, admin)).total);
  });

  it('refuses an export without a format or with an unknown one, naming the field', async () => {
    for (const path of ['/cases/export', '/cases/export?format=pdf', '/alerts/export?format=doc']) {
      const r = await get(path, duty);
      expect(r.status, path).toBe(400);
      expect(errorsOf(r.body)?.join(' ')).toMatch(/\bformat\b/);
    }
    expect((await get('/alerts/export?format=csv&region=620102', duty)).status).toBe(403);
  });

  it('writes the duty console’s alert list of the same filters to CSV and XLSX', async () => {
    const villages = t.tree
      .children('620702')
      .slice(0, 3)
      .map((town) => t.tree.children(town.code)[0]!.code);
    const risky = ['knife', 'axe', 'threat'].map((tag, i) => ({
      id: `risk-${tag}`,
      caseId: `risk-${tag}`,
      kind: 'dispute',
      category: 'neighbour',
      status: 'received',
      severity: 3,
      region: villages[i]!,
      occurredAt: isoBeijing(Date.now() - 60_000),
      channel: 'grid',
      summary: `村民张三丰与邻居争执，持刀威胁，电话13900001111 ${tag}`,
      riskMarkers: ['weapon', 'violence_threat'],
    }));
    expect((await t.postEvents(risky)).status).toBe(200);
    let alerts: AlertView[] = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      alerts = ((await get('/alerts?region=620702&rule=homicide_risk', duty)).body as { alerts: AlertView[] }).alerts;
      if (alerts.filter((a) => a.caseId?.startsWith('risk-')).length === 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(alerts.filter((a) => a.caseId?.startsWith('risk-')).length).toBe(3);
    for (const q of ['region=620702&rule=homicide_risk', 'desk=620702', 'state=closed']) {
      const listed = ((await get(`/alerts?${q}`, duty)).body as { alerts: AlertView[] }).alerts.map((a) => a.id);
      const csv = readCsv((await get(`/alerts/export?format=csv&${q}`, duty)).body as Buffer);
      expect(csv[0]!.slice(0, 4), q).toEqual(['预警编号', '等级', '类型', '标题']);
      expect(
        csv.slice(1).map((r) => r[0]),
        q,
      ).toEqual(listed);
      const sheet = await readXlsx((await get(`/alerts/export?format=xlsx&${q}`, duty)).body as Buffer);
      expect(
        sheet.slice(1).map((r) => r[0]),
        q,
      ).toEqual(listed);
    }
    // Signed by the duty officer: the officer's account name is in the export, but not in a public screen's.
    const signed = alerts.find((a) => a.caseId === 'risk-knife')!;
    const ack = await fetch(`${t.url}/api/v1/alerts/${signed.id}/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${duty}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ack.status).toBe(200);
    const q = 'region=620702&rule=homicide_risk';
    const own = readCsv((await get(`/alerts/export?format=csv&${q}`, duty)).body as Buffer);
    const pub = readCsv((await get(`/alerts/export?format=csv&${q}`, publicWall)).body as Buffer);
    const signer = own[0]!.indexOf('签收人');
    expect(own.find((r) => r[0] === signed.id)![signer]).toBe('cases-duty');
    expect(pub.find((r) => r[0] === signed.id)![signer]).toBe('');
    expect(pub.map((r) => r[0])).toEqual(own.map((r) => r[0]));
  });
});
