import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The 督办考核 tab of the duty console (issue 16): the table with its counts and the downloads. */

let t: TestServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  const token = await t.userToken('kh-county', 'duty', '620702');
  const risky = (id: string) => ({
    id,
    caseId: id,
    kind: 'dispute',
    category: 'family',
    status: 'received',
    severity: 2,
    region: '620702001001',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    channel: 'grid',
    summary: '邻居反映夫妻争吵，一方持刀',
    riskMarkers: ['weapon'],
  });
  await t.postEvents([risky('kh-1'), risky('kh-2')]);
  // One signed at once (in time); the other still within its 5 minutes, so not yet judged.
  const end = Date.now() + 15_000;
  let alerts: AlertView[] = [];
  while (alerts.length < 2 && Date.now() < end) {
    const res = await fetch(`${t.url}/api/v1/alerts?region=620702`, { headers: { authorization: `Bearer ${token}` } });
    alerts = ((await res.json()) as { alerts: AlertView[] }).alerts.filter((a) => a.caseId?.startsWith('kh-'));
    await new Promise((r) => setTimeout(r, 100));
  }
  const first = alerts.find((a) => a.caseId === 'kh-1')!;
  await fetch(`${t.url}/api/v1/alerts/${first.id}/ack`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${t.url}/duty`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', 'kh-county');
  await page.fill('input[name=password]', 'pw-kh-county-12345');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/duty$/);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the 督办考核 tab', () => {
  it('shows the desks with their counts, the departments, and downloads the table', async () => {
    await page.click('[data-testid=tab-assessment]');
    const town = t.tree.get('620702001')!.name;
    const row = page.locator('[data-testid=assessment-desks] tr', { hasText: town });
    await row.waitFor();
    // 签收及时率: one signed in time of one judged; too few to rank, so counts only.
    await expect.poll(() => row.locator('td').nth(1).innerText()).toContain('1/1');
    expect(await row.locator('td').nth(1).innerText()).toContain('样本少');
    expect(await page.locator('[data-testid=assessment-departments]').innerText()).toContain('公安局');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=assessment-xlsx]')]);
    expect(download.suggestedFilename()).toMatch(/甘州区督办考核\d{4}-\d{2}\.xlsx$/);
    await screenshot(page, 'duty-assessment');
  }, 60_000);
});
