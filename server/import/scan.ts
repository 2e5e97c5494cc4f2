/**
 * The first pass over an import file, before anything is written: its digest (the ledger's name
 * for it), its line count, the last line of each case (so the second pass knows when a case is
 * complete and can forget it), and whether it holds regions of a province this deployment does not
 * serve (then the file is refused whole). Fast: a line is searched, not parsed, unless its case
 * id or region is written in an unusual way.
 */
import { createHash } from 'node:crypto';
import { levelOf } from '../../shared/regions.ts';
import { LastLines } from './last-lines.ts';
import { readLineBatches } from './lines.ts';

export interface ScanResult {
  digest: string;
  lines: number;
  lastLines: LastLines;
  /** Lines whose region lies in a province not served: the first of them, and how many. */
  foreign?: { line: number; region: string; count: number };
}

/**
 * The string value of a top-level key as JSON.parse would give it, found by searching: the last
 * `"key":"` of a line (JSON.parse keeps the last of duplicate keys; in valid JSON that sequence
 * cannot occur inside a string, whose quotes are escaped). Undefined when the value is written in
 * any other way (spaces, escapes): the caller parses the line then.
 */
function searched(line: string, pattern: string): string | undefined {
  const at = line.lastIndexOf(pattern);
  if (at < 0) return undefined;
  const start = at + pattern.length;
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  const v = line.slice(start, end);
  return v.includes('\\') ? undefined : v;
}

function parsedFields(line: string): { caseId?: string; region?: string } {
  try {
    const o = JSON.parse(line) as unknown;
    if (!o || typeof o !== 'object') return {};
    const { caseId, region } = o as Record<string, unknown>;
    return {
      ...(typeof caseId === 'string' ? { caseId } : {}),
      ...(typeof region === 'string' ? { region } : {}),
    };
  } catch {
    return {};
  }
}

export async function scanFile(path: string, served: readonly string[]): Promise<ScanResult> {
  const hash = createHash('sha256');
  const lastLines = new LastLines();
  const provinces = new Set(served);
  let lines = 0;
  let foreign: ScanResult['foreign'];
  for await (const batch of readLineBatches(path, hash)) {
    batch.lines.forEach((line, k) => {
      const n = batch.first + k;
      lines = n;
      if (!line.trim()) return;
      let caseId = searched(line, '"caseId":"');
      let region = searched(line, '"region":"');
      if (caseId === undefined || region === undefined) ({ caseId, region } = parsedFields(line));
      if (caseId !== undefined) lastLines.note(caseId, n);
      if (region !== undefined && levelOf(region) && !provinces.has(region.slice(0, 2))) {
        if (foreign) foreign.count++;
        else foreign = { line: n, region, count: 1 };
      }
    });
  }
  return { digest: hash.digest('hex'), lines, lastLines, ...(foreign ? { foreign } : {}) };
}
