/**
 * HTML to PDF with Debian's chromium (playwright-core drives it; no browser download). Chosen over
 * a PDF library because the 通报 is already a print-styled HTML page: chromium lays out the same
 * tables (repeated headers, unbroken rows, page breaks) and shapes Chinese with the system's
 * fonts-noto-cjk, where a PDF library would need a second layout of every table and a CJK font
 * file embedded by hand. One browser per document, one document at a time: a 通报 is asked for a
 * few times a month, and a browser that is not kept cannot leak.
 */
import escapeHtml from 'escape-html';
import { chromium } from 'playwright-core';

export class PdfUnavailableError extends Error {
  override name = 'PdfUnavailableError';
}

export interface PdfRenderer {
  render(html: string, footerLabel: string): Promise<Buffer>;
}

const FOOTER = (label: string) =>
  `<div style="width:100%;font-size:8pt;color:#555;text-align:center;font-family:'Noto Sans CJK SC',sans-serif">` +
  `${escapeHtml(label)} · 第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>`;

export function createPdfRenderer(o: { executablePath: string; timeoutMs?: number }): PdfRenderer {
  let queue: Promise<unknown> = Promise.resolve();
  const timeout = o.timeoutMs ?? 60_000;

  async function renderNow(html: string, footerLabel: string): Promise<Buffer> {
    let browser;
    try {
      browser = await chromium.launch({
        executablePath: o.executablePath,
        headless: true,
        timeout,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
      });
    } catch (err) {
      throw new PdfUnavailableError(`chromium could not start: ${(err as Error).message.split('\n')[0]}`);
    }
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(timeout);
      // Self-contained page: nothing to fetch, so a blocked network cannot stall it.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<div></div>',
        footerTemplate: FOOTER(footerLabel),
      });
    } finally {
      await browser.close();
    }
  }

  return {
    render(html, footerLabel) {
      const job = queue.then(() => renderNow(html, footerLabel));
      queue = job.catch(() => undefined);
      return job;
    },
  };
}
