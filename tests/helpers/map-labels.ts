/**
 * The region names a wall's map says it drew (its data-labels attribute, written from ECharts'
 * element tree by client/src/lib/charts/drawn-labels.ts after its label layout), and which of them
 * sit on another. Read by the browser tests of the province and national maps.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { DrawnLabel } from '../../client/src/lib/charts/drawn-labels.ts';

export type { DrawnLabel };

/** The names the map `data-map=mapName` says it drew, once it has drawn `first` among them. */
export async function drawnLabels(page: Page, mapName: string, first: string): Promise<DrawnLabel[]> {
  const map = page.locator(`[data-testid=region-map][data-map="${mapName}"]`);
  await expect
    .poll(async () => (await map.getAttribute('data-labels')) ?? '', { timeout: 15_000 })
    .toContain(`"${first}"`);
  return JSON.parse((await map.getAttribute('data-labels'))!) as DrawnLabel[];
}

/** Pairs of names whose boxes overlap, each with both boxes. */
export function overlapping(labels: DrawnLabel[]): string[] {
  const out: string[] = [];
  for (const [i, a] of labels.entries())
    for (const b of labels.slice(i + 1)) {
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      // Text boxes include the line's leading: a pixel or two of it may touch.
      if (w > 2 && h > 2) out.push(`${a.text} × ${b.text} (${JSON.stringify([a, b])})`);
    }
  return out;
}
