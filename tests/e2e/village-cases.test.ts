/**
 * A village wall opened on a village with history shows that history at first paint: its open
 * disputes by name and its latest cases come with the snapshot, not from events that happen to
 * arrive after the page opened (issue 14, "No empty screens below the county").
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { isoBeijing } from '../../server/time/beijing.ts';

const HOUR = 3_600_000;

describe('the village centre at first paint', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let village: { code: string; name: string };

  beforeAll(async () => {
    await ensureClientBuild();
    server = await startTestServer();
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1920, height: 1080 });
    const town = server.tree.children('620702')[0]!;
    village = server.tree.children(town.code)[0]!;
    const now = Date.now();
    const ev = (n: number, kind: string, category: string, status: string, ageH: number, summary: string) => ({
      id: `vc-${n}-${status}`,
      caseId: `vc-${n}`,
      kind,
      category,
      status,
      severity: 1 + (n % 3),
      region: village.code,
      occurredAt: isoBeijing(now - ageH * HOUR),
      channel: 'grid',
      summary,
    });
    // Days of history before the page opens: disputes still open (one of them overdue), disputes
    // resolved, incidents closed and open.
    const history = [
      ev(1, 'dispute', 'land', 'received', 30, '宅基地边界争议，两户各执一词<i>x</i>'),
      ev(2, 'dispute', 'neighbour', 'received', 20, '邻里排水沟堵塞引发口角'),
      { ...ev(2, 'dispute', 'neighbour', 'mediating', 18, '调解员上门'), id: 'vc-2-m' },
      ev(3, 'dispute', 'labour', 'received', 200, '务工人员反映工资拖欠三个月'),
      ev(4, 'dispute', 'family', 'received', 10, '赡养老人费用分担纠纷'),
      { ...ev(4, 'dispute', 'family', 'resolved', 8, '达成协议'), id: 'vc-4-r' },
      ev(5, 'incident', 'public_order', 'reported', 6, '村口小卖部门前酒后争吵'),
      { ...ev(5, 'incident', 'public_order', 'closed', 5, '已处置'), id: 'vc-5-c' },
      ev(6, 'incident', 'traffic', 'reported', 3, '村道农用车与摩托车剐蹭'),
      ev(7, 'incident', 'fraud', 'reported', 1, '村民接到冒充客服电话被骗'),
    ];
    expect((await server.postEvents(history)).status).toBe(200);
    await drained(server.server.redis, createKeys('62').events);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the village’s open disputes and latest cases as soon as it opens', async () => {
    await page.goto(`${server.url}/login`);
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(server.adminPassword);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });

    await page.goto(`${server.url}/?region=${village.code}`);
    const view = page.locator('[data-testid=local-view][data-level=village]');
    await view.waitFor({ timeout: 15_000 });
    // Nothing is posted after the page opened: all of this is the snapshot's.
    const disputes = view.getByTestId('village-open-disputes').locator('li');
    await expect.poll(() => disputes.count(), { timeout: 10_000 }).toBe(3);
    const events = view.getByTestId('village-events').locator('li');
    expect(await events.count()).toBe(5);
    const disputeText = await view.getByTestId('village-open-disputes').textContent();
    expect(disputeText).toContain('宅基地边界争议');
    expect(disputeText).toContain('工资拖欠');
    // Resolved disputes are not open.
    expect(disputeText).not.toContain('赡养老人');
    // The one received 200 hours ago is past its SLA (the land dispute, never dispatched, is too).
    const late = await view.locator('[data-testid=village-open-disputes] li.late').allTextContents();
    expect(late.join(' ')).toContain('工资拖欠');
    expect(late.every((t) => t.includes('超期'))).toBe(true);
    expect(late.join(' ')).not.toContain('排水沟');
    // Newest first, with the case's current status; text from events stays text.
    const first = await events.first().textContent();
    expect(first).toContain('冒充客服');
    expect(await events.allTextContents()).toContainEqual(expect.stringContaining('已结案'));
    expect(await view.locator('i').count()).toBe(0);
    // Neither of the village's own lists says it is empty. (Today's panels may: just after Beijing
    // midnight this history is all yesterday's, and 今日暂无案事件 is then the truth.)
    expect(await page.getByTestId('wall').textContent()).not.toMatch(/本村(近期)?暂无/);
    await page.waitForTimeout(800);
    await screenshot(page, 'village-cases-1080');
  });

  it('adds a case that arrives later to the top of the list', async () => {
    const now = Date.now();
    const late = {
      id: 'vc-9-0',
      caseId: 'vc-9',
      kind: 'dispute',
      category: 'debt',
      status: 'received',
      severity: 2,
      region: village.code,
      occurredAt: isoBeijing(now - 60_000),
      channel: 'hotline_12345',
      summary: '借款到期未还引发争执',
    };
    expect((await server.postEvents([late])).status).toBe(200);
    const view = page.locator('[data-testid=local-view][data-level=village]');
    await expect
      .poll(() => view.getByTestId('village-open-disputes').locator('li').first().textContent(), { timeout: 10_000 })
      .toContain('借款到期未还');
    expect(await view.getByTestId('village-events').locator('li').first().textContent()).toContain('借款到期未还');
  });
});
