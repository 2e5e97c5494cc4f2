/**
 * What a person reads on the wall and at the desk, in a real browser, for points that unit tests
 * alone covered: the map's region names (drawn, 16 px or more, none on another), ?layout= for a
 * splice wall, a burst of alerts of one rule and region as one line with a count (wall and
 * console), and 分派 / 分流 as one word for one thing each.
 *
 * The server runs on a clock of its own, started at the browser's time and stepped once, so the
 * overdue rule judges a burst of disputes received two days ago without a real ten-minute wait.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { drawnLabels, overlapping, type DrawnLabel } from '../helpers/map-labels.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;
const DAY = 86_400_000;

/**
 * Pixels of the map's canvases inside each label's box that are the names' ink (#e8f4ff): none
 * of the map's fills (lightest #b7d2ea) is that light. The attribute says where names are; the
 * canvas says whether anyone can read them.
 */
function inkPerLabel(page: Page, labels: DrawnLabel[]): Promise<number[]> {
  return page.evaluate((boxes) => {
    const host = document.querySelector<HTMLElement>('[data-testid=region-map][data-map="62"] .canvas')!;
    const canvases = [...host.querySelectorAll('canvas')];
    return boxes.map((b) => {
      let ink = 0;
      for (const c of canvases) {
        const ratio = c.width / c.clientWidth;
        const ctx = c.getContext('2d');
        if (!ctx || !ratio) continue;
        const [x, y, w, h] = [b.x, b.y, b.width, b.height].map((v) => Math.round(v * ratio));
        if (w! <= 0 || h! <= 0) continue;
        const data = ctx.getImageData(x!, y!, w!, h!).data;
        for (let i = 0; i < data.length; i += 4)
          if (data[i]! > 200 && data[i + 1]! > 225 && data[i + 2]! > 240 && data[i + 3]! > 180) ink++;
      }
      return ink;
    });
  }, labels);
}

describe('what the wall and the desk say, read in a browser', () => {
  let t: TestServer;
  let clock: ManualClock;
  let browser: TestBrowser;
  let wall: Page;
  let deskBrowser: TestBrowser | undefined;
  let desk: Page;

  beforeAll(async () => {
    await ensureClientBuild();
    clock = new ManualClock(Date.now());
    t = await startTestServer({ clock });
    // The desk of the township the burst happens in: yellow alerts are its to sign.
    await t.userToken('qin', 'duty', t.tree.children('620702')[0]!.code);
    browser = await launchBrowser();
    wall = await browser.newPage({ width: 1920, height: 1080 });
    await wall.goto(`${t.url}/`);
    await wall.waitForURL(/\/login/);
    await wall.fill('input[name=username]', 'admin');
    await wall.fill('input[name=password]', t.adminPassword);
    await wall.click('button[type=submit]');
    await wall.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await deskBrowser?.close();
    await browser?.close();
    await t?.stop();
  });

  it('names every city on the province map in 16 px or more, drawn where it can be read, no name on another', async () => {
    for (const [w, h] of [
      [1920, 1080],
      [5760, 1080],
    ] as const) {
      await wall.setViewportSize({ width: w, height: h });
      await wall.waitForTimeout(1500);
      const labels = await drawnLabels(wall, '62', '兰州市');
      const where = `${w}×${h}: ${JSON.stringify(labels.map((l) => l.text))}`;
      // 14 cities; hideOverlap may drop the odd small one where two still collide.
      expect(labels.length, where).toBeGreaterThanOrEqual(12);
      expect(new Set(labels.map((l) => l.text)).size, where).toBe(labels.length);
      // The stage is unscaled at both sizes (1080 high): chart pixels are screen pixels.
      expect(Number(await wall.locator('.stage').getAttribute('data-scale'))).toBe(1);
      expect(
        labels.filter((l) => l.fontSize < 16 || l.opacity < 1).map((l) => `${l.text} ${l.fontSize}px ×${l.opacity}`),
        where,
      ).toEqual([]);
      expect(overlapping(labels), where).toEqual([]);
      const ink = await inkPerLabel(wall, labels);
      expect(
        labels.filter((_, i) => ink[i]! < 20).map((l, i) => `${l.text}: ${ink[i]} px of ink`),
        where,
      ).toEqual([]);
      await screenshot(wall, `reading-map-labels-${w}x${h}`);
    }
    await wall.setViewportSize({ width: 1920, height: 1080 });
  }, 60_000);

  it('keeps a 16:9 stage on a splice wall with ?layout=standard and takes a 16:9 screen’s width for the map and its tiles with ?layout=wide', async () => {
    const stage = wall.locator('.stage');
    const tiles = wall.getByTestId('panel-wide-tiles');
    const ready = () => wall.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });

    // A three-screen wall chooses the wide layout by itself …
    await wall.setViewportSize({ width: 5760, height: 1080 });
    await wall.goto(`${t.url}/`);
    await ready();
    expect(await stage.getAttribute('data-layout')).toBe('wide');
    expect((await stage.boundingBox())!.width).toBeCloseTo(5760, 0);
    await tiles.waitFor({ timeout: 5000 });

    // … and keeps the 16:9 design, centred, when told.
    await wall.goto(`${t.url}/?layout=standard`);
    await ready();
    expect(await stage.getAttribute('data-layout')).toBe('standard');
    const box = (await stage.boundingBox())!;
    expect(box.width).toBeCloseTo(1920, 0);
    expect(box.x).toBeCloseTo((5760 - 1920) / 2, 0);
    expect(await tiles.count()).toBe(0);
    await screenshot(wall, 'reading-layout-standard-5760x1080');

    // A 16:9 screen told ?layout=wide puts the children's tiles beside the map.
    await wall.setViewportSize({ width: 1920, height: 1080 });
    await wall.goto(`${t.url}/?layout=wide`);
    await ready();
    expect(await stage.getAttribute('data-layout')).toBe('wide');
    await tiles.waitFor({ timeout: 5000 });
    expect(await tiles.locator('[data-testid=wide-tiles] li').count()).toBe(14);
    await screenshot(wall, 'reading-layout-wide-1920x1080');

    // Anything else is the screen's own choice.
    await wall.goto(`${t.url}/?layout=huge`);
    await ready();
    expect(await stage.getAttribute('data-layout')).toBe('standard');
  }, 60_000);

  it('shows a burst of twelve disputes of one village going overdue as one line ×12 on the wall and at the desk', async () => {
    const now = clock.now();
    const dispute = (i: number, village: string) => ({
      id: `burst-${village}-${i}`,
      caseId: `burst-case-${village}-${i}`,
      kind: 'dispute',
      category: 'family',
      status: 'received',
      severity: 1,
      region: village,
      occurredAt: new Date(now - 2 * DAY - i * MIN).toISOString(),
      channel: 'grid',
      summary: `家庭矛盾 #${i}`,
    });
    const [one, other] = t.tree.children('620702').map((town) => t.tree.children(town.code)[0]!.code);
    const burst = Array.from({ length: 12 }, (_, i) => dispute(i, one!));
    const res = await t.postEvents([...burst, dispute(0, other!)]);
    expect(res.body).toMatchObject({ accepted: 13 });
    await wall.goto(`${t.url}/?region=620702`);
    await wall.getByTestId('panel-alerts').waitFor();
    // Past the rule's grace for a backlog, as after a restart: the whole burst is judged at once.
    clock.advance(11 * MIN);

    const rows = wall.getByTestId('panel-alerts').locator('li', { hasText: '超期未办' });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    const texts = await rows.allTextContents();
    expect(texts.filter((x) => /×12/.test(x))).toHaveLength(1);
    expect(texts.filter((x) => !/×\d/.test(x))).toHaveLength(1);
    await screenshot(wall, 'reading-burst-wall');

    // The township's desk: one row for its village's twelve, not twelve.
    deskBrowser = await launchBrowser({ viewport: { width: 1600, height: 900 } });
    desk = await deskBrowser.newPage();
    await desk.goto(`${t.url}/duty`);
    await desk.waitForURL(/\/login/);
    await desk.fill('input[name=username]', 'qin');
    await desk.fill('input[name=password]', 'pw-qin-12345');
    await desk.click('button[type=submit]');
    await desk.waitForURL(/\/duty$/);
    const items = desk.locator('[data-testid=queue-item]', { hasText: '超期未办' });
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(1);
    expect(await items.textContent()).toMatch(/×12/);
    await screenshot(desk, 'reading-burst-desk');
  }, 90_000);

  it('says 分派 for an alert sent to departments, in the desk’s buttons, state and history and on the wall, and 分流 only for a dispute’s stage', async () => {
    const item = desk.locator('[data-testid=queue-item]', { hasText: '×12' });
    await item.click();
    const detail = desk.locator('[data-testid=duty-detail]');
    await detail.waitFor();
    const id = (await detail.getAttribute('data-id'))!;
    // Clicked, as an officer would: the server's clock stands 11 minutes ahead of the page's and
    // still between the steps, so each step keeps the alert's updatedAt (tests/e2e/duty-clicks).
    await desk.getByTestId('act-ack').click();
    await desk
      .locator(`[data-testid=duty-detail][data-id="${id}"][data-state=acknowledged]`)
      .waitFor({ timeout: 10_000 });
    expect(await desk.getByTestId('act-dispatch').textContent()).toMatch(/^分派/);
    await desk.keyboard.press('d');
    expect(await desk.getByTestId('dispatch-confirm').textContent()).toMatch(/^确认分派/);
    await desk
      .locator('[data-testid=dispatch-picker] [data-testid=dispatch-dept]', { hasText: '公安局' })
      .first()
      .click();
    await desk.getByTestId('dispatch-confirm').click();
    await desk
      .locator(`[data-testid=duty-detail][data-id="${id}"][data-state=dispatched]`)
      .waitFor({ timeout: 10_000 });
    expect(await desk.getByTestId('duty-notice').textContent()).toBe('已分派');
    expect(await desk.getByTestId('detail-state').textContent()).toBe('已分派');
    const history = (await desk.getByTestId('detail-history').textContent()) ?? '';
    expect(history).toContain('分派');
    // The alert's own steps never borrow the dispute's word (its title may: 超期未分流 is the dispute's).
    expect(history).not.toContain('分流');
    expect(await desk.getByTestId('duty-actions').textContent()).not.toContain('分流');
    await screenshot(desk, 'reading-dispatch-desk');

    // The wall: the alert 已分派; the funnel's stage of disputes handed to mediators is 分流.
    const row = wall.getByTestId('panel-alerts').locator('li', { hasText: '×12' });
    await expect.poll(() => row.locator('.state').textContent(), { timeout: 10_000 }).toBe('已分派');
    expect(await wall.getByTestId('funnel-dispatched').locator('.label').textContent()).toBe('分流');
    expect(await wall.getByTestId('panel-alerts').locator('.state').allTextContents()).not.toContain('已分流');
    await screenshot(wall, 'reading-dispatch-wall');
  }, 60_000);
});
