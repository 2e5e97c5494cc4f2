import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { screenshot } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PHONE = { width: 360, height: 780 };
const DESK = { width: 1920, height: 1080 };
const POLICE = 'dep-620702-police';

let t: TestServer;
let browser: Browser;
let dept: Page;
let desk: Page;
let dutyToken: string;
let newest: string;

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A red 命案风险 alert at the 甘州区 desk, signed and dispatched to the police and an ad-hoc one. */
async function redAlertDispatched(n: number): Promise<string> {
  await t.postEvents([
    killThreatDispute(`dept-${n}`, { caseId: `dept-case-${n}`, summary: `夫妻争吵升级，男方持刀扬言杀人 ${n}` }),
  ]);
  let alert: AlertView | undefined;
  await expect
    .poll(async () => {
      const { alerts } = await call<{ alerts: AlertView[] }>(dutyToken, 'GET', '/alerts?region=620702&state=open');
      alert = alerts.find((a) => a.caseId === `dept-case-${n}`);
      return alert?.id;
    })
    .toBeTruthy();
  await call(dutyToken, 'POST', `/alerts/${alert!.id}/ack`, {});
  await call(dutyToken, 'POST', `/alerts/${alert!.id}/dispatch`, { departments: [POLICE, '村调解员老李'] });
  return alert!.id;
}

async function login(page: Page, path: string, username: string, password: string): Promise<void> {
  await page.goto(`${t.url}${path}`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Nothing wider than the window: no sideways scrolling on a phone. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector('[data-testid=dept-page]')!;
    return Math.max(document.documentElement.scrollWidth, el.scrollWidth) - window.innerWidth;
  });

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  dutyToken = await t.userToken('zhou', 'duty', '620702');
  const admin = await t.login('admin', t.adminPassword);
  await call(admin, 'POST', '/users', {
    username: 'police',
    password: 'pw-police-12345',
    role: 'department',
    region: '620702',
    department: POLICE,
  });
  // One browser, two isolated pages: the session lives in localStorage, so each user needs its own.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  const ctx = (viewport: typeof PHONE) =>
    browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'America/New_York' });
  dept = await (await ctx(PHONE)).newPage();
  desk = await (await ctx(DESK)).newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the department page (/dept)', () => {
  it('lands a department account on its own page from the wall address, never on the wall', async () => {
    await login(dept, '/', 'police', 'pw-police-12345');
    await dept.waitForURL(/\/dept$/);
    await dept.waitForSelector('[data-testid=dept-link][data-status=live]');
    expect(await dept.locator('[data-testid=wall]').count()).toBe(0);
    // Its header names the department (from the registry), not only the account.
    await expect.poll(() => dept.textContent('[data-testid=dept-name]')).toContain('公安局');
  });

  it('shows a task dispatched while the page is open, with its level and a live report-in countdown, on a phone', async () => {
    const id = await redAlertDispatched(1);
    const card = dept.locator(`[data-testid=task][data-id="${id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getAttribute('data-level')).toBe('red');
    expect(await card.getAttribute('data-state')).toBe('pending');
    await expect.poll(() => card.locator('[data-testid=task-clock]').textContent()).toMatch(/分钟内报到/);
    await expect.poll(() => dept.textContent('[data-testid=dept-tab-pending]')).toContain('1');
    expect(await overflow(dept)).toBeLessThanOrEqual(0);
    // Touch targets: the report button is at least 44 px high.
    const box = await card.locator('[data-testid=task-checkin]').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await screenshot(dept, 'dept-phone-pending');
  });

  // Within a second is measured alone, in tests/latency/arrival.test.ts; here, that it appears.
  it('the desk sees a department report appear, and its feedback after', async () => {
    const id = (await dept.locator('[data-testid=task]').first().getAttribute('data-id'))!;
    await login(desk, '/duty', 'zhou', 'pw-zhou-12345');
    await desk.waitForSelector('[data-testid=duty-link][data-status=live]');
    await desk.click(`[data-testid=queue-item][data-id="${id}"]`);
    const row = desk.locator(`[data-testid=detail-dept][data-id="${POLICE}"]`);
    await expect.poll(() => row.getAttribute('data-state')).toBe('pending');

    await dept.click(`[data-testid=task][data-id="${id}"] [data-testid=task-checkin]`);
    await desk.waitForSelector(`[data-testid=detail-dept][data-id="${POLICE}"][data-state=checked]`, {
      timeout: 10_000,
    });

    // On the department's page it moved to 办理中; it feeds back from there.
    await dept.click('[data-testid=dept-tab-active]');
    const card = dept.locator(`[data-testid=task][data-id="${id}"]`);
    await card.locator('[data-testid=task-feedback-open]').click();
    await card.locator('[data-testid=result-partly]').click();
    await card.locator('[data-testid=task-text]').fill('<b>已到场</b>，双方情绪稳定，刀具已收缴');
    await screenshot(dept, 'dept-phone-feedback-form');
    await card.locator('[data-testid=task-send]').click();
    await desk.waitForSelector(`[data-testid=detail-dept][data-id="${POLICE}"][data-state=fed]`, { timeout: 10_000 });
    // Text from a user stays text.
    expect(await row.textContent()).toContain('<b>已到场</b>');
    expect(await row.textContent()).toContain('部分处置');
    await screenshot(desk, 'dept-desk-console-feedback');

    await dept.click('[data-testid=dept-tab-done]');
    await expect.poll(() => dept.locator('[data-testid=task-feedback]').first().textContent()).toContain('部分处置');
  });

  it('fits a desk screen as well: 1920×1080, cards side by side, no sideways scroll', async () => {
    await redAlertDispatched(2);
    newest = await redAlertDispatched(3);
    await dept.setViewportSize(DESK);
    await dept.click('[data-testid=dept-tab-pending]');
    await expect.poll(() => dept.locator('[data-testid=task]').count()).toBe(2);
    const [a, b] = await dept.locator('[data-testid=task]').all();
    const [ba, bb] = [await a!.boundingBox(), await b!.boundingBox()];
    expect(ba!.y).toBe(bb!.y);
    expect(await overflow(dept)).toBeLessThanOrEqual(0);
    await screenshot(dept, 'dept-desk-pending');
  });

  it('puts an alert the city supervises at the top of the county queue, with its deadline and requirement', async () => {
    // The newest of three red alerts: without 督办 it would be last of them.
    const id = newest;
    const city = await t.userToken('city', 'duty', '6207');
    const deadline = new Date(Date.now() + 26 * 3_600_000).toISOString();
    await call(city, 'POST', `/alerts/${id}/supervise`, { deadline, requirement: '三日内化解并报结果' });
    const first = desk.locator('[data-testid=queue-item]').first();
    await expect.poll(() => first.getAttribute('data-id'), { timeout: 10_000 }).toBe(id);
    const tag = first.locator('[data-testid=queue-supervision]');
    expect(await tag.textContent()).toMatch(/^督办 · 期限 \d+月\d+日 \d\d:\d\d · 三日内化解并报结果$/);
    await screenshot(desk, 'dept-desk-supervised');
  });
});
