/**
 * What a person sees below the county, with the browser's Back, and at every screen size from a
 * 1366×768 laptop to a three-screen splice wall: one server, one browser, one page for all of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addBigFigures } from '../helpers/big-figures.ts';
import { createKeys } from '../../server/redis/keys.ts';

/** `2026-11-22T10:15:03.120+08:00` for an instant. */
function beijingIso(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

/** Copies of the screenshots the report names, besides tests/.artifacts. */
const SHOTS = process.env.LAYOUT_SHOTS_DIR;
async function shoot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, `layout-${name}`);
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.copyFileSync(file, path.join(SHOTS, path.basename(file)));
  }
}

/** Events in one region, located around a point, each a distinct case of today. */
function eventsIn(region: string, at: [number, number], n: number, tag: string, now: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `layout-${tag}-${i}`,
    caseId: `layout-${tag}-case-${i}`,
    kind: i % 3 === 0 ? 'dispute' : 'incident',
    category: i % 3 === 0 ? 'neighbour' : 'public_order',
    status: i % 3 === 0 ? 'received' : 'reported',
    severity: 1 + (i % 3),
    region,
    location: { lng: at[0] + ((i % 5) - 2) * 0.01, lat: at[1] + (Math.floor(i / 5) - 1) * 0.01 },
    occurredAt: beijingIso(now - i * 60_000),
    channel: 'grid',
    summary: `${tag} 事件 #${i} <b>不应加粗</b>`,
  }));
}

/** Visible text of the wall set under `min` px (computed size; the stage is unscaled at 1920×1080). */
function textUnder(page: Page, min: number): Promise<string[]> {
  return page.evaluate((floor) => {
    const small: string[] = [];
    const root = document.querySelector('[data-testid=wall]')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || el.getClientRects().length === 0) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < floor) small.push(`${text.slice(0, 20)} (${size}px)`);
    }
    return small;
  }, min);
}

/** Elements matching `selector` whose text runs onto a second line or is cut by its box. */
function wrappedOrCut(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (el.getClientRects().length === 0) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      // Rects of one line overlap vertically (a 48 px figure and its 18 px unit share a baseline);
      // a rect starting below the line so far starts another line.
      const rects = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
      let lines = rects.length ? 1 : 0;
      let lineBottom = rects[0]?.bottom ?? 0;
      for (const r of rects.slice(1)) {
        if (r.top >= lineBottom - 1) {
          lines++;
          lineBottom = r.bottom;
        } else lineBottom = Math.max(lineBottom, r.bottom);
      }
      const box = el.getBoundingClientRect();
      // The nearest box of its own: a 今日态势 figure's tile, not the panel the tiles share.
      const parent = el.parentElement?.closest('section, li, button, .level, .figure')?.getBoundingClientRect() ?? box;
      const cut = el.scrollWidth > el.clientWidth + 1 || box.right > parent.right + 1 || box.bottom > parent.bottom + 1;
      if (lines > 1 || cut) bad.push(`${el.textContent?.trim().slice(0, 24)} (${lines} lines${cut ? ', cut' : ''})`);
    }
    return bad;
  }, selector);
}

/**
 * The widest stretch of the centre, across the screen at the map's mid-height, where neither the
 * map's drawing (its canvases' painted pixels) nor any panel is: the dark band a wide wall leaves.
 */
function widestEmptyBand(page: Page): Promise<{ widest: number; spans: Array<[number, number]>; canvases: string[] }> {
  return page.evaluate(() => {
    const map = document.querySelector<HTMLElement>('[data-testid=panel-map]')!;
    const mapBox = map.getBoundingClientRect();
    // Only what stands beside the map counts: the bands above and below (title, ticker) are full width.
    const mid = mapBox.top + mapBox.height / 2;
    const spans: Array<[number, number]> = [];
    const canvases: string[] = [];
    const panels = [...document.querySelectorAll<HTMLElement>('[data-testid=wall] section.panel')].filter(
      (p) => p.dataset.testid !== 'panel-map',
    );
    for (const p of panels) {
      const r = p.getBoundingClientRect();
      if (r.top <= mid && r.bottom >= mid) spans.push([r.left, r.right]);
    }
    // Below the county the map panel holds tiles instead of a map, and a village its feed (open
    // disputes, latest events): they count as drawn.
    for (const el of map.querySelectorAll('.tiles li, [data-testid=village-feed]')) {
      const r = el.getBoundingClientRect();
      if (r.top <= mid && r.bottom >= mid) spans.push([r.left, r.right]);
    }
    for (const c of map.querySelectorAll('canvas')) {
      const box = c.getBoundingClientRect();
      canvases.push(`${c.width}x${c.height}@${Math.round(box.left)}`);
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0) continue;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let lo = c.width;
      let hi = -1;
      for (let x = 0; x < c.width; x++)
        for (let y = 0; y < c.height; y += 2)
          if (data[(y * c.width + x) * 4 + 3]! > 20) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
            break;
          }
      if (hi >= lo) spans.push([box.left + (lo / c.width) * box.width, box.left + ((hi + 1) / c.width) * box.width]);
    }
    const covering = spans.sort((a, b) => a[0] - b[0]);
    let widest = 0;
    let reach = 0;
    for (const [l, r] of covering) {
      widest = Math.max(widest, l - reach);
      reach = Math.max(reach, r);
    }
    widest = Math.max(widest, innerWidth - reach);
    return { widest, spans: covering, canvases };
  });
}

/** Every figure of the wall's numeric panels (with its unit), each in a box of its own. */
const NUMBERS = [
  '[data-testid=panel-today] .value',
  '[data-testid=panel-today] .delta',
  '[data-testid=alert-levels] .level',
  '[data-testid=panel-channels] .value',
  '[data-testid=panel-funnel] .reached',
  '[data-testid=panel-funnel] .waiting',
  '[data-testid=panel-ranking] .value',
  '[data-testid=village-disputes] .total',
].join(', ');

describe('the wall below the county, with Back, and on every screen size', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  /** 甘州区's township with the most villages. */
  let town: { code: string; name: string; villages: number };

  beforeAll(async () => {
    await ensureClientBuild();
    server = await startTestServer();
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1920, height: 1080 });
    const towns = server.tree.children('620702').map((t) => ({ ...t, villages: server.tree.children(t.code).length }));
    town = towns.sort((a, b) => b.villages - a.villages)[0]!;
    // A believable spread: every county of 张掖市 and a few of 兰州市, so the maps have colour.
    const now = Date.now();
    const spread = ['620702', '620721', '620722', '620723', '620724', '620725', '620102', '620103', '620201'].flatMap(
      (c, i) => eventsIn(c, server.tree.info(c)!.center!, 6 + i * 3, `spread-${c}`, now),
    );
    expect((await server.postEvents(spread)).status).toBe(200);
    // Figures of a busy province and beyond, in every numeric panel: 8 digits at the province, 6–7
    // at its cities (the map, the ranking), 5 at 张掖市 and 甘州区 (10,289 and 4,412 ran into each
    // other on the 今日态势 tiles of a demo at 1920×1080).
    const [keys, redis] = [createKeys('62'), server.redis.client()];
    await addBigFigures(redis, keys, '62', now, 1);
    for (const [i, c] of server.tree.children('62').entries())
      await addBigFigures(redis, keys, c.code, now, 0.02 + i * 0.006);
    await addBigFigures(redis, keys, '6207', now, 0.001);
    await addBigFigures(redis, keys, '620702', now, 0.001);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in and shows the province', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(server.adminPassword);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });
  });

  it('shows a township’s villages ranked beside its events on its county, zoomed to them', async () => {
    await page.goto(`${server.url}/?region=${town.code}`);
    const view = page.locator('[data-testid=local-view][data-level=township]');
    await view.waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => Number(await view.getByTestId('region-map').getAttribute('data-regions-count')), {
        timeout: 10_000,
      })
      .toBe(town.villages);
    await expect
      .poll(() => view.getByTestId('local-map').getAttribute('data-county'), { timeout: 10_000 })
      .toBe('620702');
    // Live events of the township land on its map as points.
    const [lng, lat] = server.tree.info('620702')!.center!;
    const firstVillage = server.tree.children(town.code)[0]!.code;
    const live = eventsIn(firstVillage, [lng + 0.05, lat - 0.03], 12, 'township', Date.now());
    expect((await server.postEvents(live)).status).toBe(200);
    await expect
      .poll(async () => Number(await view.getByTestId('local-map').getAttribute('data-points')), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(12);
    expect(await wrappedOrCut(page, '[data-testid=local-view] .tiles .name')).toEqual([]);
    await page.waitForTimeout(1200);
    await shoot(page, 'township-1080');
  });

  it('shows a village’s open disputes and its latest events as text, not 村社区为最末一级', async () => {
    const village = server.tree.children(town.code)[0]!;
    const tiles = page.getByTestId('local-view').getByTestId('region-map');
    await tiles.getByRole('button', { name: new RegExp(village.name.slice(0, 3)) }).click();
    const view = page.locator('[data-testid=local-view][data-level=village]');
    await view.waitFor({ timeout: 10_000 });
    const live = eventsIn(village.code, server.tree.info('620702')!.center!, 6, 'village', Date.now());
    expect((await server.postEvents(live)).status).toBe(200);
    const list = view.getByTestId('village-events');
    await expect.poll(() => list.locator('li').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    // The feed lists the village's latest cases (snapshot, then deltas): the new ones arrive within a delta or two.
    await expect.poll(() => list.textContent(), { timeout: 10_000 }).toContain('village 事件');
    expect(await list.locator('b').count()).toBe(0);
    await expect
      .poll(
        async () =>
          Number(
            await view
              .getByTestId('village-disputes')
              .locator('.total')
              .textContent()
              .then((t) => parseInt(t ?? '')),
          ),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('wall').textContent()).not.toContain('村社区为最末一级');
    expect(await page.getByTestId('panel-map').locator('header').textContent()).toContain('返回');
    expect(
      await wrappedOrCut(page, '[data-testid=panel-map] header h2, [data-testid=panel-map] header button'),
    ).toEqual([]);
    await page.waitForTimeout(800);
    await shoot(page, 'village-1080');
  });

  it('goes up one level with the browser’s Back, down to the province, before leaving the wall', async () => {
    const region = () => page.getByTestId('wall').getAttribute('data-region');
    const seen: string[] = [];
    for (const expected of [town.code, '620702', '6207', '62']) {
      await page.goBack();
      await expect.poll(region, { timeout: 10_000 }).toBe(expected);
      seen.push(expected);
    }
    expect(new URL(page.url()).pathname).toBe('/');
    expect(seen).toHaveLength(4);
  });

  it('lists 嘉峪关市’s townships as its children, not itself', async () => {
    await page.goto(`${server.url}/?region=6202`);
    const ranking = page.getByTestId('panel-ranking');
    await expect
      .poll(() => ranking.locator('button').allTextContents(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('雄关街道')]));
    expect((await ranking.textContent()) ?? '').not.toMatch(/嘉峪关市/);
  });

  it('keeps long township names (张掖经济技术开发区) on one line in the county’s tiles, cut only with an ellipsis and the full name as a tooltip', async () => {
    await page.goto(`${server.url}/?region=620702`);
    const tiles = page.locator('[data-testid=region-map][data-regions-count]');
    await expect
      .poll(async () => Number(await tiles.getAttribute('data-regions-count')), { timeout: 10_000 })
      .toBe(server.tree.children('620702').length);
    await page.waitForTimeout(600);
    const bad = await page.evaluate(() => {
      const out: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid=region-map] .tiles .name')) {
        const style = getComputedStyle(el);
        const lines = Math.round(el.getBoundingClientRect().height / parseFloat(style.lineHeight));
        const cut = el.scrollWidth > el.clientWidth + 1;
        if (lines > 1) out.push(`${el.textContent} wraps (${lines} lines)`);
        if (parseFloat(style.fontSize) < 16) out.push(`${el.textContent} at ${style.fontSize}`);
        if (cut && (style.textOverflow !== 'ellipsis' || !el.title))
          out.push(`${el.textContent} cut without … and title`);
      }
      return out;
    });
    expect(bad).toEqual([]);
    expect(await page.locator('[data-testid=region-map] .tiles .name[title=张掖经济技术开发区]').count()).toBe(1);
    await shoot(page, 'county-tiles-1080');
  });

  it('reads from five metres at 1920×1080: no text under 16 px, headline figures at 48 px or more, nothing wrapped or cut', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1500);
    expect(await textUnder(page, 16)).toEqual([]);
    const headline = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=panel-today] [data-testid^=value-]')].map((e) =>
        parseFloat(getComputedStyle(e).fontSize),
      ),
    );
    expect(headline.length).toBeGreaterThan(0);
    expect(Math.min(...headline)).toBeGreaterThanOrEqual(48);
    expect(
      await wrappedOrCut(
        page,
        '[data-testid=alert-levels] .level, [data-testid=panel-today] .label, [data-testid=panel-today] .value, [data-testid=panel-alerts] li',
      ),
    ).toEqual([]);
  });

  it('fits eight-digit figures in their tiles and rows, short (万) with the exact count in the tooltip', async () => {
    // The fixture's figures reached the screen: eight digits at the province.
    const open = page.getByTestId('value-open');
    expect(Number(await open.getAttribute('data-value'))).toBeGreaterThan(10_000_000);
    await expect.poll(() => open.textContent(), { timeout: 5000 }).toMatch(/^\d{4}$/);
    expect(await page.getByTestId('figure-open').textContent()).toContain('万');
    expect(await page.getByTestId('figure-open').getAttribute('title')).toMatch(/^在办纠纷 \d{2},\d{3},\d{3} 件$/);
    expect(await wrappedOrCut(page, NUMBERS)).toEqual([]);
    // No two figures share a pixel.
    const clash = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll('[data-testid=panel-today] .value')].map((e) =>
        e.getBoundingClientRect(),
      );
      const out: string[] = [];
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1))
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
            out.push(`${a.left}×${b.left}`);
      return out;
    });
    expect(clash).toEqual([]);
    await shoot(page, 'big-figures-1080');
  });

  it('keeps 3–4 digit warning counts on one line in their chips (黄 107)', async () => {
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('[data-testid=alert-levels] .count')) el.textContent = '1071';
    });
    expect(await wrappedOrCut(page, '[data-testid=alert-levels] .level')).toEqual([]);
  });

  it('shows only whole rows in 最新预警, never half of the fifth', async () => {
    const cut = await page.evaluate(() => {
      const list = document.querySelector('[data-testid=panel-alerts] ul');
      if (!list) return [];
      const bottom = list.getBoundingClientRect().bottom;
      return [...list.querySelectorAll('li')]
        .map((li) => li.getBoundingClientRect())
        .filter((r) => r.top < bottom && r.bottom > bottom + 1)
        .map((r) => `${r.top}-${r.bottom} past ${bottom}`);
    });
    expect(cut).toEqual([]);
  });

  it('fills every screen from 1366×768 to a splice wall, the map taking a wide wall’s extra room', async () => {
    const sizes = [
      [1366, 768],
      [1920, 1080],
      [3840, 2160],
      [3840, 1080],
      [5760, 1080],
      [7680, 2160],
    ] as const;
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid=region-map][data-map="62"]').waitFor({ timeout: 15_000 });
    for (const [w, h] of sizes) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(900);
      const wall = (await page.getByTestId('wall').boundingBox())!;
      const map = (await page.getByTestId('panel-map').boundingBox())!;
      // No bars: the wall covers the screen (within a pixel of rounding).
      expect(Math.abs(wall.width - w)).toBeLessThan(2);
      expect(Math.abs(wall.height - h)).toBeLessThan(2);
      expect(
        await page.evaluate(
          () =>
            document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight,
        ),
      ).toBe(true);
      if (w / h > 2.5) {
        // The centre of a splice wall holds the map and the children's tiles beside it: no dark
        // band wider than 15 % of the screen between what is drawn.
        const band = await widestEmptyBand(page);
        expect(band.widest / w, JSON.stringify(band)).toBeLessThan(0.15);
        expect(map.width / wall.width).toBeGreaterThan(0.15);
      }
      await shoot(page, `province-${w}x${h}`);
    }
    await page.setViewportSize({ width: 1920, height: 1080 });
  }, 90_000);

  it('is photographed at the province, county, township and village at 1920×1080, 3840×2160 and 5760×1080: nothing cut, wrapped, overlapping or left empty', async () => {
    const village = server.tree.children(town.code)[0]!;
    const levels = [
      ['province', '/', '[data-testid=region-map][data-map="62"]'],
      ['county', '/?region=620702', '[data-testid=region-map][data-regions-count]'],
      ['township', `/?region=${town.code}`, '[data-testid=local-view][data-level=township]'],
      ['village', `/?region=${village.code}`, '[data-testid=local-view][data-level=village]'],
    ] as const;
    const sizes = [
      [1920, 1080],
      [3840, 2160],
      [5760, 1080],
    ] as const;
    // What a person reads at a glance: headings, figures, chips, tiles, list rows, the map header.
    const texts = [
      '[data-testid=region-title]',
      '[data-testid=wall] section.panel > header h2',
      '[data-testid=panel-today] .label',
      '[data-testid=panel-today] .value',
      '[data-testid=alert-levels] .level',
      '[data-testid=panel-alerts] li',
      '[data-testid=panel-map] header button',
      '.tiles .v',
      '[data-testid=tile-coverage]',
      NUMBERS,
    ].join(', ');
    for (const [level, url, ready] of levels) {
      await page.goto(`${server.url}${url}`);
      await page.locator(ready).waitFor({ timeout: 15_000 });
      for (const [w, h] of sizes) {
        await page.setViewportSize({ width: w, height: h });
        await page.waitForTimeout(1200); // charts re-laid out at the new size finish their entry
        const where = `${level} at ${w}×${h}`;
        expect(
          await page.evaluate(
            () =>
              document.documentElement.scrollWidth <= innerWidth &&
              document.documentElement.scrollHeight <= innerHeight,
          ),
          where,
        ).toBe(true);
        expect(await wrappedOrCut(page, texts), where).toEqual([]);
        // Panels never sit on one another.
        const overlaps = await page.evaluate(() => {
          const boxes = [...document.querySelectorAll<HTMLElement>('[data-testid=wall] section.panel')].map((p) => ({
            id: p.dataset.testid ?? '?',
            r: p.getBoundingClientRect(),
          }));
          const out: string[] = [];
          for (const [i, a] of boxes.entries())
            for (const b of boxes.slice(i + 1))
              if (
                a.r.left < b.r.right - 1 &&
                b.r.left < a.r.right - 1 &&
                a.r.top < b.r.bottom - 1 &&
                b.r.top < a.r.bottom - 1
              )
                out.push(`${a.id} × ${b.id}`);
          return out;
        });
        expect(overlaps, where).toEqual([]);
        if (w / h > 2.5) {
          const band = await widestEmptyBand(page);
          expect(band.widest / w, `${where}: ${JSON.stringify(band)}`).toBeLessThan(0.15);
        }
        if (w === 1920) expect(await textUnder(page, 16), where).toEqual([]);
        await shoot(page, `${level}-${w}x${h}`);
      }
      await page.setViewportSize({ width: 1920, height: 1080 });
    }
  }, 240_000);
});
