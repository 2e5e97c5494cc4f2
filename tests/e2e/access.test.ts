import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { mapPixel } from '../helpers/map-pixel.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The built client under the server's real headers (strict CSP, same-origin socket check): the
 * wall and the admin page run with no console error and no CSP violation, markup in a summary
 * reaches the screen as literal text (in the ticker and in the map's tooltip, which ECharts
 * renders as HTML), and an admin can manage accounts and keys from the page.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
/** Where the hostile events happen: in 甘州区, so they are drawn on 张掖市's map. */
const HOSTILE_AT = { lng: 100.45, lat: 38.93 };

function hostileEvent(id: string): Record<string, unknown> {
  return {
    id,
    caseId: id,
    kind: 'incident',
    category: 'public_order',
    status: 'reported',
    severity: 2,
    region: '620702001',
    location: HOSTILE_AT,
    occurredAt: new Date(Date.now() - 30_000).toISOString(),
    channel: 'grid',
    summary: HOSTILE,
  };
}

let out: string;
let server: TestServer;
let browser: TestBrowser;

/** Console errors and CSP violations of a page, collected from its first navigation. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

async function loginThroughForm(page: Page, next: string, username: string, password: string): Promise<void> {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${server.url}${next}`);
}

beforeAll(async () => {
  // A build of its own, so parallel browser tests never rebuild a directory under each other.
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-client-'));
  await build({
    configFile: path.join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: out, emptyOutDir: true },
  });
  server = await startTestServer({ staticDir: out });
  browser = await launchBrowser();
  // CSP violations also reach the console, but say so explicitly in case a browser stops logging them.
  await browser.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe('the client under the server’s Content-Security-Policy', () => {
  it('runs the wall without a console error and shows markup in a summary as text', async () => {
    const page = await browser.newPage({ width: 1920, height: 1080 });
    const problems = watch(page);
    await loginThroughForm(page, '/', 'admin', server.adminPassword);
    await page.getByTestId('ticker').waitFor();
    // Sent live through the socket into the ticker; again every second until the wall, which
    // subscribes a moment after it renders, has one of them.
    const shown = page.getByTestId('ticker').getByText(HOSTILE, { exact: false }).first();
    for (let i = 0; i < 15 && !(await shown.count()); i++) {
      const sent = await server.postEvents([hostileEvent(`csp-xss-${i}`)]);
      expect(sent.status).toBe(200);
      await shown.waitFor({ state: 'attached', timeout: 1000 }).catch(() => undefined);
    }
    expect(await shown.textContent()).toBe(HOSTILE);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('[data-testid=ticker] img').count()).toBe(0);
    await screenshot(page, 'access-wall-under-csp');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows markup in a summary as text in the tooltip of its point on the map', async () => {
    const page = await browser.newPage({ width: 1920, height: 1080 });
    const problems = watch(page);
    // 张掖市: the deepest level that has a map (no polygons below the county), so the point is
    // drawn alone on a large county. The 甘州区 label beside it is on a silent layer: no hover.
    await loginThroughForm(page, '/?region=6207', 'admin', server.adminPassword);
    const map = page.locator('[data-testid=region-map][data-map="6207"]');
    await map.waitFor();
    // Only events that arrive live are drawn; again every second until the map has one.
    const drawn = page.locator('[data-testid=region-map][data-map="6207"]:not([data-points="0"])');
    for (let i = 0; i < 15 && !(await drawn.count()); i++) {
      expect((await server.postEvents([hostileEvent(`csp-map-${i}`)])).status).toBe(200);
      await drawn.waitFor({ timeout: 1000 }).catch(() => undefined);
    }
    expect(Number(await map.getAttribute('data-points'))).toBeGreaterThan(0);

    // A real hover, while the point still ripples (its first 10 s) and is 10 px across rather
    // than the 4 px dot it settles into.
    const { x, y } = await mapPixel(page, server.url, '6207', HOSTILE_AT);
    await page.mouse.move(x, y);
    // ECharts appends its tooltip beside the chart's own layer, the one holding the canvases.
    const tooltip = map.locator('.canvas > div:not(:has(canvas))');
    await expect.poll(() => tooltip.textContent(), { timeout: 3000 }).toContain(HOSTILE);
    // The formatter's own line break, and nothing the summary's markup would have made.
    expect(await tooltip.evaluate((el) => [...el.querySelectorAll('*')].map((e) => e.tagName))).toEqual(['BR']);
    expect(await tooltip.isVisible()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, 'access-map-tooltip');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lets an admin create an account and an ingest key from the admin page', async () => {
    const page = await browser.newPage({ width: 1440, height: 900 });
    const problems = watch(page);
    await loginThroughForm(page, '/admin', 'admin', server.adminPassword);
    await page.getByTestId('admin-page').waitFor();

    const form = page.getByTestId('user-form');
    await form.locator('input[name=username]').fill('lobby-screen');
    await form.locator('input[name=password]').fill('lobby-password-1');
    await form.locator('select[name=role]').selectOption('wall');
    await form.locator('input[name=region]').fill('6207');
    await form.locator('input[type=checkbox]').check();
    await form.locator('button[type=submit]').click();
    const row = page.getByTestId('users-table').locator('tr', { hasText: 'lobby-screen' });
    await row.waitFor();
    expect(await row.textContent()).toContain('是');

    await page.getByRole('button', { name: '接入密钥' }).click();
    const keyForm = page.getByTestId('key-form');
    await keyForm.locator('input[name=source]').fill('hotline-12345');
    await keyForm.locator('input[name=region]').fill('6207');
    await keyForm.locator('button[type=submit]').click();
    const key = (await page.getByTestId('fresh-key').locator('code').textContent())!.trim();
    expect(key).toMatch(/^ik_/);
    // The key works for ingest inside its region.
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(res.status).not.toBe(401);

    await page.getByRole('button', { name: '审计日志' }).click();
    await page.getByTestId('audit-table').getByText('新建接入密钥').first().waitFor();
    await screenshot(page, 'access-admin-page');
    expect(problems).toEqual([]);
    await page.close();
  });
});
