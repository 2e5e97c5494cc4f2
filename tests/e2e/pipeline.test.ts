import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { isoBeijing } from '../../server/time/beijing.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BOUNDS = { PIPELINE_LAGGING_SECONDS: '2', PIPELINE_STALLED_SECONDS: '60' };

function incidents(n: number, prefix: string): object[] {
  const occurredAt = isoBeijing(Date.now() - 1000);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    caseId: `${prefix}-case-${i}`,
    kind: 'incident',
    category: 'public_order',
    status: 'reported',
    severity: 1,
    region: '620702',
    occurredAt,
    channel: 'police_110',
    summary: '积压测试事件',
  }));
}

async function login(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
}

/**
 * The wall and the duty console of a node with no consumer: events go in, nothing applies them.
 * The link is fine, so 连接中断 would be a lie and 实时 a worse one: they must say 数据处理延迟.
 */
describe('a stalled pipeline on the wall and the duty console', () => {
  let redis: TestRedis;
  let front: TestServer;
  let browser: TestBrowser;
  let staticDir: string;

  beforeAll(async () => {
    await ensureClientBuild();
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-pipeline-client-'));
    fs.cpSync(path.join(REPO, 'dist', 'client'), staticDir, { recursive: true });
    redis = await startTestRedis();
    front = await startTestServer({ redis, staticDir, env: { AGGREGATOR: 'off', ...BOUNDS } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await front?.stop();
    await redis?.stop();
    if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it('shows 数据处理延迟 N 秒 within 10 s of events left unprocessed, and clears it with exact numbers once a consumer catches up', async () => {
    const wall = await browser.newPage({ width: 1920, height: 1080 });
    await login(wall, front.url, 'admin', front.adminPassword);
    await wall.waitForSelector('[data-testid=connection][data-status=live]');
    await wall.getByTestId('value-incident').waitFor();
    // The same browser profile: the console opens with the session the wall logged in with.
    const duty = await browser.newPage({ width: 1600, height: 900 });
    await duty.goto(`${front.url}/duty`);
    await duty.waitForSelector('[data-testid=duty-link][data-status=live]');
    expect(await wall.getByTestId('pipeline-banner').count()).toBe(0);

    const posted = Date.now();
    expect((await front.postEvents(incidents(30, 'lag'))).body).toMatchObject({ accepted: 30 });
    const banner = wall.getByTestId('pipeline-banner');
    await banner.waitFor({ timeout: 10_000 });
    const appearedAfter = Date.now() - posted;
    expect(await banner.textContent()).toMatch(/^数据处理延迟 \d+ 秒/);
    expect(await wall.getByTestId('connection').getAttribute('data-status')).toBe('lagging');
    expect(await wall.getByTestId('connection').textContent()).not.toContain('实时');
    expect(await wall.getByTestId('stale-banner').count()).toBe(0);
    await duty.getByTestId('duty-pipeline').waitFor({ timeout: 10_000 });
    expect(await duty.getByTestId('duty-pipeline').textContent()).toMatch(/^数据处理延迟 \d+ 秒$/);
    expect(await duty.getByTestId('duty-link').textContent()).not.toContain('实时');
    console.log(`banner shown ${appearedAfter} ms after the post: "${await banner.textContent()}"`);
    await screenshot(wall, 'pipeline-lagging-wall-1080');
    await screenshot(duty, 'pipeline-lagging-duty');

    // A consumer starts (another node with an aggregator on the same Redis).
    const before = Number(await wall.getByTestId('value-incident').getAttribute('data-value'));
    const worker = await startTestServer({ redis, env: { ...BOUNDS } });
    try {
      await banner.waitFor({ state: 'detached', timeout: 15_000 });
      await duty.getByTestId('duty-pipeline').waitFor({ state: 'detached', timeout: 15_000 });
      await expect
        .poll(async () => Number(await wall.getByTestId('value-incident').getAttribute('data-value')), {
          timeout: 10_000,
        })
        .toBe(before + 30);
      expect(await wall.getByTestId('connection').getAttribute('data-status')).toBe('live');
      // The panels that were empty before the backlog show its events, not a loading placeholder.
      await expect.poll(() => wall.getByTestId('panel-loading').count(), { timeout: 5000 }).toBe(0);
      await screenshot(wall, 'pipeline-caught-up-wall-1080');
    } finally {
      await worker.stop();
    }
  }, 90_000);
});
