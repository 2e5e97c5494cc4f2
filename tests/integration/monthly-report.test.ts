import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import type { ProblemSource } from '../../server/assessment/problem-source.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { useRulesFile } from '../helpers/rules-file.ts';

/**
 * The monthly 通报 (issue 16) of a crafted October with data on two days only, asked for on
 * 2 November: its sections in HTML, a PDF that renders (pages converted to PNG under
 * tests/.artifacts for a person to look at), XLSX sheets read back, public-mode masking, and a
 * month without data answered as such.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-10-10T09:00:00+08:00');
const clock = new ManualClock(T0);
let t: TestServer;
const tokens: Record<string, string> = {};
const VILLAGE = '620702001001';
const POLICE = 'dep-620702-police';

/** A register stand-in for 620702 (the real one is another module's): one struck off, two open, one overdue. */
const problems: ProblemSource = async (region) =>
  region === '620702'
    ? {
        registered: 3,
        struckOff: [
          {
            id: 'p1',
            title: '甘州区东街农贸市场周边占道经营',
            region: '620702',
            starsAtStart: 3,
            struckAt: T0 + 5 * HOUR,
          },
        ],
        open: [
          { id: 'p2', title: '村民张三丰反映道路积水', region: '620702001', stars: 2, leadDepartment: '住建局' },
          { id: 'p3', title: '城乡结合部出租屋治安隐患', region: '620702', stars: 4, leadDepartment: '公安局' },
        ],
        overdue: [
          {
            problemId: 'p3',
            title: '城乡结合部出租屋治安隐患',
            milestone: '完成出租屋登记',
            ownerDepartment: POLICE,
            deadline: T0 + 2 * HOUR,
          },
        ],
        milestonesDue: 4,
        milestonesOnTime: 3,
      }
    : { registered: 0, struckOff: [], open: [], overdue: [], milestonesDue: 0, milestonesOnTime: 0 };

async function call(p: string, who: string) {
  const res = await fetch(`${t.url}/api/v1${p}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}
async function post(p: string, who: string, body: unknown) {
  const res = await fetch(`${t.url}/api/v1${p}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as { alert: AlertView };
}

const dispute = (id: string, o: { status?: string; risk?: boolean } = {}) => ({
  id,
  caseId: id,
  kind: 'dispute',
  category: 'neighbour',
  status: o.status ?? 'received',
  severity: 2,
  region: VILLAGE,
  occurredAt: new Date(clock.now() - MIN).toISOString(),
  channel: 'grid',
  summary: o.risk ? '邻里纠纷，一方持刀威胁' : '邻里纠纷',
  ...(o.risk ? { riskMarkers: ['weapon'] } : {}),
});

async function waitFor<T>(read: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let restoreRules: (() => void) | undefined;
beforeAll(async () => {
  // Only the alerts made here: the overdue rule would add its own as the clock jumps days.
  restoreRules = useRulesFile((r) => (r.rules.overdue.enabled = false));
  t = await startTestServer({ clock, problems });
  tokens.county = await t.userToken('mr-county', 'duty', '620702');
  tokens.town = await t.userToken('mr-town', 'duty', '620702001');
  tokens.city = await t.userToken('mr-city', 'commander', '6207');
  // 10 October: two red alerts; one signed, dispatched to 公安局 (reported in late) and resolved in
  // time, one supervised by the city and left past its deadline.
  expect((await t.postEvents([dispute('mr-a1', { risk: true }), dispute('mr-a2', { risk: true })])).status).toBe(200);
  const ids = await waitFor(async () => {
    const res = await fetch(`${t.url}/api/v1/alerts?region=620702`, {
      headers: { authorization: `Bearer ${tokens.county}` },
    });
    const list = ((await res.json()) as { alerts: AlertView[] }).alerts.filter((a) => a.caseId?.startsWith('mr-a'));
    return list.length === 2 && Object.fromEntries(list.map((a) => [a.caseId!, a.id]));
  });
  clock.set(T0 + 2 * MIN);
  await post(`/alerts/${ids['mr-a1']}/ack`, 'town', {});
  await post(`/alerts/${ids['mr-a2']}/ack`, 'town', {});
  await post(`/alerts/${ids['mr-a1']}/dispatch`, 'town', { departments: [POLICE] });
  await post(`/alerts/${ids['mr-a2']}/supervise`, 'city', {
    deadline: new Date(T0 + 4 * HOUR).toISOString(),
    requirement: '当日化解',
  });
  clock.set(T0 + 50 * MIN);
  await post(`/alerts/${ids['mr-a1']}/checkin`, 'town', { department: POLICE, onBehalf: true, reason: '电话报到' });
  clock.set(T0 + 2 * HOUR);
  await post(`/alerts/${ids['mr-a1']}/resolve`, 'town', { note: '已化解' });
  // 12 October: more disputes. October has data on the 10th and the 12th only.
  clock.set(T0 + 2 * 24 * HOUR);
  expect(
    (await t.postEvents([dispute('mr-d1', { status: 'resolved' }), dispute('mr-d2', { status: 'failed' })])).status,
  ).toBe(200);
  await waitFor(async () => Number(await t.server.redis.hget('pa:{62}:mon:620702:202610', 'd')) === 4);
  // 2 November: October is the last complete month.
  clock.set(Date.parse('2026-11-02T10:00:00+08:00'));
  tokens.county = await t.userToken('mr-county', 'duty', '620702');
  tokens.town = await t.userToken('mr-town', 'duty', '620702001');
  if (!(await t.server.users.exists('mr-public')))
    await t.server.users.create({
      username: 'mr-public',
      password: 'pw-mr-public-12345',
      role: 'wall',
      region: '620702',
      publicMode: true,
    });
  tokens.public = await t.login('mr-public', 'pw-mr-public-12345');
}, 90_000);
afterAll(async () => {
  await t?.stop();
  restoreRules?.();
});

describe('GET /api/v1/reports/monthly/:code', () => {
  it('gives last month’s 通报 as HTML with every section, the partial coverage said and text escaped', async () => {
    const r = await call('/reports/monthly/620702', 'county');
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/html');
    const page = r.body.toString('utf8');
    for (const s of [
      '平安建设工作通报',
      '关于2026年10月平安建设督办考核情况的通报',
      '一、总体情况',
      '二、平安指数排名',
      '三、督办考核情况',
      '四、红色预警处置情况',
      '五、重点问题降星销号情况',
      '六、逾期事项点名',
      '七、有关说明',
      '甘州区社会治安综合治理中心',
    ])
      expect(page).toContain(s);
    // October has data on two days: said, with the days.
    expect(page).toContain('有数据的日期为10日、12日，共2天（全月31天）');
    // Red alerts and how they ended; overdue items named by desk and department.
    expect(page).toContain('命案风险');
    expect(page).toMatch(/已办结，用时2\.0小时（时限内）/);
    expect(page).toContain('挂牌督办，逾期');
    const town = t.tree.get('620702001')!.name;
    expect(page).toMatch(new RegExp(`报到超时</td>\\s*<td class="left">[^<]*${town}</td>\\s*<td class="left">公安局`));
    expect(page).toContain('督办超期');
    expect(page).toContain('整改逾期');
    // The register's owner id is named as the department people know.
    expect(page).not.toContain(`>${POLICE}<`);
    // Problems from the register: struck off, still open.
    expect(page).toContain('甘州区东街农贸市场周边占道经营');
    expect(page).toContain('村民张三丰反映道路积水');
    // Print: A4, header rows that repeat on each page, rows kept whole.
    expect(page).toContain('size: A4');
    expect(page).toContain('thead { display: table-header-group; }');
    expect(page).not.toContain('&#39;Noto');
  });

  it('masks names in public mode', async () => {
    const page = (await call('/reports/monthly/620702?month=2026-10', 'public')).body.toString('utf8');
    expect(page).toContain('村民张**反映道路积水');
    expect(page).not.toContain('张三丰');
  });

  it('renders the 通报 as a PDF of A4 pages with Chinese text', async () => {
    const r = await call('/reports/monthly/620702?month=2026-10&format=pdf', 'county');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/pdf');
    expect(r.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dir = path.join(ARTIFACTS, 'monthly-report');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'tongbao-620702-2026-10.pdf');
    fs.writeFileSync(file, r.body);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(info).toMatch(/Page size:\s+59\d\.\d+ x 841\.\d+ pts \(A4\)/);
    // The text layer has the Chinese: fonts were found and shaped.
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('平安建设工作通报');
    // Every section, in order, and the 平安指数 ranking with every child desk of the county.
    const headings = [
      '一、总体情况',
      '二、平安指数排名',
      '三、督办考核情况',
      '四、红色预警处置情况',
      '五、重点问题降星销号情况',
      '六、逾期事项点名',
      '七、有关说明',
    ];
    const at = headings.map((h) => text.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const ranking = text.slice(at[1]!, at[2]!);
    for (const c of t.tree.info('620702')!.children) expect(ranking).toContain(c.name);
    expect(text).toContain(`第 1 页 / 共 ${pages} 页`);
    // No page but the last is left nearly empty (a forced break after a table's last rows did that).
    for (let p = 1; p < pages; p++) {
      const page = execFileSync('pdftotext', ['-layout', '-f', String(p), '-l', String(p), file, '-'], {
        encoding: 'utf8',
      });
      expect(page.split('\n').filter((l) => l.trim()).length, `page ${p}`).toBeGreaterThan(20);
    }
    // Pages of an earlier, longer run would be counted too.
    for (const f of fs.readdirSync(dir)) if (/^page-\d+\.png$/.test(f)) fs.rmSync(path.join(dir, f));
    execFileSync('pdftoppm', ['-png', '-r', '70', file, path.join(dir, 'page')]);
    expect(fs.readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).length).toBe(pages);
  }, 120_000);

  it('gives the tables as XLSX, one sheet per table, and the desks’ table as CSV', async () => {
    const r = await call('/reports/monthly/620702?month=2026-10&format=xlsx', 'county');
    expect(r.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.body as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual([
      '总体情况',
      '平安指数排名',
      '值班台考核',
      '部门考核',
      '下级职能部门',
      '红色预警处置',
      '重点问题',
      '逾期事项',
    ]);
    const desks = book.getWorksheet('值班台考核')!;
    const header = (desks.getRow(1).values as unknown[]).slice(1) as string[];
    const town = desks.getRows(2, desks.rowCount - 1)!.find((row) => row.getCell(1).value === '620702001')!;
    const cell = (h: string) => town.getCell(header.indexOf(h) + 1).value;
    // 620702001 in October: both red alerts signed in time; one of two resolved in time (24 h).
    expect([cell('签收及时率分子'), cell('签收及时率分母'), cell('签收及时率(%)')]).toEqual([2, 2, 100]);
    expect([cell('办结及时率分子'), cell('办结及时率分母')]).toEqual([1, 2]);
    expect([cell('督办按期率分子'), cell('督办按期率分母')]).toEqual([0, 1]);
    const departments = book.getWorksheet('部门考核')!;
    const police = departments.getRows(2, departments.rowCount - 1)!.find((row) => row.getCell(1).value === '公安局')!;
    const dHeader = (departments.getRow(1).values as unknown[]).slice(1) as string[];
    expect(police.getCell(dHeader.indexOf('报到及时率分母') + 1).value).toBe(1);
    expect(police.getCell(dHeader.indexOf('报到及时率分子') + 1).value).toBe(0);
    // The county's townships' departments summed per township: one row each, none called here.
    const byTown = book.getWorksheet('下级职能部门')!;
    const townRows = byTown.getRows(2, byTown.rowCount - 1)!;
    expect(townRows.map((row) => String(row.getCell(1).value))).toEqual(
      desks
        .getRows(2, desks.rowCount - 1)!
        .map((row) => String(row.getCell(1).value))
        .filter((c) => c.length === 9),
    );
    expect(townRows.every((row) => row.getCell(3).value === 0)).toBe(true);
    expect(police.getCell(dHeader.indexOf('逾期整改措施') + 1).value).toBe(1);

    const csv = await call('/reports/monthly/620702?month=2026-10&format=csv', 'county');
    expect(csv.status).toBe(200);
    expect(csv.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body.toString('utf8')).toContain('签收及时率(%)');
  });

  it('says so for a month without data, and refuses a future, malformed or foreign one naming the field', async () => {
    const empty = await call('/reports/monthly/620702?month=2026-08', 'county');
    expect(empty.status).toBe(200);
    expect(empty.body.toString('utf8')).toContain('本月（2026-08）无任何数据');
    const future = await call('/reports/monthly/620702?month=2026-12', 'county');
    expect(future.status).toBe(400);
    expect(future.body.toString('utf8')).toContain('month: 2026-12 has not begun');
    const bad = await call('/reports/monthly/620702?month=2026-1', 'county');
    expect(bad.status).toBe(400);
    expect(bad.body.toString('utf8')).toContain('month');
    const fmt = await call('/reports/monthly/620702?format=doc', 'county');
    expect(fmt.status).toBe(400);
    expect(fmt.body.toString('utf8')).toContain('format');
    const foreign = await call('/reports/monthly/620102', 'county');
    expect(foreign.status).toBe(403);
    expect(foreign.body.toString('utf8')).toContain('code: region 620102 is outside your area');
  });
});
