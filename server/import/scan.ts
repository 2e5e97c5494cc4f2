/**
 * The first pass over an import file, before anything is written: its digest (the ledger's name
 * for it), its line count, the last line of each case (so the second pass knows when a case is
 * complete and can forget it), and whether it holds regions of a province this deployment does not
 * serve (then the file is refused whole). Fast: it searches the bytes of a line and decodes nothing,
 * unless the line writes its case id or region in an unusual way (spaces, escapes), which it parses.
 *
 * The file is cut at fixed byte offsets into ranges the parse workers scan (scanRange: each finds
 * its whole lines, their case ids' slots in the last-line tables and foreign regions); this thread
 * meanwhile digests the file, then numbers the lines range by range and fills the tables, so
 * the line-by-line work spreads over the cores. The ranges, cut to whole lines, are the parts the
 * second pass parses.
 */
import { createHash } from 'node:crypto';
import fs, { createReadStream } from 'node:fs';
import { levelOf, provinceOf } from '../../shared/regions.ts';
import { LastLines, slotsOf, slotsOfBytes } from './last-lines.ts';
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

/** A byte range of the file as cut before its lines are known. */
export interface Range {
  start: number;
  end: number;
}

/** What a worker finds in a range: the lines that start in it (scanRange). */
export interface ScannedRange {
  /** The whole lines starting in the range: [start, end) of the file, and how many. */
  start: number;
  end: number;
  lines: number;
  /** Per line, its case id's two slots (last-lines.ts), -1 for a line without one. */
  slots: Int32Array;
  /** Lines (1 = the range's first) with a region of a province not served: the first, and how many. */
  foreign?: { line: number; region: string; count: number };
}

/** Reads [start, end) of the file; fewer bytes at its end. */
function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, end - start));
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return got < buf.length ? buf.subarray(0, got) : buf;
}

const TAIL_STEP = 64 << 10;

/**
 * The lines that start in [r.start, r.end) of the file open as `fd` (a line starts at 0 and after
 * each newline; the last may run past r.end), with their slots and foreign regions.
 */
export function scanRange(fd: number, r: Range, served: readonly string[]): ScannedRange {
  const provinces = new Set(served);
  const base = Math.max(0, r.start - 1);
  let buf = readRange(fd, base, r.end);
  // The first line starting at or after r.start.
  let pos = r.start === 0 ? 0 : buf.indexOf(NEWLINE) + 1;
  if (r.start > 0 && pos === 0) pos = buf.length; // no line starts in this range
  const from = base + pos;
  // Extend the buffer to the end of the last line starting before r.end.
  let end = r.end;
  if (from < r.end) {
    for (;;) {
      const last = buf.lastIndexOf(NEWLINE);
      if (last >= 0 && base + last >= r.end - 1) {
        end = base + buf.indexOf(NEWLINE, r.end - 1 - base) + 1;
        break;
      }
      const more = readRange(fd, base + buf.length, base + buf.length + TAIL_STEP);
      if (!more.length) {
        end = base + buf.length;
        break;
      }
      buf = Buffer.concat([buf, more]);
    }
  } else end = from;
  const text = buf.subarray(pos, end - base);
  // Grown when needed: lines of the ingest contract are a few hundred bytes.
  let slots = new Int32Array(2 * Math.max(16, Math.ceil((end - from) / 128)));
  let n = 0;
  let foreign: ScannedRange['foreign'];
  const checkRegion = (region: string) => {
    const p = provinceOf(region);
    if (!p || !levelOf(region) || provinces.has(p)) return;
    if (foreign) foreign.count++;
    else foreign = { line: n, region, count: 1 };
  };
  const scanLine = (line: Buffer) => {
    n++;
    if (2 * n > slots.length) {
      const grown = new Int32Array(slots.length * 2);
      grown.set(slots);
      slots = grown;
    }
    const at = 2 * (n - 1);
    slots[at] = -1;
    if (line.length === 0) return;
    const c = valueAt(line, CASE_ID);
    const r = valueAt(line, REGION);
    if (!c || !r) {
      const f = parsedFields(line);
      if (f.caseId !== undefined) slotsOf(f.caseId, slots, at);
      if (f.region !== undefined) checkRegion(f.region);
      return;
    }
    slotsOfBytes(line, c[0], c[1], slots, at);
    checkRegion(line.toString('latin1', r[0], r[1]));
  };
  let p = 0;
  for (let nl = text.indexOf(NEWLINE); nl >= 0; p = nl + 1, nl = text.indexOf(NEWLINE, p))
    scanLine(text.subarray(p, nl));
  if (p < text.length) scanLine(text.subarray(p));
  return { start: from, end, lines: n, slots: slots.subarray(0, 2 * n), ...(foreign ? { foreign } : {}) };
}

/** The file cut at every `partBytes` bytes. */
export function cutFile(size: number, partBytes: number): Range[] {
  const ranges: Range[] = [];
  for (let start = 0; start < size; start += partBytes) ranges.push({ start, end: Math.min(size, start + partBytes) });
  return ranges;
}

async function digestOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>)
    hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Scans the file: `scanned` yields each range of cutFile(size, partBytes) scanned, in file order
 * (the parse workers, or scanRange on this thread), while this thread digests the file.
 */
export async function scanFile(
  path: string,
  partBytes: number,
  scanned: (ranges: Range[]) => AsyncIterable<ScannedRange>,
): Promise<ScanResult> {
  const size = fs.statSync(path).size;
  const digest = digestOf(path);
  // Awaited below; a failure meanwhile must not count as unhandled.
  digest.catch(() => undefined);
  const lastLines = new LastLines();
  const parts: Part[] = [];
  let n = 0;
  let foreign: ScanResult['foreign'];
  for await (const r of scanned(cutFile(size, partBytes))) {
    if (r.foreign) {
      if (foreign) foreign.count += r.foreign.count;
      else foreign = { ...r.foreign, line: n + r.foreign.line };
    }
    const { slots } = r;
    for (let i = 0; i < r.lines; i++)
      if (slots[2 * i]! >= 0) lastLines.set(slots[2 * i]!, slots[2 * i + 1]!, n + i + 1);
    if (r.lines) parts.push({ start: r.start, end: r.end, first: n + 1 });
    n += r.lines;
  }
  return { digest: await digest, lines: n, lastLines, parts, ...(foreign ? { foreign } : {}) };
}
