import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { ARTIFACTS, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The duty console's 导出 buttons (issue 16): the queue's list and the 督办考核 table, clicked in
 * chromium, the files read back: the queue's XLSX holds exactly the alerts the queue shows, the
 * assessment's CSV the desks with the counts the screen shows.
 */

let t: TestServer;
let browser: TestBrowser;
let page: Page;
const DIR = path.join(ARTIFACTS, 'duty-export');

const risky = (id: string, village: string) => ({
  id,
  caseId: id,
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: village,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  channel: 'grid',
  summary: '邻居反映夫妻争吵，一方持刀',
  riskMarkers: ['weapon'],
});

beforeAll(async () => {
  await ensureClientBuild();
  fs.mkdirSync(DIR, { recursive: true });
  t = await startTestServer();
  const token = await t.userToken('ex-county', 'duty', '620702');
  const posted = await t.postEvents([
    risky('ex-1', '620702001001'),
    risky('ex-2', '620702001005'),
    risky('ex-3', '620702002003'),
  ]);
  expect(posted.body).toMatchObject({ accepted: 3 });
  const end = Date.now() + 20_000;
  let alerts: AlertView[] = [];
  while (alerts.length < 3 && Date.now() < end) {
    const res = await fetch(`${t.url}/api/v1/alerts?region=620702`, { headers: { authorization: `Bearer ${token}` } });
    alerts = ((await res.json()) as { alerts: AlertView[] }).alerts.filter((a) => a.caseId?.startsWith('ex-'));
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(alerts).toHaveLength(3);
  // One signed, so the 督办考核 has a count to show (the other two are not yet judged).
  await fetch(`${t.url}/api/v1/alerts/${alerts.find((a) => a.caseId === 'ex-1')!.id}/ack`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${t.url}/duty`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', 'ex-county');
  await page.fill('input[name=password]', 'pw-ex-county-12345');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/duty$/);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function saved(click: () => Promise<void>, name: string): Promise<{ file: string; suggested: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = path.join(DIR, name);
  await download.saveAs(file);
  return { file, suggested: download.suggestedFilename() };
}

describe('导出 on the duty console', () => {
  it('saves the queue’s list as XLSX with exactly the alerts the queue shows', async () => {
    const items = page.locator('[data-testid=queue-item]');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(3);
    expect(await page.locator('[data-testid=duty-queue]').innerText()).toContain('全部待办 3 条');
    const shown = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    await screenshot(page, 'duty-queue-export');
    const { file, suggested } = await saved(() => page.click('[data-testid=queue-export]'), 'queue.xlsx');
    expect(suggested).toMatch(/甘州区预警清单.*\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('预警清单');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['预警编号', '等级', '类型']);
    const ids: string[] = [];
    const states: string[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      ids.push(String(row.getCell(1).value));
      states.push(String(row.getCell(header.indexOf('状态') + 1).value));
    });
    expect(ids.sort()).toEqual([...shown].sort());
    expect(states.sort()).toEqual(['已签收', '新预警', '新预警']);
  }, 60_000);

  it('saves the 本级待办 tab’s own list: alerts at the county desk only', async () => {
    await page.click('[data-testid=tab-desk]');
    const bar = page.locator('[data-testid=duty-queue]');
    await expect.poll(() => bar.innerText()).toContain('本级待办');
    const shown = await page.locator('[data-testid=queue-item]').count();
    const { file } = await saved(() => page.click('[data-testid=queue-export]'), 'desk.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets[0]!.rowCount - 1).toBe(shown);
    await page.click('[data-testid=tab-open]');
  }, 60_000);

  it('saves the 督办考核 desks as CSV with the counts the table shows', async () => {
    await page.click('[data-testid=tab-assessment]');
    const town = t.tree.get('620702001')!.name;
    const row = page.locator('[data-testid=assessment-desks] tr', { hasText: town });
    await expect.poll(() => row.locator('td').nth(1).innerText(), { timeout: 20_000 }).toContain('1/1');
    const { file } = await saved(() => page.click('[data-testid=assessment-csv]'), 'assessment.csv');
    const lines = fs
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    const header = lines[0]!;
    expect(header.slice(0, 3)).toEqual(['区划代码', '值班台', '签收及时率(%)']);
    const townRow = lines.find((l) => l[0] === '620702001')!;
    expect(townRow[1]).toBe(town);
    expect([townRow[header.indexOf('签收及时率分子')], townRow[header.indexOf('签收及时率分母')]]).toEqual(['1', '1']);
    // Every child desk of the county, and its own total.
    expect(lines.length - 1).toBe(t.tree.info('620702')!.children.length + 1);
  }, 60_000);
});
