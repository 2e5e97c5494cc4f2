import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { dayNumber, dayStart, isoBeijing } from '../../server/time/beijing.ts';
import { formatClock } from '../../client/src/lib/time.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { shortName } from '../../client/src/lib/names.ts';
import { ARTIFACTS, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { drained } from '../helpers/drain.ts';
import { craftTicks, replayPlaces, truthAt, type Tick } from '../helpers/replay-day.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const H = 3_600_000;
// Yesterday morning, a tick every five minutes: the replayed hour 10:00–11:00 has twelve steps.
const D0 = dayNumber(Date.now()) - 1;
const START = dayStart(D0) + 8 * H;
const END = dayStart(D0) + 12 * H;
const CITY = '6207';

/** Set while the crafted morning is ingested; real time afterwards (the browser's clock is real). */
class TestClock implements Clock {
  t: number | null = START;
  now(): number {
    return this.t ?? Date.now();
  }
}

const clock = new TestClock();
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let staticDir: string;
let ticks: Tick[];

const at = (ms: number) => encodeURIComponent(isoBeijing(ms));
const value = async (key: string) => Number(await page.getByTestId(`value-${key}`).getAttribute('data-value'));
const shownAsOf = () => page.getByTestId('wall').getAttribute('data-asof');

async function openReplay(moment: number, speed?: number): Promise<void> {
  await page.goto(`${server.url}/?region=${CITY}&at=${at(moment)}${speed ? `&speed=${speed}` : ''}`);
  await page.locator('[data-testid=wall][data-mode=replay]').waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  await ensureClientBuild();
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-replay-client-'));
  fs.cpSync(path.join(REPO, 'dist', 'client'), staticDir, { recursive: true });
  server = await startTestServer({ clock, staticDir });
  ticks = craftTicks({
    places: replayPlaces(server.tree),
    from: START,
    to: END,
    stepMs: 5 * 60_000,
    seed: 600,
    perTick: [3, 6],
    redAt: [START + 30 * 60_000, dayStart(D0) + 10.5 * H],
  });
  for (const tick of ticks) {
    clock.t = tick.at;
    expect((await server.postEvents(tick.events)).status).toBe(200);
    await drained(server.server.redis, createKeys('62').events);
    clock.t = tick.at + 1;
  }
  clock.t = null;
  browser = await launchBrowser();
  page = await browser.newPage({ width: 1920, height: 1080 });
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', server.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('the wall in replay (回放)', () => {
  it('shows at three moments of the crafted morning the numbers of that moment, under a 回放 band', async () => {
    const info = server.tree.info(CITY)!;
    for (const moment of [dayStart(D0) + 9 * H, dayStart(D0) + 10.5 * H + 7 * 60_000, dayStart(D0) + 11.75 * H]) {
      await openReplay(moment);
      await expect.poll(shownAsOf, { timeout: 10_000 }).toBe(isoBeijing(moment));
      const truth = truthAt(
        ticks,
        moment,
        CITY,
        info.children.map((c) => c.code),
      );
      expect(await value('incident')).toBe(truth.today.incident);
      expect(await value('dispute')).toBe(truth.today.dispute);
      expect(await value('open')).toBe(truth.open.dispute);
      expect(await page.getByTestId('replay-band').textContent()).toContain('回放');
      expect(await page.getByTestId('replay-time').textContent()).toContain(formatClock(moment));
      expect(await page.getByTestId('title-band').getAttribute('data-mode')).toBe('replay');
      // The ranking shows every county as it stood then (today's incidents, by name).
      const top = truth.children.toSorted((a, b) => b.today.incident - a.today.incident)[0]!;
      expect(top.today.incident).toBeGreaterThan(0);
      const ranked = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid=ranking-list] li')].map((li) => [
          li.querySelector('.name')?.textContent ?? '',
          Number(li.querySelector('.v')?.textContent),
        ]),
      );
      // The ranking says each county by its short name, as people say it (肃南县).
      const byName = new Map(info.children.map((c) => [c.code, shortName(c.name)]));
      const expected = truth.children.map((c) => [byName.get(c.code)!, c.today.incident] as const);
      expect(ranked.length).toBe(expected.length);
      for (const [name, n] of expected) {
        const row = ranked.find(([shown]) => shown === name);
        expect(row?.[1], `${name} at ${isoBeijing(moment)}`).toBe(n);
      }
    }
    await page.waitForTimeout(1200); // numbers finish rolling before the picture
    await screenshot(page, 'replay-city-1080');
  }, 90_000);

  it('plays a crafted hour at 600× in about six seconds, passing through the numbers of each moment', async () => {
    const from = dayStart(D0) + 10 * H;
    const info = server.tree.info(CITY)!;
    await openReplay(from, 600);
    const seen = new Map<string, number>();
    const started = Date.now();
    // Replayed time follows real time × 600 whatever each step's requests cost; a loaded machine
    // shows fewer steps, not a slower hour.
    while (Date.now() - started < 20_000) {
      // Both read in one go: the next step may land between two separate reads.
      const [asOf, shown] = await page.evaluate(() => [
        document.querySelector('[data-testid=wall]')?.getAttribute('data-asof') ?? '',
        Number(document.querySelector('[data-testid=value-incident]')?.getAttribute('data-value')),
      ]);
      if (asOf && !seen.has(asOf)) seen.set(asOf, shown as number);
      if (asOf && Date.parse(asOf as string) >= from + H) break;
      await page.waitForTimeout(150);
    }
    const moments = [...seen.keys()].map((s) => Date.parse(s));
    expect(moments.length).toBeGreaterThanOrEqual(4);
    // The hour took about six seconds (generous for a machine shared with other work).
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(Math.max(...moments)).toBeGreaterThanOrEqual(from + H);
    for (const [asOf, shown] of seen) {
      const truth = truthAt(
        ticks,
        Date.parse(asOf),
        CITY,
        info.children.map((c) => c.code),
      );
      expect(shown, asOf).toBe(truth.today.incident);
    }
    // The numbers moved during the hour.
    expect(new Set(seen.values()).size).toBeGreaterThan(2);
    expect(await page.getByTestId('replay-bar').getAttribute('data-speed')).toBe('600');
  }, 60_000);

  it('returns to live on Esc: the address loses at and speed, the band shows the live link', async () => {
    await openReplay(dayStart(D0) + 11 * H);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=wall][data-mode=live]').waitFor({ timeout: 5000 });
    expect(new URL(page.url()).searchParams.get('at')).toBeNull();
    await expect
      .poll(() => page.getByTestId('connection').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('live');
    expect(await page.getByTestId('replay-band').count()).toBe(0);
    const token = await server.login('admin', server.adminPassword);
    const live = (await (
      await fetch(`${server.url}/api/v1/snapshot/${CITY}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Snapshot;
    await expect.poll(() => value('open'), { timeout: 10_000 }).toBe(live.counts.open.dispute);
    await page.waitForTimeout(1200);
    await screenshot(page, 'live-city-1080');
    // Live and replay side by side, one picture to look at.
    const png = (name: string) =>
      `data:image/png;base64,${fs.readFileSync(path.join(ARTIFACTS, `${name}.png`)).toString('base64')}`;
    const side = await browser.newPage({ width: 3840, height: 1080 });
    await side.setContent(
      `<body style="margin:0;display:flex;background:#000"><img src="${png('live-city-1080')}"><img src="${png('replay-city-1080')}"></body>`,
    );
    await screenshot(side, 'live-and-replay-1080');
    await side.close();
  }, 90_000);

  it('also leaves replay by its 返回实时 button', async () => {
    await openReplay(dayStart(D0) + 9.5 * H);
    await page.getByTestId('replay-leave').click();
    await page.locator('[data-testid=wall][data-mode=live]').waitFor({ timeout: 5000 });
  });

  it('refuses a bad address naming the field, and stays live', async () => {
    const cases: [string, RegExp][] = [
      [`at=yesterday`, /at（回放时刻）格式有误/],
      [`at=${at(Date.now() + 3_600_000)}`, /at（回放时刻）晚于当前时间/],
      [`at=${at(Date.now() - 40 * 24 * H)}`, /at（回放时刻）早于可回放的 30 天/],
      [`at=${at(dayStart(D0) + 10 * H)}&speed=5000`, /speed（回放倍速）须为 1–3600 的整数/],
      [`at=${at(dayStart(D0) + 10 * H)}&speed=0`, /speed（回放倍速）/],
    ];
    for (const [query, why] of cases) {
      await page.goto(`${server.url}/?region=${CITY}&${query}`);
      await page.getByTestId('replay-refused').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('replay-refused').textContent()).toMatch(why);
      expect(await page.getByTestId('wall').getAttribute('data-mode')).toBe('live');
    }
    // A moment the server has no record of (before the crafted morning): said, and live stays.
    await page.goto(`${server.url}/?region=${CITY}&at=${at(START - H)}`);
    await page.getByTestId('replay-refused').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('replay-refused').textContent()).toContain('早于回放记录的起点');
    expect(await page.getByTestId('wall').getAttribute('data-mode')).toBe('live');
  }, 90_000);
});
