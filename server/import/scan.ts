/**
 * The first pass over an import file, before anything is written: its digest (the ledger's name
 * for it), its line count, the last line of each case (so the second pass knows when a case is
 * complete and can forget it), and whether it holds regions of a province this deployment does not
 * serve (then the file is refused whole). Fast: it searches the bytes of a line and decodes nothing,
 * unless the line writes its case id or region in an unusual way (spaces, escapes), which it parses.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { levelOf, provinceOf } from '../../shared/regions.ts';
import { LastLines } from './last-lines.ts';
import type { Part } from './parse-pool.ts';

export interface ScanResult {
  digest: string;
  lines: number;
  lastLines: LastLines;
  /** The file cut into parts of whole lines for the parse workers, in order. */
  parts: Part[];
  /** Lines whose region lies in a province not served: the first of them, and how many. */
  foreign?: { line: number; region: string; count: number };
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CASE_ID = Buffer.from('"caseId":"');
const REGION = Buffer.from('"region":"');

/**
 * Where the string value of a top-level key lies in a line, as JSON.parse would read it: after the
 * last `"key":"` (JSON.parse keeps the last of duplicate keys; in valid JSON that sequence cannot
 * occur inside a string, whose quotes are escaped) up to the next quote. Undefined when the key is
 * written in any other way or the value has an escape: the caller parses the line then.
 */
function valueAt(line: Buffer, key: Buffer): [number, number] | undefined {
  const at = line.lastIndexOf(key);
  if (at < 0) return undefined;
  const start = at + key.length;
  const end = line.indexOf(QUOTE, start);
  if (end < 0) return undefined;
  const slash = line.indexOf(BACKSLASH, start);
  return slash >= 0 && slash < end ? undefined : [start, end];
}

function parsedFields(line: Buffer): { caseId?: string; region?: string } {
  try {
    const o = JSON.parse(line.toString('utf8')) as unknown;
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

/** About this many bytes to a part: enough lines to keep a worker busy, few enough to hold two each. */
export const PART_BYTES = 4 << 20;

export async function scanFile(path: string, served: readonly string[], partBytes = PART_BYTES): Promise<ScanResult> {
  const hash = createHash('sha256');
  const lastLines = new LastLines();
  const provinces = new Set(served);
  let n = 0;
  let foreign: ScanResult['foreign'];
  const checkRegion = (region: string) => {
    const p = provinceOf(region);
    if (!p || !levelOf(region) || provinces.has(p)) return;
    if (foreign) foreign.count++;
    else foreign = { line: n, region, count: 1 };
  };
  const scanLine = (line: Buffer) => {
    n++;
    if (line.length === 0) return;
    const c = valueAt(line, CASE_ID);
    const r = valueAt(line, REGION);
    if (!c || !r) {
      const f = parsedFields(line);
      if (f.caseId !== undefined) lastLines.note(f.caseId, n);
      if (f.region !== undefined) checkRegion(f.region);
      return;
    }
    lastLines.noteBytes(line, c[0], c[1], n);
    checkRegion(line.toString('latin1', r[0], r[1]));
  };
  const parts: Part[] = [];
  let part = { start: 0, first: 1 };
  // A line starting at byte `at` (the next line's number is n + 1) opens a new part when this one is full.
  const lineStart = (at: number) => {
    if (at - part.start < partBytes) return;
    parts.push({ ...part, end: at });
    part = { start: at, first: n + 1 };
  };
  let rest: Buffer = Buffer.alloc(0);
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const base = read - rest.length;
    read += chunk.length;
    let pos = 0;
    for (let end = buf.indexOf(NEWLINE); end >= 0; pos = end + 1, end = buf.indexOf(NEWLINE, pos)) {
      lineStart(base + pos);
      scanLine(buf.subarray(pos, end));
    }
    rest = Buffer.from(buf.subarray(pos));
  }
  if (rest.length) {
    lineStart(read - rest.length);
    scanLine(rest);
  }
  if (read > part.start) parts.push({ ...part, end: read });
  return { digest: hash.digest('hex'), lines: n, lastLines, parts, ...(foreign ? { foreign } : {}) };
}
