/**
 * Every click at the duty desk acts or says why not, whatever the server's clock says.
 *
 * The server runs on a clock that stands still between the test's own steps (a ManualClock), so
 * every step of an alert carries the same updatedAt: the console once loaded the detail again only
 * when updatedAt changed, and 签收 / 分派 were done by the server while the detail went on saying
 * 新预警. The page's clock is 11 minutes behind the server's, then (the server's clock stepped
 * back) 19 minutes ahead of it: a duty PC can be minutes off, and nothing the desk does may
 * depend on it. The alerts are grouped rows
 * (six overdue disputes of one village each, ×6), as a burst arrives.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;
const DAY = 86_400_000;

describe('the duty desk’s clicks on a server whose clock stands still', () => {
  let t: TestServer;
  let clock: ManualClock;
  let browser: TestBrowser;
  let desk: Page;
  let rows: string[];

  const notice = () =>
    desk
      .getByTestId('duty-notice')
      .textContent({ timeout: 1000 })
      .catch(() => null);
  const detail = (id: string, state: string) =>
    desk.locator(`[data-testid=duty-detail][data-id="${id}"][data-state=${state}]`).waitFor({ timeout: 10_000 });

  beforeAll(async () => {
    await ensureClientBuild();
    // The machine's time (a case's receipt is stamped by Redis), then 11 minutes on for the
    // overdue rule's grace: the page, on the machine's clock, is 11 minutes behind the server.
    clock = new ManualClock(Date.now());
    t = await startTestServer({ clock });
    const town = t.tree.children('620702')[0]!.code;
    await t.userToken('qin', 'duty', town);
    const now = clock.now();
    const villages = t.tree
      .children(town)
      .slice(0, 2)
      .map((v) => v.code);
    const burst = villages.flatMap((village) =>
      Array.from({ length: 6 }, (_, i) => ({
        id: `click-${village}-${i}`,
        caseId: `click-case-${village}-${i}`,
        kind: 'dispute',
        category: 'family',
        status: 'received',
        severity: 1,
        region: village,
        occurredAt: new Date(now - 2 * DAY - i * MIN).toISOString(),
        channel: 'grid',
        summary: `家庭矛盾 #${i}`,
      })),
    );
    expect((await t.postEvents(burst)).body).toMatchObject({ accepted: 12 });
    // Applied before the clock moves: the rule sets each case's judging time from its apply time.
    const admin = await t.login('admin', t.adminPassword);
    const open = async () => {
      const res = await fetch(`${t.url}/api/v1/snapshot/${town}`, { headers: { authorization: `Bearer ${admin}` } });
      return ((await res.json()) as Snapshot).counts.open.dispute;
    };
    for (const end = Date.now() + 30_000; (await open()) < 12 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 250));
    clock.advance(11 * MIN);

    browser = await launchBrowser({ viewport: { width: 1600, height: 900 } });
    desk = await browser.newPage();
    await desk.goto(`${t.url}/duty`);
    await desk.waitForURL(/\/login/);
    await desk.fill('input[name=username]', 'qin');
    await desk.fill('input[name=password]', 'pw-qin-12345');
    await desk.click('button[type=submit]');
    await desk.waitForURL(/\/duty$/);
    // The overdue rule judges the burst on its next minute's tick.
    const items = desk.locator('[data-testid=queue-item]', { hasText: '×6' });
    await items.nth(1).waitFor({ timeout: 90_000 });
    expect(await items.count()).toBe(2);
    rows = await Promise.all([0, 1].map(async (i) => (await items.nth(i).getAttribute('data-id'))!));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('signs and dispatches a grouped row by clicks with the page 11 minutes behind, and says why a greyed button does nothing', async () => {
    const id = rows[0]!;
    // The 60 minutes to sign are counted on the server's clock, not the PC's (which said 71).
    const left = await desk.locator(`[data-testid=queue-item][data-id="${id}"] [data-testid=sign-clock]`).textContent();
    expect(left).toMatch(/^\d+分钟内签收$/);
    expect(Number(left!.match(/^\d+/)![0])).toBeGreaterThanOrEqual(55);
    expect(Number(left!.match(/^\d+/)![0])).toBeLessThanOrEqual(60);
    await desk.locator(`[data-testid=queue-item][data-id="${id}"]`).click();
    await detail(id, 'new');

    await desk.getByTestId('act-ack').click();
    await detail(id, 'acknowledged');
    expect(await desk.getByTestId('detail-signed').textContent()).toContain('qin');
    expect(await notice()).toBe('已签收');

    // Signed: 签收 is greyed, and a click on it (or its key) says why instead of nothing.
    expect(await desk.getByTestId('act-ack').getAttribute('aria-disabled')).toBe('true');
    await desk.getByTestId('act-ack').click({ force: true });
    await expect.poll(notice).toBe('当前状态为「已签收」，不能签收');
    await desk.keyboard.press('c');
    await expect.poll(notice).toBe('当前状态为「已签收」，不能核验');

    // 确认分派 with no department chosen asks for one; with one it dispatches.
    await desk.getByTestId('act-dispatch').click();
    await desk.getByTestId('dispatch-confirm').click({ force: true });
    await expect.poll(notice).toBe('请选择要分派的部门');
    await desk.getByTestId('dispatch-custom').fill('司法所');
    await desk.getByTestId('dispatch-confirm').click();
    await detail(id, 'dispatched');
    expect(await desk.getByTestId('detail-state').textContent()).toBe('已分派');
    expect(await notice()).toBe('已分派');
    expect(await desk.locator(`[data-testid=queue-item][data-id="${id}"]`).getAttribute('data-state')).toBe(
      'dispatched',
    );

    // A 备注 changes nothing of the alert's view (same officer, same server time): its line must
    // still appear in the history.
    await desk.getByTestId('duty-note').fill('已电话联系村调解员上门');
    await desk.getByTestId('act-note').click();
    await expect
      .poll(() => desk.getByTestId('detail-history').textContent(), { timeout: 10_000 })
      .toContain('已电话联系村调解员上门');
    await screenshot(desk, 'duty-clicks-page-behind');
  }, 60_000);

  it('signs and dispatches the other grouped row after the server’s clock stepped back to 19 minutes behind the page', async () => {
    // Earlier than the alert's own updatedAt: the next step's stamp goes backwards.
    clock.set(Date.now() - 19 * MIN);
    const id = rows[1]!;
    await desk.locator(`[data-testid=queue-item][data-id="${id}"]`).click();
    await detail(id, 'new');
    await desk.keyboard.press('a');
    await detail(id, 'acknowledged');
    await desk.keyboard.press('d');
    await desk.getByTestId('dispatch-custom').fill('派出所');
    await desk.getByTestId('dispatch-confirm').click();
    await detail(id, 'dispatched');
    const history = (await desk.getByTestId('detail-history').textContent()) ?? '';
    expect(history).toContain('签收');
    expect(history).toContain('派出所');
    await screenshot(desk, 'duty-clicks-page-ahead');
  }, 60_000);
});
