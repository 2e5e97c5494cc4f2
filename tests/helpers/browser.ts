import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '..', '.artifacts');

export interface TestBrowser {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Debian's chromium (never a test tool's own browser download), headless, in a fresh profile that
 * is deleted on close, with the background chatter (updates, sync, QUIC probes) switched off.
 */
export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: opts.viewport ?? { width: 1920, height: 1080 },
    locale: 'zh-CN',
    // The screen's own zone must not matter: the wall shows Beijing time regardless.
    timezoneId: 'America/New_York',
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a PNG of the page to tests/.artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * One chromium with a context per signed-in account (each context has its own localStorage, so
 * walls of different viewers and a console share the browser but not their sessions).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-sync'],
  });
}

/** A context signed in as `user` (token and user written to localStorage before any page script). */
export async function signedInContext(
  browser: Browser,
  token: string,
  user: { username: string; role: string; region: string; department?: string },
  viewport = { width: 1920, height: 1080 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'America/New_York' });
  await context.addInitScript(
    ([t, u]) => {
      localStorage.setItem('pingan.token', t);
      localStorage.setItem('pingan.user', u);
    },
    [token, JSON.stringify(user)] as const,
  );
  return context;
}
