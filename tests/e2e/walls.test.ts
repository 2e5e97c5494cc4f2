import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../server/redis/keys.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { WallOrder } from '../../shared/schemas/wall.ts';
import { launchChromium, screenshot, signedInContext } from '../helpers/browser.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { seenAt, waitSeen, watchFor } from '../helpers/seen.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { watchServerMoments, type ServerMoments } from '../helpers/server-moments.ts';

/**
 * 一键上墙 and the red alert on stage, in one chromium: a console and walls of several viewers.
 * 主屏 (a commander of 张掖市, the group's main wall) and 左屏 (a wall account of 张掖市) form the
 * group 会商; 兰州屏 (a wall of 兰州市) asks to join it; 甘州屏 is a county wall, 领导屏 a quiet one.
 *
 * "Within a second" is measured as the product's own time, not chromium's: six pages in one
 * browser on a loaded two-core machine wait for the CPU for seconds at a time, and a card that is
 * late because its renderer was not scheduled says nothing about the wall. So the time is the
 * server's part, on its own clock (ingest answered, or the order's request arrived → the event
 * written to that wall's socket) plus the wall's part, on the page's own clock (its socket message
 * → the card in its DOM: the card's data-heard-at and a MutationObserver). The end-to-end figure,
 * with chromium's waits in it, is logged beside them.
 */

let t: TestServer;
let browser: Browser;
let moments: ServerMoments;
const pageErrors: string[] = [];
let consolePage: Page;
const walls: Record<'main' | 'side' | 'lanzhou' | 'county' | 'quiet', Page> = {} as never;

const CARD = '[data-testid=alert-card]';
const iso = (ms: number) => new Date(ms).toISOString();

async function user(username: string, role: 'commander' | 'wall' | 'duty', region: string) {
  const token = await t.userToken(username, role, region);
  if (username === 'ew-cmd') commanderToken = token;
  return signedInContext(browser, token, { username, role, region });
}

/** The product's goal: a card within a second. */
const GOAL_MS = 1000;
/** The server's part: from `since` (its moment) to writing `event` to the socket of the wall shown on `page`. */
async function serverPart(
  page: Page,
  event: string,
  match: (arg: unknown) => boolean,
  since: { path: string; from: 'arrived' | 'answered' },
): Promise<number> {
  const wall = await page.getAttribute('[data-testid=wall]', 'data-wall-id');
  const sent = moments.sent((e) => e.event === event && e.wall === wall && match(e.arg), moments.arrived(since.path));
  expect(sent, `${event} written to ${wall}`).toBeDefined();
  // An alert written before the ingest answer went out costs nothing after it.
  return Math.max(0, sent!.at - moments[since.from](since.path));
}
/** The wall's own time for a card: its socket message (data-heard-at) → the card in its DOM. */
async function wallPart(page: Page, selector: string): Promise<number> {
  const heard = Number(await page.getAttribute(selector, 'data-heard-at'));
  expect(heard).toBeGreaterThan(0);
  return (await seenAt(page)) - heard;
}

/** Opens or closes the console's 大屏调度 panel (it lies over the right of the console). */
async function wallsPanel(open: boolean): Promise<void> {
  const isOpen = (await consolePage.locator('[data-testid=walls-panel]').count()) > 0;
  if (isOpen !== open) await consolePage.click('[data-testid=walls-toggle]');
  await consolePage.waitForSelector('[data-testid=walls-panel]', { state: open ? 'attached' : 'detached' });
}
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
let serverStartedAt = 0;
let commanderToken = '';

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  serverStartedAt = Date.now();
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
  // One login after another: the server hashes one password per address at a time and refuses
  // (503, Retry-After) a login that waited 5 s in line, which four at once did on a loaded machine.
  const cmd = await user('ew-cmd', 'commander', '6207');
  const zy = await user('ew-zy', 'wall', '6207');
  const lz = await user('ew-lz', 'wall', '6201');
  const gz = await user('ew-gz', 'wall', '620702');
  moments = watchServerMoments(t.server, ['alert', 'wall:focus']);
  [walls.main, consolePage, walls.side, walls.quiet, walls.lanzhou, walls.county] = await Promise.all([
    cmd.newPage(),
    cmd.newPage(),
    zy.newPage(),
    zy.newPage(),
    lz.newPage(),
    gz.newPage(),
  ]);
  // A wall that throws while rendering would fail the test later for a reason it cannot show.
  for (const [name, page] of Object.entries({ ...walls, console: consolePage }))
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  // One after another: five walls loading their maps at once starve a two-core machine. A red
  // card stays 5 minutes (?stage=300, 30 s by default): the test looks at it longer than 30 s
  // when the machine is loaded.
  await openWall(walls.main, 'wall=主屏&group=会商&main=1&stage=300', '6207');
  await openWall(walls.side, 'wall=左屏&group=会商&stage=300', '6207');
  await openWall(walls.lanzhou, 'wall=兰州屏&group=会商&stage=300', '6201');
  await openWall(walls.county, 'wall=甘州屏&stage=300', '620702');
  await openWall(walls.quiet, 'wall=领导屏&quiet=1&stage=300', '6207');
  await consolePage.goto(`${t.url}/duty`);
  await consolePage.waitForSelector('[data-testid=duty-link][data-status=live]');
  await consolePage.waitForSelector('[data-testid=queue-item]');
  alertId = (await consolePage.getAttribute('[data-testid=duty-detail]', 'data-id', { timeout: 10_000 })) ?? '';
  expect(alertId).not.toBe('');
}, 240_000);

// A test that failed half-way must not leave the group on its order for the next one.
afterEach(async () => {
  await fetch(`${t.url}/api/v1/walls/focus`, {
    method: 'POST',
    headers: { authorization: `Bearer ${commanderToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ group: '会商', release: true }),
  });
});

afterAll(async () => {
  if (pageErrors.length) console.log(`page errors:\n${pageErrors.join('\n')}`);
  moments?.stop();
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
    await Promise.all([waitSeen(walls.main), waitSeen(walls.side)]);
    expect(moments.arrived('/api/v1/walls/focus')).toBeGreaterThanOrEqual(t0);
    const isOrder = (o: unknown) => (o as WallOrder).target.kind === 'alert';
    const focus = { path: '/api/v1/walls/focus', from: 'arrived' } as const;
    const server = [
      await serverPart(walls.main, 'wall:focus', isOrder, focus),
      await serverPart(walls.side, 'wall:focus', isOrder, focus),
    ];
    const own = [await wallPart(walls.main, sel), await wallPart(walls.side, sel)];
    const endToEnd = [(await seenAt(walls.main)) - t0, (await seenAt(walls.side)) - t0];
    console.log(
      `order → card: server main ${server[0]} / side ${server[1]} ms + wall main ${own[0]} / side ${own[1]} ms ` +
        `(click → card as chromium ran it: ${endToEnd[0]} / ${endToEnd[1]} ms)`,
    );
    for (const i of [0, 1]) expect(server[i]! + own[i]!).toBeLessThanOrEqual(GOAL_MS);
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

describe('一键上墙 of a 重点问题 and of a replay moment', () => {
  it('puts a problem up from the problem desk: both walls of the group show its card and the 重点问题 panel', async () => {
    const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const made = await fetch(`${t.url}/api/v1/problems`, {
      method: 'POST',
      headers: { authorization: `Bearer ${commanderToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        region: '620702001',
        title: '东街街道婚姻家庭矛盾集中',
        description: '一键上墙测试',
        stars: 3,
        lead: 'dep-620702-police',
        milestones: [
          { title: '逐户走访排查', deadline: later, weight: 2 },
          { title: '建立调解台账', deadline: later, weight: 1 },
        ],
      }),
    });
    expect(made.status).toBe(201);
    const problemId = ((await made.json()) as { problem: { id: string } }).problem.id;

    await wallsPanel(false);
    await consolePage.click('[data-testid=view-problems]');
    await consolePage.waitForSelector(`[data-testid=problem-title]:has-text("东街街道婚姻家庭矛盾集中")`);
    await consolePage.click('[data-testid=problem-to-wall]');
    await consolePage.click('[data-testid=pick-group][data-group=会商]');
    const sel = `[data-testid=problem-card][data-id="${problemId}"]`;
    await Promise.all([watchFor(walls.main, sel), watchFor(walls.side, sel)]);
    await consolePage.click('[data-testid=pick-push]');
    await Promise.all([waitSeen(walls.main), waitSeen(walls.side)]);
    const own = [await wallPart(walls.main, sel), await wallPart(walls.side, sel)];
    console.log(`problem order → card, wall's part: main ${own[0]} / side ${own[1]} ms`);
    for (const page of [walls.main, walls.side]) {
      // On the problem's county, its stars and who put it up, the 重点问题 panel beside.
      await page.waitForSelector('[data-testid=wall][data-region="620702"]');
      expect(await page.textContent(`${sel} [data-testid=problem-card-stars]`)).toBe('★★★☆☆');
      expect(await page.textContent(`${sel} [data-testid=problem-card-by]`)).toContain('由 ew-cmd 推送');
      await page.waitForSelector('[data-testid=tab-problems][aria-selected=true]');
    }
    await screenshot(walls.side, 'walls-order-problem');
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-following')).toBe('');

    await wallsPanel(true);
    await consolePage.waitForSelector('[data-testid=wall-row][data-name=左屏]:has-text("重点问题")');
    await consolePage.click('[data-testid=group-release][data-group=会商]');
    for (const page of [walls.main, walls.side]) {
      await page.waitForSelector(`[data-testid=wall][data-following=""][data-region="6207"]`, { timeout: 15_000 });
      expect(await page.locator('[data-testid=problem-card]').count()).toBe(0);
    }
    await consolePage.click('[data-testid=view-alerts]');
  }, 60_000);

  it('puts a replay moment up from the 大屏调度 panel: the wall says 回放 and the time, then comes back live', async () => {
    // A minute after the server started (replay's record begins with it), typed as Beijing time.
    const at = Math.ceil((serverStartedAt + 1000) / 60_000) * 60_000;
    while (Date.now() < at + 2000) await new Promise((r) => setTimeout(r, 500));
    const typed = new Date(at + 8 * 3_600_000).toISOString().slice(0, 16);
    await wallsPanel(true);
    await consolePage.selectOption('[data-testid=replay-region]', '6207');
    await consolePage.fill('[data-testid=replay-at]', typed);
    await consolePage.selectOption('[data-testid=replay-speed]', '60');
    await consolePage.click('[data-testid=replay-pick]');
    await consolePage.click('[data-testid=replay-push] [data-testid=pick-wall][data-name=左屏]');
    await screenshot(consolePage, 'walls-console-replay');
    await consolePage.click('[data-testid=replay-push] [data-testid=pick-push]');

    await walls.side.waitForSelector('[data-testid=wall][data-mode=replay][data-region="6207"]', { timeout: 15_000 });
    await walls.side.waitForSelector('[data-testid=replay-band]');
    await walls.side.waitForSelector('[data-testid=follow-badge]:has-text("回放调度")');
    // The snapshot shown is of the moment put up (played forward at 60×: at or a little after it).
    await walls.side.waitForFunction(
      (from) => {
        const asOf = Date.parse(document.querySelector('[data-testid=wall]')?.getAttribute('data-asof') ?? '');
        return asOf >= from && asOf < from + 10 * 60_000;
      },
      at,
      { polling: 200, timeout: 15_000 },
    );
    await screenshot(walls.side, 'walls-order-replay');
    // The group's other wall was not named: it stays live.
    expect(await walls.main.getAttribute('[data-testid=wall]', 'data-mode')).toBe('live');
    await consolePage.waitForSelector('[data-testid=wall-row][data-name=左屏]:has-text("回放")');
    await consolePage.click('[data-testid=wall-row][data-name=左屏] [data-testid=wall-release]');
    await walls.side.waitForSelector('[data-testid=wall][data-mode=live][data-following=""][data-region="6207"]', {
      timeout: 15_000,
    });
    await wallsPanel(false);
  }, 120_000);
});

describe('a red alert takes the stage', () => {
  it('shows the card within a second on the walls of its county and city, not on another city’s, and only pulses in quiet mode', async () => {
    const sel = `${CARD}[data-kind=red]`;
    await Promise.all([walls.county, walls.side, walls.lanzhou].map((p) => watchFor(p, sel)));
    const posted = await t.postEvents([
      killThreatDispute('ew-red', { summary: '夫妻争吵升级，男方持刀扬言杀人 <img src=x onerror=alert(1)>' }),
    ]);
    expect(posted.status).toBe(200);
    const ingested = moments.answered('/api/v1/events');
    const ingest = { path: '/api/v1/events', from: 'answered' } as const;
    await Promise.all([walls.county, walls.side].map((p) => waitSeen(p))).catch(async (err: unknown) => {
      const state = await Promise.all(
        [walls.county, walls.side].map((p) =>
          p.evaluate(() => {
            const w = document.querySelector('[data-testid=wall]');
            const items = [...document.querySelectorAll('[data-testid=panel-alerts] li')].map((li) => li.textContent);
            const cards = [...document.querySelectorAll('[data-testid=alert-card]')].map((c) =>
              c.outerHTML.slice(0, 200),
            );
            return { stage: w?.getAttribute('data-stage'), region: w?.getAttribute('data-region'), cards, items };
          }),
        ),
      );
      throw new Error(`${String(err)}\n${JSON.stringify(state)}`);
    });
    const isRed = (a: unknown) => (a as AlertView).level === 'red' && (a as AlertView).region.startsWith('620702001');
    const server = [
      await serverPart(walls.county, 'alert', isRed, ingest),
      await serverPart(walls.side, 'alert', isRed, ingest),
    ];
    const own = [await wallPart(walls.county, sel), await wallPart(walls.side, sel)];
    const endToEnd = [(await seenAt(walls.county)) - ingested, (await seenAt(walls.side)) - ingested];
    console.log(
      `ingest answered → red card: server county ${server[0]} / city ${server[1]} ms + ` +
        `wall county ${own[0]} / city ${own[1]} ms (as chromium ran it: ${endToEnd[0]} / ${endToEnd[1]} ms)`,
    );
    for (const i of [0, 1]) expect(server[i]! + own[i]!).toBeLessThanOrEqual(GOAL_MS);
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
    // 兰州's wall heard of it by now if it ever would (its socket is as fast as the others'): no card.
    expect(await walls.lanzhou.locator(CARD).count()).toBe(0);
    expect(await seenAt(walls.lanzhou)).toBe(0);
    expect(await walls.lanzhou.getAttribute('[data-testid=wall]', 'data-stage')).toBe('');
    expect(await walls.side.locator('img').count()).toBe(0);
  }, 90_000);
});
