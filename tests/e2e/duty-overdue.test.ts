/**
 * The duty desk's sign clock never goes quiet: a red alert nobody signs climbs township → county →
 * city → province, and at every desk it reaches the queue and the detail say how long it is
 * overdue (超时 N 分钟, in red), the province's too, where nothing escalates any more.
 *
 * The server runs on a clock of its own half an hour behind the browser's, so the alert is born
 * long overdue for the page, and each escalation is a step of that clock (the sweep reads it
 * every second); the browser keeps real time, as a desk's screen does.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { ManualClock } from '../../server/clock.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;

describe('an unsigned alert at every desk it climbs to', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let clock: ManualClock;
  let alertId: string;

  const desk = async (): Promise<string> => {
    const token = await t.login('admin', t.adminPassword);
    const res = await fetch(`${t.url}/api/v1/alerts/${alertId}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { alert: AlertView }).alert.desk;
  };

  /** Logs `username` in on the one page (the form replaces the session before). */
  async function loginAs(username: string): Promise<void> {
    await page.goto(`${t.url}/login?next=${encodeURIComponent('/duty')}`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', `pw-${username}-12345`);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/duty$/);
    await page.waitForSelector('[data-testid=duty-link][data-status=live]');
  }

  /** The alert's row on this desk's own list, and its detail: both say 超时 N 分钟, in red. */
  async function expectOverdueAtDesk(minutes: number, name: string): Promise<void> {
    await page.click('[data-testid=tab-desk]');
    const row = page.locator(`[data-testid=queue-item][data-id="${alertId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const clockText = row.getByTestId('sign-clock');
    // The page's minute may have turned since the server's step: N or N + 1.
    await expect.poll(() => clockText.textContent(), { timeout: 5000 }).toMatch(/^超时 \d+ 分钟$/);
    const shown = Number(/\d+/.exec((await clockText.textContent())!)![0]);
    expect(shown - minutes).toBeGreaterThanOrEqual(0);
    expect(shown - minutes).toBeLessThanOrEqual(1);
    const red = (el: Element) => getComputedStyle(el).color;
    expect(await clockText.evaluate(red)).toBe('rgb(255, 59, 59)');
    await row.click();
    const detail = page.locator(`[data-testid=duty-detail][data-id="${alertId}"]`);
    await detail.waitFor();
    expect(await detail.getByTestId('detail-signed').textContent()).toMatch(/超时 \d+ 分钟（时限 \d\d:\d\d）/);
    expect(await detail.getByTestId('detail-signed').evaluate(red)).toBe('rgb(255, 59, 59)');
    expect(await detail.textContent()).not.toContain('签收 —');
    await screenshot(page, `duty-overdue-${name}`);
  }

  beforeAll(async () => {
    await ensureClientBuild();
    clock = new ManualClock(Date.now() - 30 * MIN);
    t = await startTestServer({ clock });
    for (const [user, region] of [
      ['xian', '620702'],
      ['shi', '6207'],
      ['sheng', '62'],
    ] as const)
      await t.userToken(user, 'duty', region);
    const posted = await t.postEvents([
      {
        id: 'overdue-1',
        caseId: 'overdue-case-1',
        kind: 'dispute',
        category: 'family',
        status: 'received',
        severity: 3,
        region: '620702001001',
        occurredAt: new Date(clock.now() - MIN).toISOString(),
        channel: 'grid',
        summary: '家庭纠纷，一方持刀扬言杀人',
        riskMarkers: ['weapon', 'kill_threat'],
      },
    ]);
    expect(posted.body).toMatchObject({ accepted: 1 });
    const token = await t.login('admin', t.adminPassword);
    for (const end = Date.now() + 10_000; !alertId && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const res = await fetch(`${t.url}/api/v1/alerts?region=62`, { headers: { authorization: `Bearer ${token}` } });
      const { alerts } = (await res.json()) as { alerts: AlertView[] };
      alertId = alerts.find((a) => a.level === 'red')?.id ?? '';
    }
    expect(alertId).not.toBe('');
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1600, height: 900 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** Six minutes on the server's clock: the red alert's five are up, and the sweep moves it. */
  async function escalateTo(next: string): Promise<void> {
    clock.advance(6 * MIN);
    await expect.poll(desk, { timeout: 10_000 }).toBe(next);
  }

  it('says 超时 N 分钟 in red in the queue and the detail at the county, then the city, then the province', async () => {
    expect(await desk()).toBe('620702001');
    // At the township it was due at server time 0 + 5 min: 25 minutes ago for the page.
    await escalateTo('620702');
    // The county's own five minutes began at the escalation (24 minutes ago for the page): 19 over.
    await loginAs('xian');
    await expectOverdueAtDesk(19, 'county');
    await escalateTo('6207');
    await loginAs('shi');
    await expectOverdueAtDesk(13, 'city');
    // The province's own five minutes run out too; nothing is above it, so the clock runs on there.
    await escalateTo('62');
    await loginAs('sheng');
    await expectOverdueAtDesk(7, 'province');
  }, 90_000);
});
