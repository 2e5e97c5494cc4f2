import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../server/redis/keys.ts';
import type { WallOrder } from '../../shared/schemas/wall.ts';
import { launchChromium, screenshot, signedInContext } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * 一键上墙 and the red alert on stage, in one chromium: a console and walls of several viewers.
 * 主屏 (a commander of 张掖市, the group's main wall) and 左屏 (a wall account of 张掖市) form the
 * group 会商; 兰州屏 (a wall of 兰州市) asks to join it; 甘州屏 is a county wall, 领导屏 a quiet one.
 */

let t: TestServer;
let browser: Browser;
let consolePage: Page;
const walls: Record<'main' | 'side' | 'lanzhou' | 'county' | 'quiet', Page> = {} as never;

const CARD = '[data-testid=alert-card]';
const iso = (ms: number) => new Date(ms).toISOString();

async function user(username: string, role: 'commander' | 'wall' | 'duty', region: string) {
  const token = await t.userToken(username, role, region);
  return signedInContext(browser, token, { username, role, region });
}

/** Notes in the page when `selector` first matches (epoch ms), watching from now on. */
async function watchFor(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __seenAt?: number };
    w.__seenAt = 0;
    const check = () => {
      if (!w.__seenAt && document.querySelector(sel)) w.__seenAt = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    check();
  }, selector);
}
const seenAt = (page: Page) => page.evaluate(() => (window as unknown as { __seenAt?: number }).__seenAt ?? 0);

async function openWall(page: Page, query: string, region: string): Promise<void> {
  await page.goto(`${t.url}/?${query}`);
  const shown = `[data-testid=wall][data-region="${region}"][data-wall-id^="w-"]`;
  await page.waitForSelector(shown, { timeout: 30_000 }).catch(async (err: unknown) => {
    const html = await page.evaluate(() => document.querySelector('[data-testid=wall]')?.outerHTML.slice(0, 300));
    throw new Error(`${query}: ${String(err)}\n${html}`);
  });
  await page.waitForSelector('[data-testid=region-map], [data-testid=ranking-list]', { timeout: 20_000 });
}

let alertId = '';

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  // An orange alert before the walls open: it is in their snapshot, so it never takes the stage.
  const posted = await t.postEvents([
    {
      id: 'ew-orange',
      caseId: 'ew-orange-case',
      kind: 'dispute',
      category: 'neighbour',
      status: 'received',
      severity: 2,
      region: '620702003001',
      occurredAt: iso(Date.now() - 20 * 60_000),
      channel: 'grid',
      summary: '邻里纠纷中一方扬言动手 <b>不应加粗</b>',
      riskMarkers: ['violence_threat'],
    },
  ]);
  expect(posted.status).toBe(200);
  browser = await launchChromium();
  const [cmd, zy, lz, gz] = await Promise.all([
    user('ew-cmd', 'commander', '6207'),
    user('ew-zy', 'wall', '6207'),
    user('ew-lz', 'wall', '6201'),
    user('ew-gz', 'wall', '620702'),
  ]);
  [walls.main, consolePage, walls.side, walls.quiet, walls.lanzhou, walls.county] = await Promise.all([
    cmd.newPage(),
    cmd.newPage(),
    zy.newPage(),
    zy.newPage(),
    lz.newPage(),
    gz.newPage(),
  ]);
  // One after another: five walls loading their maps at once starve a two-core machine.
  await openWall(walls.main, 'wall=主屏&group=会商&main=1', '6207');
  await openWall(walls.side, 'wall=左屏&group=会商', '6207');
  await openWall(walls.lanzhou, 'wall=兰州屏&group=会商', '6201');
  await openWall(walls.county, 'wall=甘州屏', '620702');
  await openWall(walls.quiet, 'wall=领导屏&quiet=1', '6207');
  await consolePage.goto(`${t.url}/duty`);
  await consolePage.waitForSelector('[data-testid=duty-link][data-status=live]');
  await consolePage.waitForSelector('[data-testid=queue-item]');
  alertId = (await consolePage.getAttribute('[data-testid=duty-detail]', 'data-id', { timeout: 10_000 })) ?? '';
  expect(alertId).not.toBe('');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('一键上墙 from the console', () => {
  it('puts an alert up on the group: both walls show its card within a second; release returns them', async () => {
    await consolePage.click('[data-testid=alert-to-wall]');
    await consolePage.click('[data-testid=pick-group][data-group=会商]');
    const sel = `${CARD}[data-kind=order][data-id="${alertId}"]`;
    await Promise.all([watchFor(walls.main, sel), watchFor(walls.side, sel)]);
    await screenshot(consolePage, 'walls-console-picker');
    const t0 = Date.now();
    await consolePage.click('[data-testid=pick-push]');
    await Promise.all([walls.main.waitForSelector(sel), walls.side.waitForSelector(sel)]);
    const latency = [(await seenAt(walls.main)) - t0, (await seenAt(walls.side)) - t0];
    console.log(`order → card: main ${latency[0]} ms, side ${latency[1]} ms`);
    // The goal is 1 s (444–841 ms measured on a quiet run); 1036–1166 ms was seen with the machine
    // at load 27, so the bound leaves room for a loaded CI while still failing a wall that did not follow.
    for (const ms of latency) expect(ms).toBeLessThan(1500);
    await walls.side.waitForSelector(`${CARD} [data-testid=alert-card-by]:has-text("由 ew-cmd 推送")`);
    // The card is text: the summary's markup is not rendered as markup anywhere on the wall.
    expect(await walls.side.locator(`${CARD} b:has-text("不应加粗")`).count()).toBe(0);
    // The wall shows the alert on its city's map, its county pulsing.
    await walls.side.waitForSelector('[data-testid=region-map][data-map="6207"][data-zoom="2"]:not([data-spot=""])');
    await screenshot(walls.side, 'walls-order-alert-card');
    // 兰州's wall asked to join 会商, but a 张掖 commander's group order does not reach it.
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-following')).toBe('');

    await consolePage.click('[data-testid=walls-toggle]');
    await consolePage.waitForSelector('[data-testid=wall-row][data-name=左屏]:not([data-following=""])');
    await screenshot(consolePage, 'walls-console-panel');
    await consolePage.click('[data-testid=group-release][data-group=会商]');
    for (const page of [walls.main, walls.side]) {
      await page.waitForSelector(`[data-testid=wall][data-following=""][data-region="6207"]`, { timeout: 15_000 });
      expect(await page.locator(CARD).count()).toBe(0);
    }
  }, 60_000);

  it('keeps a wall of another region on its own: the server refuses the order, and a forged one is not delivered', async () => {
    const prov = await t.userToken('ew-prov', 'commander', '62');
    const res = await fetch(`${t.url}/api/v1/walls/focus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${prov}`, 'content-type': 'application/json' },
      body: JSON.stringify({ group: '会商', target: { region: '620702' } }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('target_out_of_scope');

    const ids = await Promise.all(
      [walls.main, walls.lanzhou].map((p) => p.getAttribute('[data-testid=wall]', 'data-wall-id')),
    );
    const order: WallOrder = {
      id: 'o-00000000000000aa',
      walls: ids as string[],
      target: { kind: 'region', region: '620702' },
      by: 'forger',
      at: iso(Date.now()),
      until: iso(Date.now() + 60_000),
    };
    const client = t.redis.client();
    await client.publish(createKeys('62').wallPush, JSON.stringify({ kind: 'focus', order }));
    await walls.main.waitForSelector('[data-testid=wall][data-following="o-00000000000000aa"][data-region="620702"]');
    await new Promise((r) => setTimeout(r, 800));
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-following')).toBe('');
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-region')).toBe('6201');
    await client.publish(
      createKeys('62').wallPush,
      JSON.stringify({ kind: 'release', releases: [{ wall: ids[0], order: order.id }] }),
    );
    await walls.main.waitForSelector('[data-testid=wall][data-following=""][data-region="6207"]');
  }, 30_000);

  it('moves the side wall when the commander drills down on the main wall, and brings it back', async () => {
    await walls.main.click('[data-testid=ranking-list] button:has-text("甘州区")');
    await walls.main.waitForSelector('[data-testid=wall][data-region="620702"]');
    await walls.side.waitForSelector('[data-testid=wall][data-region="620702"]', { timeout: 15_000 });
    await walls.side.waitForSelector('[data-testid=follow-badge]:has-text("随主屏联动")');
    await screenshot(walls.side, 'walls-side-in-step');
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-region')).toBe('6201');
    await walls.main.click('[data-testid=panel-map] button.up');
    await walls.main.waitForSelector('[data-testid=wall][data-region="6207"]');
    await walls.side.waitForSelector('[data-testid=wall][data-region="6207"][data-following=""]', { timeout: 15_000 });
  }, 60_000);
});

describe('a red alert takes the stage', () => {
  it('shows the card within a second on the walls of its county and city, not on another city’s, and only pulses in quiet mode', async () => {
    const sel = `${CARD}[data-kind=red]`;
    await Promise.all([walls.county, walls.side].map((p) => watchFor(p, sel)));
    const t0 = Date.now();
    const posted = await t.postEvents([
      {
        id: 'ew-red',
        caseId: 'ew-red-case',
        kind: 'dispute',
        category: 'family',
        status: 'received',
        severity: 3,
        region: '620702001001',
        occurredAt: iso(Date.now() - 60_000),
        channel: 'police_110',
        summary: '夫妻争吵升级，男方持刀扬言杀人 <img src=x onerror=alert(1)>',
        riskMarkers: ['weapon', 'kill_threat'],
      },
    ]);
    expect(posted.status).toBe(200);
    await Promise.all(
      [walls.county, walls.side].map((p) => p.waitForSelector(sel, { state: 'attached', timeout: 15_000 })),
    ).catch(async (err: unknown) => {
      const state = await Promise.all(
        [walls.county, walls.side].map((p) =>
          p.evaluate(() => {
            const w = document.querySelector('[data-testid=wall]');
            const items = [...document.querySelectorAll('[data-testid=panel-alerts] li')].map((li) => li.textContent);
            return { stage: w?.getAttribute('data-stage'), region: w?.getAttribute('data-region'), items };
          }),
        ),
      );
      throw new Error(`${String(err)}\n${JSON.stringify(state)}`);
    });
    const latency = [(await seenAt(walls.county)) - t0, (await seenAt(walls.side)) - t0];
    console.log(`ingest → red card: county ${latency[0]} ms, city ${latency[1]} ms`);
    for (const ms of latency) expect(ms).toBeLessThan(1500);
    await walls.side.waitForSelector(`${sel} [data-testid=alert-card-explanation]`);
    expect(await walls.side.textContent(`${sel} [data-testid=alert-card-place]`)).toContain('甘州区');
    // Above the county the map zooms on the alert's county, which pulses.
    await walls.side.waitForSelector('[data-testid=region-map][data-zoom="2"]:not([data-spot=""])');
    await screenshot(walls.side, 'walls-red-alert-city');
    await screenshot(walls.county, 'walls-red-alert-county');
    // The quiet wall: the pulse, no card, no zoom.
    await walls.quiet.waitForSelector('[data-testid=region-map][data-zoom="1"]:not([data-spot=""])', {
      timeout: 15_000,
    });
    expect(await walls.quiet.locator(CARD).count()).toBe(0);
    await screenshot(walls.quiet, 'walls-red-alert-quiet');
    await new Promise((r) => setTimeout(r, 500));
    expect(await walls.lanzhou.locator(CARD).count()).toBe(0);
    expect(await walls.side.locator('img').count()).toBe(0);
  }, 90_000);
});
