import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemView } from '../../../shared/schemas/problem.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

/**
 * The 重点问题 register's export (issue 16): the list of the same filters and caller as CSV and as
 * XLSX (a sheet of problems, one of their milestones), read back with csv-parse and exceljs; a
 * department's file holds only the problems it leads or partners in; a public screen's is masked;
 * a bad filter is refused naming the field.
 */

const DAY = 86_400_000;
const POLICE = 'dep-620702-police';
const JUSTICE = 'dep-620702-justice';
const HRSS = 'dep-620702-hrss';
let t: TestServer;
const tokens: Record<string, string> = {};

async function call(method: string, path: string, who: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = res.headers.get('content-type') ?? '';
  return {
    res,
    status: res.status,
    body: type.includes('json')
      ? ((await res.json()) as Record<string, unknown>)
      : Buffer.from(await res.arrayBuffer()),
  };
}

async function login(name: string, user: Parameters<TestServer['server']['users']['create']>[0]) {
  await t.server.users.create(user);
  tokens[name] = await t.login(user.username, user.password);
}

const problem = (title: string, lead: string, partners: string[], region = '620702001') => ({
  region,
  title,
  description: `群众来电反映（联系电话 13812345678），${title}。`,
  stars: 2,
  lead,
  partners,
  milestones: [{ title: `${title}：落实整改`, deadline: new Date(Date.now() + 5 * DAY).toISOString(), weight: 2 }],
});

const readCsv = (buf: Buffer) => parseCsv(buf, { bom: true }) as string[][];
async function readXlsx(buf: Buffer): Promise<Record<string, string[][]>> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const out: Record<string, string[][]> = {};
  for (const sheet of book.worksheets) {
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    out[sheet.name] = rows;
  }
  return out;
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer();
  tokens.county = await t.userToken('px-county', 'commander', '620702');
  tokens.other = await t.userToken('px-other', 'commander', '620102');
  await login('police', {
    username: 'px-police',
    password: 'pw-px-police-12345',
    role: 'department',
    region: '620702',
    department: POLICE,
  });
  await login('public', {
    username: 'px-public',
    password: 'pw-px-public-12345',
    role: 'wall',
    region: '620702',
    publicMode: true,
  });
  const reg = async (key: string, who: string, body: ReturnType<typeof problem>) => {
    const r = await call('POST', '/problems', who, body);
    expect(r.status).toBe(201);
    ids[key] = (r.body as { problem: ProblemView }).problem.id;
  };
  await reg('policeLead', 'county', problem('城区夜市噪音扰民', POLICE, [JUSTICE]));
  await reg('policePartner', 'county', problem('农民工工资拖欠', HRSS, [POLICE]));
  await reg('notPolice', 'county', problem('村道积水', HRSS, [JUSTICE], '620702002'));
  await reg('elsewhere', 'other', problem('兰州某小区供暖不热', 'dep-620102-police', [], '620102'));
  // One struck off (销号): its lead marks the milestone done, the county verifies it.
  await reg('struck', 'county', problem('集贸市场占道经营', POLICE, []));
  expect(
    (await call('POST', `/problems/${ids.struck}/milestones/1/done`, 'police', { evidence: '已清理' })).status,
  ).toBe(200);
  expect((await call('POST', `/problems/${ids.struck}/milestones/1/verify`, 'county', {})).status).toBe(200);
}, 60_000);
afterAll(async () => t?.stop());

describe('GET /api/v1/problems/export', () => {
  it('writes the list of the same filters as CSV and XLSX, with a sheet of milestones', async () => {
    for (const state of ['open', 'closed', 'all'] as const) {
      const listed = ((await call('GET', `/problems?state=${state}`, 'county')).body as { problems: ProblemView[] })
        .problems;
      const csv = await call('GET', `/problems/export?format=csv&state=${state}`, 'county');
      expect(csv.status).toBe(200);
      expect(csv.res.headers.get('content-disposition')).toContain(
        `filename*=UTF-8''${encodeURIComponent('甘州区重点问题清单.csv')}`,
      );
      const rows = readCsv(csv.body as Buffer);
      expect(rows[0]!.slice(0, 3)).toEqual(['问题编号', '问题名称', '区域代码']);
      expect(rows.slice(1).map((r) => r[0])).toEqual(listed.map((p) => p.id));
      const xlsx = await call('GET', `/problems/export?format=xlsx&state=${state}`, 'county');
      const book = await readXlsx(xlsx.body as Buffer);
      expect(Object.keys(book)).toEqual(['重点问题清单', '整改措施']);
      expect(book['重点问题清单']).toEqual(rows);
      expect(book['整改措施']!.slice(1).map((r) => r[0])).toEqual(listed.map((p) => p.id));
    }
    const all = readCsv((await call('GET', '/problems/export?format=csv&state=all', 'county')).body as Buffer);
    expect(
      all
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([ids.policeLead, ids.policePartner, ids.notPolice, ids.struck].sort());
    const closed = readCsv((await call('GET', '/problems/export?format=csv&state=closed', 'county')).body as Buffer);
    const h = closed[0]!;
    expect(closed.length).toBe(2);
    expect(closed[1]![h.indexOf('状态')]).toBe('已销号');
    expect(closed[1]![h.indexOf('当前星级')]).toBe('0');
    expect(closed[1]![h.indexOf('销号时间')]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // A township's filter: only its problems.
    const town = readCsv((await call('GET', '/problems/export?format=csv&region=620702002', 'county')).body as Buffer);
    expect(town.slice(1).map((r) => r[0])).toEqual([ids.notPolice]);
  });

  it('gives a department only the problems it leads or partners in, and a public screen masked text', async () => {
    const mine = readCsv((await call('GET', '/problems/export?format=csv&state=all', 'police')).body as Buffer);
    expect(
      mine
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([ids.policeLead, ids.policePartner, ids.struck].sort());
    const book = await readXlsx((await call('GET', '/problems/export?format=xlsx', 'police')).body as Buffer);
    expect(
      book['重点问题清单']!.slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([ids.policeLead, ids.policePartner].sort());

    const full = readCsv((await call('GET', '/problems/export?format=csv', 'county')).body as Buffer);
    expect(full.flat().join('\n')).toContain('13812345678');
    const pub = (await call('GET', '/problems/export?format=xlsx', 'public')).body as Buffer;
    const masked = await readXlsx(pub);
    expect(masked['重点问题清单']!.slice(1).map((r) => r[0])).toEqual(full.slice(1).map((r) => r[0]));
    expect(Object.values(masked).flat(2).join('\n')).not.toContain('13812345678');
  });

  it('refuses what is outside the caller’s region and bad filters, naming the field', async () => {
    expect((await call('GET', '/problems/export?format=csv&region=620102', 'county')).status).toBe(403);
    expect((await call('GET', '/problems/export?format=csv&region=620102', 'police')).status).toBe(403);
    for (const [q, field] of [
      ['format=pdf', 'format'],
      ['', 'format'],
      ['format=csv&state=pending', 'state'],
      ['format=csv&region=62a', 'region'],
      ['format=csv&colour=red', 'colour'],
    ] as const) {
      const r = await call('GET', `/problems/export?${q}`, 'county');
      expect(r.status, q).toBe(400);
      expect(JSON.stringify(r.body), q).toMatch(new RegExp(`\\b${field}\\b`));
    }
  });
});
