/**
 * One part of an import file (whole lines) parsed and validated, as it travels back from a parse
 * worker: columns of numbers in typed arrays (moved, not copied) and of strings in plain arrays,
 * not objects per event nor JSON again. Bad lines carry their number and reason.
 */
import fs from 'node:fs';
import { CHANNELS, INCIDENT_STATUSES, DISPUTE_STATUSES, CATEGORIES, type Status } from '../../shared/vocab.ts';
import type { CaseEvent } from '../aggregate/case-state.ts';
import { validateEvents } from '../ingest/validate.ts';
import { caseEvent } from '../aggregate/case-state.ts';
import { fastEvent, type FastContext } from './fast-event.ts';

export interface ParsedPart {
  /** The part's first line (counted from 1 in the file) and how many lines it has. */
  first: number;
  lines: number;
  /** Events, in line order. */
  n: number;
  line: Int32Array;
  ts: Float64Array;
  /** Per event: kind (0 incident, 1 dispute), category, status, channel (indexes below), severity. */
  code: Uint8Array;
  id: string[];
  caseId: string[];
  region: string[];
  summary: string[];
  badLine: number[];
  badReason: string[];
  /** Lines the hand-written check was not sure of (validated by the schema). */
  slow: number;
}

const STATUSES: readonly Status[] = [...INCIDENT_STATUSES, ...DISPUTE_STATUSES];
const CODE_WIDTH = 5;
const categoryIndex = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
const statusIndex = new Map<string, number>(STATUSES.map((s, i) => [s, i]));
const channelIndex = new Map<string, number>(CHANNELS.map((c, i) => [c, i]));

export interface ParseContext extends FastContext {
  source: string;
}

/** The text of bytes [start, end) of the open file `fd`. */
export function readText(fd: number, start: number, end: number): string {
  const buf = Buffer.allocUnsafe(end - start);
  for (let got = 0; got < buf.length;) {
    const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0)
      throw new Error(`import file shorter than its scan (${start + got} bytes): changed during the import?`);
    got += n;
  }
  return buf.toString('utf8');
}

/** Parses the whole lines of `text`; `first` is the number of its first line. */
export function parsePart(text: string, first: number, ctx: ParseContext): ParsedPart {
  const rows = text.split('\n');
  if (text.endsWith('\n')) rows.pop();
  const count = rows.length;
  const line = new Int32Array(count);
  const ts = new Float64Array(count);
  const code = new Uint8Array(count * CODE_WIDTH);
  const out: ParsedPart = {
    first,
    lines: count,
    n: 0,
    line,
    ts,
    code,
    id: [],
    caseId: [],
    region: [],
    summary: [],
    badLine: [],
    badReason: [],
    slow: 0,
  };
  const validation = { source: ctx.source, now: ctx.now, hasRegion: ctx.hasRegion, maxAgeMs: Infinity };
  for (let k = 0; k < count; k++) {
    const row = rows[k]!;
    const number = first + k;
    if ((row.length === 0 || row.charCodeAt(0) <= 32) && !row.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(row);
    } catch {
      out.badLine.push(number);
      out.badReason.push('not valid JSON');
      continue;
    }
    let e: CaseEvent | undefined = fastEvent(raw, ctx);
    if (!e) {
      out.slow++;
      const { events, rejected } = validateEvents([raw], validation);
      if (rejected.length) {
        out.badLine.push(number);
        out.badReason.push(rejected[0]!.errors.join('; '));
        continue;
      }
      e = caseEvent(events[0]!.event);
    }
    const i = out.n++;
    line[i] = number;
    ts[i] = e.ts;
    const c = i * CODE_WIDTH;
    code[c] = e.k === 'i' ? 0 : 1;
    code[c + 1] = categoryIndex.get(e.category)!;
    code[c + 2] = statusIndex.get(e.status)!;
    code[c + 3] = channelIndex.get(e.channel)!;
    code[c + 4] = e.severity;
    out.id.push(e.id);
    out.caseId.push(e.caseId);
    out.region.push(e.region);
    out.summary.push(e.summary);
  }
  return out;
}

/** The `i`th event of a part, as the fold takes it. */
export function eventAt(p: ParsedPart, i: number): CaseEvent {
  const c = i * CODE_WIDTH;
  return {
    id: p.id[i]!,
    caseId: p.caseId[i]!,
    k: p.code[c] === 0 ? 'i' : 'd',
    category: CATEGORIES[p.code[c + 1]!]!,
    status: STATUSES[p.code[c + 2]!]!,
    severity: p.code[c + 4]!,
    region: p.region[i]!,
    channel: CHANNELS[p.code[c + 3]!]!,
    ts: p.ts[i]!,
    summary: p.summary[i]!,
  };
}
