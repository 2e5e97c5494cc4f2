/**
 * 平安指数 coverage where the wall shows the index: a region scored on only some of its
 * indicators says so beside its score (4/6 项) on the tiles below the county, in the ranking rows
 * and in the map's tooltip, and is ranked only among regions scored on as many.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../server/redis/keys.ts';
import type { SafetyIndexReply } from '../../shared/schemas/safety-index.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { drained } from '../helpers/drain.ts';
import { mapPixel } from '../helpers/map-pixel.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** `2026-11-22T10:15:03.120+08:00` for an instant. */
function beijingIso(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

function event(id: string, region: string, now: number): Record<string, unknown> {
  return {
    id,
    caseId: `${id}-case`,
    kind: 'incident',
    category: 'criminal',
    status: 'reported',
    severity: 1,
    region,
    occurredAt: beijingIso(now - 3_600_000),
    channel: 'grid',
    summary: `覆盖测试 ${id}`,
  };
}

/**
 * In 甘州区: six townships with disputes in every state the rates need (resolved, failed, open) and
 * one incident, so all six indicators can be scored; six more with eight closed criminal cases each
 * and nothing open, so the overdue rate (a state of the open backlog) cannot be: low scores on five
 * indicators. Ranked by score alone they would come first, as the least safe; like with like, they
 * come after every township scored on six.
 */
function monthOfGanzhou(server: TestServer, now: number): unknown[] {
  const towns = server.tree.children('620702').map((t) => t.code);
  const events: unknown[] = [];
  for (const t of towns.slice(0, 6)) {
    events.push(event(`cov-${t}-i`, t, now));
    for (const status of ['resolved', 'failed', 'mediating'])
      events.push({ ...event(`cov-${t}-${status}`, t, now), kind: 'dispute', category: 'neighbour', status });
  }
  for (const t of towns.slice(6, 12))
    for (let i = 0; i < 8; i++) events.push({ ...event(`cov-${t}-c${i}`, t, now), status: 'closed' });
  return events;
}

describe('平安指数 coverage on the wall', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let token: string;

  const indexOf = async (code: string): Promise<SafetyIndexReply> => {
    const res = await fetch(`${server.url}/api/v1/index/${code}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as SafetyIndexReply;
  };

  beforeAll(async () => {
    await ensureClientBuild();
    server = await startTestServer();
    token = await server.login('admin', server.adminPassword);
    const events = monthOfGanzhou(server, Date.now());
    expect((await server.postEvents(events)).body).toMatchObject({ accepted: events.length, rejected: [] });
    // Aggregated before the index is first asked for (it is then cached for a minute).
    const redis = server.redis.client();
    await drained(redis, createKeys('62').events, 30_000);
    redis.disconnect();
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1920, height: 1080 });
    await page.goto(`${server.url}/login?next=${encodeURIComponent('/?region=620702&measure=index')}`);
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(server.adminPassword);
    await page.locator('button[type=submit]').click();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('marks the townships scored on fewer indicators 5/6 项 on their tiles and ranks them after the complete ones', async () => {
    const reply = await indexOf('620702');
    const scored = reply.children.filter((c) => c.score !== null);
    const partial = scored.filter((c) => c.coverage.scored < c.coverage.total);
    // The data is built for both tiers; without them this test could not fail.
    expect(partial.length).toBeGreaterThanOrEqual(6);
    expect(scored.length - partial.length).toBeGreaterThanOrEqual(6);
    // …and for a ranking by score alone to get wrong: a partial score below every complete one.
    const worstPartial = Math.min(...partial.map((c) => c.score!));
    const worstComplete = Math.min(...scored.filter((c) => !partial.includes(c)).map((c) => c.score!));
    expect(worstPartial).toBeLessThan(worstComplete);

    const tiles = page.locator('[data-testid=region-map][data-measure=index]');
    await expect
      .poll(async () => Number(await tiles.getAttribute('data-regions-count')), { timeout: 15_000 })
      .toBe(scored.length);
    const shown = await tiles.locator('.tiles li').evaluateAll((lis) =>
      lis.map((li) => ({
        name: li.querySelector<HTMLElement>('.name')!.title,
        value: Number(li.querySelector('.v')!.textContent),
        coverage: li.querySelector('[data-testid=tile-coverage]')?.textContent?.trim() ?? null,
      })),
    );
    const expected = (name: string) => {
      const c = scored.find((x) => x.name === name)!;
      return c.coverage.scored < c.coverage.total ? `${c.coverage.scored}/${c.coverage.total} 项` : null;
    };
    expect(shown.map((t) => t.coverage)).toEqual(shown.map((t) => expected(t.name)));
    // Every complete tile first, lowest score first; then the partial tiers, the fuller first.
    const tier = (t: (typeof shown)[number]) => (t.coverage ? Number(t.coverage.split('/')[0]) : 6);
    const order = shown.map((t) => [-tier(t), t.value]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(await tiles.locator('.foot').textContent()).toContain('部分指标已评分');

    // The ranking panel, in its 平安指数 mode, says the same of its rows.
    const ranking = page.getByTestId('panel-ranking');
    const rows = await ranking
      .locator('[data-testid=ranking-list] li')
      .evaluateAll((lis) =>
        lis.map((li) => li.querySelector('[data-testid=ranking-coverage]')?.textContent?.trim() ?? null),
      );
    expect(rows.slice(0, scored.length - partial.length).every((r) => r === null)).toBe(true);
    await page.waitForTimeout(800);
    await screenshot(page, 'index-coverage-county-1080');
  });

  it('says 5/6 项 in the map tooltip of a county scored on fewer indicators', async () => {
    const reply = await indexOf('6207');
    const minle = reply.children.find((c) => c.code === '620722')!;
    expect(minle.coverage.scored).toBeLessThan(minle.coverage.total);
    expect(minle.score).not.toBeNull();
    await page.goto(`${server.url}/?region=6207&measure=index`);
    const map = page.locator('[data-testid=region-map][data-map="6207"][data-measure=index]');
    await map.waitFor({ timeout: 15_000 });
    await page.getByTestId('index-summary').locator('.score').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1200); // the map's entry animation
    // 民乐县, at its label point (the label layer is silent: the hover reaches the region).
    const { x, y } = await mapPixel(page, server.url, '6207', { lng: 100.8126, lat: 38.4303 });
    await page.mouse.move(x, y);
    const tooltip = map.locator('.canvas > div:not(:has(canvas))');
    await expect
      .poll(() => tooltip.textContent(), { timeout: 5000 })
      .toBe(
        `民乐县平安指数：${minle.score!.toFixed(1)} 分（${minle.coverage.scored}/${minle.coverage.total} 项）部分指标已评分，不与全部评分的地区比较`,
      );
    await screenshot(page, 'index-coverage-map-tooltip-1080');
  });
});
