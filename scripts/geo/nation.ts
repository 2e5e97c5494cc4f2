/**
 * The nation's map: every feature of echarts 4's `map/json/china.json` (34 provinces, 台湾, 香港
 * and 澳门 included), decoded, not simplified (it is already a country-scale outline, and small
 * islands must not vanish). Names stay the file's short names (甘肃, 台湾): ECharts applies its
 * standard fixes to a map registered as `china` by those names — the 南海诸岛 inset with the
 * nine-dash line, 钓鱼岛 with 台湾, label offsets for 香港 and 澳门. `code` is the 2-digit code
 * (620000 → 62), the key the wall matches a province's figures by; 71, 81 and 82 have no data and
 * are drawn greyed.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeatureCollection } from 'geojson';
import { decodeCollection, type Point2 } from './decode-echarts.ts';
import { packageDir, packageVersion } from './echarts-sources.ts';
import { countPositions } from './shape.ts';

export const CHINA_JSON = 'map/json/china.json';
const DIGITS = 4;

const round = (n: number) => Number(n.toFixed(DIGITS));
const roundPoint = (p: Point2): Point2 => [round(p[0]), round(p[1])];

/** Writes `<geoDir>/00.json`; returns a one-line summary. */
export function writeNationMap(geoDir: string): string {
  const path = join(packageDir('echarts4'), CHINA_JSON);
  const source = decodeCollection(JSON.parse(readFileSync(path, 'utf8')));
  const features: Feature[] = source.map((f) => {
    if (!f.id || !/^\d{2}0000$/.test(f.id)) throw new Error(`${CHINA_JSON}: feature ${f.name} has no province id`);
    const geometry = structuredClone(f.geometry);
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const poly of polygons)
      for (const ring of poly) for (const p of ring) [p[0], p[1]] = [round(p[0]!), round(p[1]!)];
    return {
      type: 'Feature',
      properties: { code: f.id.slice(0, 2), name: f.name, ...(f.cp ? { cp: roundPoint(f.cp) } : {}) },
      geometry,
    };
  });
  features.sort((a, b) => String(a.properties!.code).localeCompare(String(b.properties!.code)));
  const collection: FeatureCollection & { source: string } = {
    type: 'FeatureCollection',
    source: `echarts@${packageVersion('echarts4')} ${CHINA_JSON}`,
    features,
  };
  mkdirSync(geoDir, { recursive: true });
  const out = join(geoDir, '00.json');
  writeFileSync(out, JSON.stringify(collection));
  const positions = features.reduce((n, f) => n + countPositions(f.geometry as never), 0);
  return `nation: ${features.length} features from echarts4/${CHINA_JSON}, ${positions} positions, ${(statSync(out).size / 1024).toFixed(1)} KiB → ${out}`;
}
