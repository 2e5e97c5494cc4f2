import type { Page } from 'playwright-core';

/**
 * When something appeared on a screen, on the page's own clock (the machine's, as the test's).
 * Playwright's own polling runs on animation frames, which a renderer starved of CPU runs seconds
 * late: it says when the test looked, not when the screen showed it.
 */

/** Starts noting the first moment `selector` matches in the page (at once if it already does). */
export async function watchFor(page: Page, selector: string): Promise<void> {
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

/** The noted moment (epoch ms), 0 while the watched selector has not matched. */
export const seenAt = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __seenAt?: number }).__seenAt ?? 0);

/** Waits until the watched selector matched (a timer poll of the page's note) and returns the moment. */
export async function waitSeen(page: Page, timeout = 15_000): Promise<number> {
  await page.waitForFunction(() => ((window as unknown as { __seenAt?: number }).__seenAt ?? 0) > 0, undefined, {
    polling: 100,
    timeout,
  });
  return seenAt(page);
}
