import ExcelJS from 'exceljs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemView } from '../../shared/schemas/problem.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The wall's 重点问题 panel follows a problem live, without a reload (issue 16): registered with 3
 * stars, a milestone of weight 2 verified (3 → 1), another overdue (the sweep flags it on the real
 * clock), 升星 to 2, the last ones verified and 销号; then the map coloured by open stars.
 */

const POLICE = 'dep-620702-police';
const JUSTICE = 'dep-620702-justice';
let t: TestServer;
let browser: TestBrowser;
let page: Page;
const tokens: Record<string, string> = {};

async function call(who: string, path: string, body?: unknown): Promise<ProblemView> {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const json = (await res.json()) as { problem: ProblemView };
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.problem;
}

async function departmentToken(username: string, department: string): Promise<string> {
  await t.server.users.create({
    username,
    password: `pw-${username}-12345`,
    role: 'department',
    region: '620702',
    department,
  });
  return t.login(username, `pw-${username}-12345`);
}

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const text = (id: string) => page.getByTestId(id).textContent();

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  tokens.county = await t.userToken('pe-county', 'commander', '620702');
  tokens.lanzhou = await t.userToken('pe-lanzhou', 'commander', '6201');
  tokens.police = await departmentToken('pe-police', POLICE);
  tokens.justice = await departmentToken('pe-justice', JUSTICE);
  await t.userToken('pe-wall', 'wall', '62');
  browser = await launchBrowser();
  page = await browser.newPage({ width: 1920, height: 1080 });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the wall’s 重点问题 panel', () => {
  let id = '';

  it('opens on the categories while the province has no problem', async () => {
    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/login/);
    await page.locator('input[name=username]').fill('pe-wall');
    await page.locator('input[name=password]').fill('pw-pe-wall-12345');
    await page.getByRole('button', { name: '登录' }).click();
    await expect
      .poll(() => page.getByTestId('connection').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('live');
    await page.getByTestId('panel-categories').waitFor();
    expect(await page.getByTestId('tab-categories').getAttribute('aria-selected')).toBe('true');
    // Set once: still there at the end means the page never reloaded.
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
  });

  it('shows a problem the moment it is registered, and each star taken off or added', async () => {
    const p = await call('county', '/problems', {
      region: '620702103',
      title: '某村土地承包纠纷积案',
      description: '二轮延包遗留地块界址不清，多次到县信访。',
      stars: 3,
      lead: POLICE,
      partners: [JUSTICE],
      milestones: [
        { title: '入户摸排，核清底数', deadline: inMs(86_400_000), weight: 2 },
        // Overdue a few seconds from now, on the real clock the sweep reads.
        { title: '组织联合调解', deadline: inMs(6000), weight: 1, owner: JUSTICE },
      ],
    });
    id = p.id;
    const line = page.locator(`[data-testid=problem-line][data-id="${id}"]`);
    await line.waitFor({ timeout: 10_000 });
    expect(await line.locator('.stars').textContent()).toBe('★★★☆☆');
    expect(await text('problems-stars')).toBe('3');
    expect(await text('problems-open')).toBe('1');

    await call('police', `/problems/${id}/milestones/1/done`, { evidence: '已摸排 37 户' });
    await call('county', `/problems/${id}/milestones/1/verify`);
    await expect.poll(() => line.locator('.stars').textContent(), { timeout: 10_000 }).toBe('★☆☆☆☆');
    expect(await text('problems-stars')).toBe('1');

    await expect.poll(() => text('problems-overdue'), { timeout: 20_000 }).toBe('1');
    expect(await line.locator('.tag').textContent()).toBe('逾期');
    expect(await text('problem-overdue-line')).toContain('组织联合调解');

    await call('county', `/problems/${id}/restar`, {
      stars: 2,
      reason: '调解逾期，群众再次到县上访',
      milestone: { title: '县司法局牵头再次调解', deadline: inMs(3 * 86_400_000), weight: 1, owner: JUSTICE },
    });
    await expect.poll(() => text('problems-stars'), { timeout: 10_000 }).toBe('2');
  });

  it('strikes it off when the last milestones are verified, and says so this month', async () => {
    await call('justice', `/problems/${id}/milestones/2/done`, { evidence: '签订调解协议' });
    await call('justice', `/problems/${id}/milestones/3/done`, { evidence: '协议履行完毕' });
    await call('county', `/problems/${id}/milestones/2/verify`);
    await call('county', `/problems/${id}/milestones/3/verify`);
    await expect.poll(() => text('problems-struck'), { timeout: 10_000 }).toBe('1');
    expect(await text('problems-open')).toBe('0');
    expect(await text('problems-overdue')).toBe('0');
    const line = page.locator(`[data-testid=problem-line][data-id="${id}"]`);
    expect(await line.getAttribute('data-kind')).toBe('struck');
    expect(await line.locator('.tag').textContent()).toBe('已销号');
    expect(await page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad)).toBe(true);
  });

  it('colours the map by open stars', async () => {
    await call('lanzhou', '/problems', {
      region: '620102',
      title: '校园周边治安乱点整治',
      description: '放学时段聚集滋事、无证摊点占道。',
      stars: 4,
      lead: 'dep-620102-police',
      partners: ['dep-620102-education', 'dep-620102-market'],
      milestones: [
        { title: '增设护学岗', deadline: inMs(10 * 86_400_000), weight: 2 },
        { title: '清理无证摊点', deadline: inMs(20 * 86_400_000), weight: 1, owner: 'dep-620102-market' },
        { title: '补装视频监控', deadline: inMs(25 * 86_400_000), weight: 1, owner: 'dep-620102-education' },
      ],
    });
    await expect.poll(() => text('problems-open'), { timeout: 10_000 }).toBe('1');
    await page.getByTestId('panel-map').getByRole('radio', { name: '重点问题' }).click();
    const map = page.locator('[data-testid=region-map][data-measure=problems]');
    await map.waitFor({ timeout: 10_000 });
    const ranking = page.getByTestId('panel-ranking');
    await expect.poll(() => ranking.locator('.note').textContent()).toContain('按重点问题');
    expect(await ranking.getByTestId('ranking-list').locator('li').first().textContent()).toContain('兰州');
    await page.waitForTimeout(1200); // the map's colours settle
    await screenshot(page, 'wall-problems-1080');
  });
});

describe('the desk’s 重点问题 tab and the department’s 整改任务', () => {
  async function loginAt(p: Page, path: string, username: string, password: string): Promise<void> {
    // The browser's profile holds the wall's session already: log in afresh as this account.
    await p.goto(`${t.url}/login?next=${encodeURIComponent(path)}`);
    await p.locator('input[name=username]').fill(username);
    await p.locator('input[name=password]').fill(password);
    await p.getByRole('button', { name: '登录' }).click();
  }

  it('registers a problem from the form, the department marks its milestone done, the desk verifies it to 销号', async () => {
    const desk = await browser.newPage({ width: 1920, height: 1080 });
    // A profile of its own: one profile keeps one session, and the desk must stay the desk's.
    const phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    const dept = await phone.newPage();
    try {
      await loginAt(desk, '/duty?tab=problems', 'pe-county', 'pw-pe-county-12345');
      await desk.getByTestId('problem-register').click();
      const form = desk.getByTestId('problem-form');
      await form.locator('input[name=title]').fill('城区夜市噪音扰民');
      await form.locator('textarea[name=description]').fill('夜市经营至凌晨，周边居民多次投诉。');
      await form.locator('select[name=stars]').selectOption('2');
      // Weights that do not add up are refused with the field named, in Chinese.
      await form.getByRole('button', { name: '登记' }).click();
      await expect.poll(() => form.getByTestId('problem-form-error').textContent()).toContain('整改措施');
      const row = form.getByTestId('milestone-row').first();
      await row.getByLabel('措施内容').fill('划定经营时段并张贴公告');
      await row.getByLabel('期限').fill('2099-12-31T18:00');
      await row.getByLabel('分值').fill('2');
      await form.getByRole('button', { name: '登记' }).click();
      await expect
        .poll(() => desk.getByTestId('problem-title').textContent(), { timeout: 10_000 })
        .toBe('城区夜市噪音扰民');
      expect(await desk.getByTestId('problem-stars').getAttribute('data-stars')).toBe('2');

      await loginAt(dept, '/dept', 'pe-police', 'pw-pe-police-12345');
      await dept.getByTestId('dept-tab-milestones').click();
      const card = dept.locator('[data-testid=dept-milestone]', { hasText: '划定经营时段' });
      await card.waitFor({ timeout: 10_000 });
      await card.getByLabel('完成情况').fill('已公告，22 时后停止经营');
      await card.getByRole('button', { name: '完成整改' }).click();
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
      await screenshot(dept, 'dept-milestones-390');

      // The desk hears it live and verifies: 2 → 0, struck off.
      const milestone = desk.locator('[data-testid=milestone][data-n="1"]');
      await expect.poll(() => milestone.getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
      await milestone.getByRole('button', { name: '核验' }).click();
      await expect
        .poll(() => desk.getByTestId('problem-stars').getAttribute('data-stars'), { timeout: 10_000 })
        .toBe('0');
      expect(await desk.getByTestId('problem-history').textContent()).toContain('销号');
      await screenshot(desk, 'duty-problems-1080');

      // 导出: the list of the filter shown, as the server has it, with its milestones.
      await desk.getByTestId('problem-filter-closed').click();
      await desk.locator('[data-testid=problem-item]', { hasText: '城区夜市噪音扰民' }).waitFor({ timeout: 10_000 });
      const shown = await desk
        .locator('[data-testid=problem-item]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      const [download] = await Promise.all([desk.waitForEvent('download'), desk.getByTestId('problem-export').click()]);
      expect(download.suggestedFilename()).toBe('甘州区重点问题清单.xlsx');
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'problems-export-')), 'problems.xlsx');
      await download.saveAs(file);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(file);
      expect(book.worksheets.map((w) => w.name)).toEqual(['重点问题清单', '整改措施']);
      const rows: string[][] = [];
      book.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
      expect(rows.slice(1).map((r) => r[0])).toEqual(shown);
      const struck = rows.find((r) => r[1] === '城区夜市噪音扰民')!;
      expect(struck[rows[0]!.indexOf('状态')]).toBe('已销号');
      await screenshot(desk, 'duty-problems-export');
    } finally {
      await desk.close();
      await phone.close();
    }
  }, 90_000);

  it('keeps a full list and its overdue line inside the panel at 1080p', async () => {
    // Five open problems and one overdue milestone: the list gives the overdue line a line's room.
    for (const [i, title] of [
      '校园周边治安乱点整治',
      '农民工工资拖欠集中反映',
      '某小区物业纠纷群体信访',
      '城中村出租屋消防隐患',
      '河道采砂纠纷',
    ].entries())
      await call('county', '/problems', {
        region: '620702103',
        title,
        description: '整改中。',
        stars: 5 - i,
        lead: POLICE,
        milestones: [{ title: `整改措施 ${i + 1}`, deadline: inMs(i === 0 ? 3000 : 86_400_000), weight: 5 - i }],
      });
    await page.getByTestId('problem-overdue-line').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('problem-line').count(), { timeout: 10_000 }).toBe(4);
    const panel = (await page.getByTestId('panel-problems').boundingBox())!;
    const overdue = (await page.getByTestId('problem-overdue-line').boundingBox())!;
    expect(overdue.y + overdue.height).toBeLessThanOrEqual(panel.y + panel.height);
    await screenshot(page, 'wall-problems-full-1080');
  }, 60_000);
});
