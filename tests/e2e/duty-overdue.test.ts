/**
 * The duty desk's sign clock never goes quiet: a red alert nobody signs climbs township → county →
 * city → province; every desk it reaches counts down its own five minutes in the queue and the
 * detail, and where nothing escalates any more (the province) says how long it is overdue
 * (超时 N 分钟, in red).
 *
 * The server runs on a clock of its own half an hour behind the browser's, and each escalation is
 * a step of that clock (the sweep reads it every second); the browser keeps real time, as a desk's
 * screen does. The desk counts on the server's clock: a PC half an hour fast once said 超时 22 分钟
 * at a county whose five minutes had two left.
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

  /**
   * The alert's row on this desk's own list and its detail say `expected` (N分钟内签收, or
   * 超时 N 分钟 in red once the desk's time is up), counted on the server's clock.
   */
  async function expectSignClockAtDesk(expected: string, name: string): Promise<void> {
    await page.click('[data-testid=tab-desk]');
    const row = page.locator(`[data-testid=queue-item][data-id="${alertId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const clockText = row.getByTestId('sign-clock');
    await expect.poll(() => clockText.textContent(), { timeout: 5000 }).toBe(expected);
    const late = expected.startsWith('超时');
    const red = (el: Element) => getComputedStyle(el).color;
    expect((await clockText.evaluate(red)) === 'rgb(255, 59, 59)').toBe(late);
    await row.click();
    const detail = page.locator(`[data-testid=duty-detail][data-id="${alertId}"]`);
    await detail.waitFor();
    const signed = detail.getByTestId('detail-signed');
    if (late) {
      expect(await signed.textContent()).toMatch(new RegExp(`^${expected}（时限 \\d\\d:\\d\\d）`));
      expect(await signed.evaluate(red)).toBe('rgb(255, 59, 59)');
    } else expect(await signed.textContent()).toMatch(/^待签收，\d\d:\d\d 前/);
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

  it('counts each desk’s five minutes on the server’s clock as the alert climbs, and says 超时 N 分钟 in red at the top', async () => {
    expect(await desk()).toBe('620702001');
    // Server minute 0: raised at the township, due at 5; at 6 the sweep moves it up (due at 11).
    await escalateTo('620702');
    // Minute 9 at the server, 39 at the page: two of the county's minutes are left.
    clock.advance(3 * MIN);
    await loginAs('xian');
    await expectSignClockAtDesk('2分钟内签收', 'county');
    // Minute 15: the county's time was up at 11, the city's runs to 20.
    await escalateTo('6207');
    await loginAs('shi');
    await expectSignClockAtDesk('5分钟内签收', 'city');
    // Minute 21: at the province (due at 26), where nothing is above it; at 32 it is 6 minutes over.
    await escalateTo('62');
    clock.advance(11 * MIN);
    await loginAs('sheng');
    await expectSignClockAtDesk('超时 6 分钟', 'province');
  }, 90_000);
});
