import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drained } from '../helpers/drain.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { isoBeijing } from '../../server/time/beijing.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let staticDir: string;

beforeAll(async () => {
  await ensureClientBuild();
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-stale-client-'));
  fs.cpSync(path.join(REPO, 'dist', 'client'), staticDir, { recursive: true });
  server = await startTestServer({ staticDir });
  browser = await launchBrowser();
  page = await browser.newPage({ width: 1920, height: 1080 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('久拖 open disputes on the wall', () => {
  it('shows how many open disputes are older than the bound, under the open count that still holds them', async () => {
    const now = Date.now();
    const dispute = (i: number, ageDays: number, status = 'mediating') => ({
      id: `stale-${i}`,
      caseId: `stale-case-${i}`,
      kind: 'dispute',
      category: 'land',
      status,
      severity: 2,
      region: '620702001',
      occurredAt: isoBeijing(now - ageDays * DAY),
      channel: 'grid',
      summary: '土地承包纠纷',
    });
    // Three open for 40, 45 and 50 days, two open for a day, one old but resolved.
    const events = [
      dispute(1, 40),
      dispute(2, 45),
      dispute(3, 50),
      dispute(4, 1),
      dispute(5, 1),
      dispute(6, 50, 'resolved'),
    ];
    expect((await server.postEvents(events)).status).toBe(200);
    await drained(server.server.redis, createKeys('62').events);

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill(server.adminPassword);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect.poll(() => page.getByTestId('value-open').textContent(), { timeout: 15_000 }).toBe('5');
    await expect.poll(() => page.getByTestId('note-open').textContent(), { timeout: 15_000 }).toBe('久拖 3（>30天）');
    const size = await page.getByTestId('note-open').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(16);
    await screenshot(page, 'stale-open-disputes');
  }, 90_000);
});
