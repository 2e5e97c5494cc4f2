import type { Page } from 'playwright-core';
import { mapOption } from '../../client/src/lib/charts/options/map.ts';

/**
 * Where a lng/lat is drawn on the wall's map, in page pixels. The map's geo has no projection, so
 * ECharts fits the bounding box of the registered GeoJSON (latitude upwards, its shape kept) into
 * the box its left/top/right/bottom margins leave of the chart: the same arithmetic here, on the
 * GeoJSON the page registered and the margins the wall's own option sets.
 */
export async function mapPixel(
  page: Page,
  serverUrl: string,
  code: string,
  at: { lng: number; lat: number },
): Promise<{ x: number; y: number }> {
  const res = await fetch(`${serverUrl}/geo/${code}.json`);
  const geo = (await res.json()) as { features: { geometry: { coordinates: unknown } }[] };
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      [minX, maxX, minY, maxY] = [
        Math.min(minX, c[0]),
        Math.max(maxX, c[0]),
        Math.min(minY, c[1]),
        Math.max(maxY, c[1]),
      ];
    } else for (const x of c) walk(x);
  };
  for (const f of geo.features) walk(f.geometry.coordinates);
  const margins = mapOption({ mapName: code, features: [], children: [], measure: 'today', ripples: [], now: 0 })
    .geo as { left: number; top: number; right: number; bottom: number };
  const canvas = page.locator(`[data-testid=region-map][data-map="${code}"] .canvas`);
  const box = (await canvas.boundingBox())!;
  // ECharts lays out in the element's own pixels; the stage may scale them on screen.
  const { width, height } = await canvas.evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }));
  const scale = box.width / width;
  const fx = (at.lng - minX) / (maxX - minX);
  const fy = (maxY - at.lat) / (maxY - minY);
  // The map keeps its shape ('contain', ECharts' default aspectScale 0.75), centred in its box.
  const [boxW, boxH] = [width - margins.left - margins.right, height - margins.top - margins.bottom];
  const aspect = ((maxX - minX) / (maxY - minY)) * 0.75;
  const [drawW, drawH] = boxW / boxH > aspect ? [boxH * aspect, boxH] : [boxW, boxW / aspect];
  const [left, top] = [margins.left + (boxW - drawW) / 2, margins.top + (boxH - drawH) / 2];
  return {
    x: box.x + scale * (left + fx * drawW),
    y: box.y + scale * (top + fy * drawH),
  };
}
