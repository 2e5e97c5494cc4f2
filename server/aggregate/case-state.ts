import type { StoredEvent } from '../../shared/schemas/event.ts';
import { STATUS_RANK, type Status } from '../../shared/vocab.ts';
import { letter, nameOf } from '../redis/letters.ts';

/**
 * What the aggregator remembers of a case, stored packed (encodeCase) in its field of a case bucket
 * (server/aggregate/case-store.ts), next to its write version and summary.
 */
export interface CaseState {
  /** Kind: i incident, d dispute. */
  k: 'i' | 'd';
  /** Region, category, channel, time (ms) and id of the case's earliest event. */
  r: string;
  c: string;
  ch: string;
  t0: number;
  i0: string;
  /** The furthest-along status, with the time and id of its event. */
  s: Status;
  st: number;
  si: string;
  /** The latest outcome (resolved/failed), with time and id. */
  out?: 'resolved' | 'failed';
  ot?: number;
  oi?: string;
  /** Highest severity seen. */
  sev: number;
  /** Overdue flags: d not dispatched in time, r not resolved in time. */
  od: string;
  /** The next SLA deadline (ms) while there is one. */
  dl?: number;
  /**
   * Time (ms) of the latest of its events: a closed case is kept for its retention from then
   * (server/counters/retention.ts). Absent in cases stored before it: see latestEventTime.
   */
  tl?: number;
  /** Ids of the events applied to it: what makes a redelivery a no-op. */
  e: string[];
}

/** Dispute time limits as `{category: [dispatchMs, resolveMs]}`, `*` for the rest. */
export type SlaTable = Record<string, readonly [number, number]>;

/** An event reduced to what a case needs. */
export interface CaseEvent {
  id: string;
  caseId: string;
  k: 'i' | 'd';
  category: string;
  status: Status;
  severity: number;
  region: string;
  channel: string;
  ts: number;
  /** Kept beside the state (field `m` of the case's hash), not in it: the hot path never reads it. */
  summary: string;
}

export function caseEvent(e: StoredEvent): CaseEvent {
  return {
    id: e.id,
    caseId: e.caseId,
    k: e.kind === 'incident' ? 'i' : 'd',
    category: e.category,
    status: e.status,
    severity: e.severity,
    region: e.region,
    channel: e.channel,
    ts: e.ts,
    summary: e.summary,
  };
}

/** Lexicographic tie-break on the id, so equal timestamps order the same way on every replay. */
function later(ts: number, id: string, bestTs: number | undefined, bestId: string | undefined): boolean {
  if (bestTs === undefined) return true;
  if (ts !== bestTs) return ts > bestTs;
  return id > (bestId ?? '');
}

export function isOpen(c: CaseState): boolean {
  if (c.k === 'i') return c.s !== 'closed';
  return STATUS_RANK[c.s] < 3;
}

/** The state of a case whose first applied event is `e`. */
export function newCase(e: CaseEvent): CaseState {
  return {
    k: e.k,
    r: e.region,
    c: e.category,
    ch: e.channel,
    t0: e.ts,
    i0: e.id,
    s: e.status,
    st: e.ts,
    si: e.id,
    ...(e.status === 'resolved' || e.status === 'failed' ? { out: e.status, ot: e.ts, oi: e.id } : {}),
    sev: e.severity,
    od: '',
    tl: e.ts,
    e: [e.id],
  };
}

/** When the case's latest event happened (cases stored before `tl`: the latest time they kept). */
export function latestEventTime(c: CaseState): number {
  return c.tl ?? Math.max(c.t0, c.st, c.ot ?? 0);
}

/**
 * Folds one more event into a case (a copy: the caller keeps the state it read). Attributes come
 * from the case's earliest event, the status from its furthest-along one (rank, then time), the
 * outcome from its latest resolved/failed event, so the result does not depend on arrival order.
 */
export function mergeEvent(prev: CaseState, e: CaseEvent): CaseState {
  const c: CaseState = { ...prev, e: [...prev.e, e.id], tl: Math.max(latestEventTime(prev), e.ts) };
  if (!later(e.ts, e.id, c.t0, c.i0)) {
    c.r = e.region;
    c.c = e.category;
    c.ch = e.channel;
    c.t0 = e.ts;
    c.i0 = e.id;
  }
  const rank = STATUS_RANK[e.status];
  const cr = STATUS_RANK[c.s];
  if (rank > cr || (rank === cr && later(e.ts, e.id, c.st, c.si))) {
    c.s = e.status;
    c.st = e.ts;
    c.si = e.id;
  }
  if ((e.status === 'resolved' || e.status === 'failed') && later(e.ts, e.id, c.ot, c.oi)) {
    c.out = e.status;
    c.ot = e.ts;
    c.oi = e.id;
  }
  if (e.severity > c.sev) c.sev = e.severity;
  return c;
}

function limits(c: CaseState, sla: SlaTable): readonly [number, number] {
  return sla[c.c] ?? sla['*']!;
}

/** Overdue flags of an open dispute at `now`: 'd' not dispatched in time, 'r' not resolved in time. */
export function overdueFlags(c: CaseState, now: number, sla: SlaTable): string {
  if (c.k !== 'd' || !isOpen(c)) return '';
  const [dispatchMs, resolveMs] = limits(c, sla);
  let f = '';
  if (c.s === 'received' && now > c.t0 + dispatchMs) f += 'd';
  if (now > c.t0 + resolveMs) f += 'r';
  return f;
}

/** The next moment the overdue flags of this case can change, or undefined. */
export function nextDeadline(c: CaseState, sla: SlaTable): number | undefined {
  if (c.k !== 'd' || !isOpen(c)) return undefined;
  const [dispatchMs, resolveMs] = limits(c, sla);
  let best: number | undefined;
  if (c.s === 'received' && !c.od.includes('d')) best = c.t0 + dispatchMs;
  if (!c.od.includes('r')) {
    const r = c.t0 + resolveMs;
    if (best === undefined || r < best) best = r;
  }
  return best;
}

/**
 * The stored form of a state (server/aggregate/case-store.ts keeps it in its case's bucket field),
 * packed: an array in a fixed order instead of an object, times after the first relative to it,
 * event ids `<case id>-<n>` as the number n, and the earliest, status and outcome events as
 * indexes into the event list; written as a compact line (compact, below), or as JSON when a
 * reference is an id. A case as a JSON object was ≈ 220 B, the array's JSON ≈ 100 B, the line ≈ 60 B.
 *
 *   [k, r, c, ch, t0, i0, s, st−t0, si, sev, od, tl−t0, [e…], dl−t0 | null, out, ot−t0, oi]
 *
 * the last four only when there is a deadline or an outcome. An event reference (i0, si, oi) is a
 * number: its index in e; or a string: the id itself. An element of e is a number n: the id
 * `<case id>-<n>`; or a string: the id itself. States stored as JSON objects (before 2026-12-05)
 * and arrays (before 2026-12-06) are still read; a case is written compact the next time it
 * changes. Every reader and writer of a stored case goes through encodeCase and decodeCase.
 */
type Packed = [
  CaseState['k'],
  string,
  string,
  string,
  number,
  number | string,
  Status,
  number,
  number | string,
  number,
  string,
  number,
  (number | string)[],
  (number | null)?,
  CaseState['out']?,
  number?,
  (number | string)?,
];

const DIGITS = /^(0|[1-9]\d{0,14})$/;

function packId(caseId: string, id: string): number | string {
  const n =
    id.length > caseId.length + 1 && id.startsWith(caseId) && id[caseId.length] === '-'
      ? id.slice(caseId.length + 1)
      : '';
  return DIGITS.test(n) ? Number(n) : id;
}

const unpackId = (caseId: string, x: number | string) => (typeof x === 'number' ? `${caseId}-${x}` : x);

export function encodeCase(caseId: string, c: CaseState): string {
  const ref = (id: string) => {
    const i = c.e.indexOf(id);
    return i >= 0 ? i : id;
  };
  const p: Packed = [
    c.k,
    c.r,
    c.c,
    c.ch,
    c.t0,
    ref(c.i0),
    c.s,
    c.st - c.t0,
    ref(c.si),
    c.sev,
    c.od,
    latestEventTime(c) - c.t0,
    c.e.map((id) => packId(caseId, id)),
  ];
  if (c.dl !== undefined || c.out) p.push(c.dl === undefined ? null : c.dl - c.t0);
  if (c.out) p.push(c.out, c.ot! - c.t0, ref(c.oi!));
  return compact(p) ?? JSON.stringify(p);
}

/**
 * The packed array as a line of 16 comma-separated tokens and the event list (≈ 60 bytes where
 * its JSON took ≈ 100; docs/capacity.md): category, channel, status and outcome as their stored
 * letters (server/redis/letters.ts), times and event references in base 36, the event numbers
 * joined by dots, or the list as JSON when it holds an id that is not `<case id>-<n>`. Undefined
 * when a token could hold a comma (an event reference that is an id): the JSON form then.
 */
function compact(p: Packed): string | undefined {
  const [k, r, c, ch, t0, i0, s, st, si, sev, od, tl, e, dl, out, ot, oi] = p;
  if (typeof i0 === 'string' || typeof si === 'string' || typeof oi === 'string') return undefined;
  const head = [
    k,
    r,
    letter('category', c),
    letter('channel', ch),
    b36(t0),
    b36(i0),
    letter('status', s),
    b36(st),
    b36(si),
    sev,
    od,
    b36(tl),
    dl == null ? '' : b36(dl),
    out ? letter('outcome', out) : '',
    ot === undefined ? '' : b36(ot),
    oi === undefined ? '' : b36(oi),
  ].join(',');
  if (head.split(',').length !== COMPACT_TOKENS) return undefined;
  const list = e.every((x) => typeof x === 'number') ? e.map(b36).join('.') : JSON.stringify(e);
  return `${head},${list}`;
}

const COMPACT_TOKENS = 16;
const b36 = (n: number) => n.toString(36);
const fromB36 = (t: string) => parseInt(t, 36);

/** The packed array of a compact line (compact's inverse). */
function expand(j: string): Packed {
  const t: string[] = [];
  let at = 0;
  for (let i = 0; i < COMPACT_TOKENS; i++) {
    const comma = j.indexOf(',', at);
    t.push(j.slice(at, comma));
    at = comma + 1;
  }
  const list = j.slice(at);
  const e: (number | string)[] = list.startsWith('[')
    ? (JSON.parse(list) as (number | string)[])
    : list
      ? list.split('.').map(fromB36)
      : [];
  const [k, r, c, ch, t0, i0, s, st, si, sev, od, tl, dl, out, ot, oi] = t as string[] & { length: 16 };
  return [
    k as CaseState['k'],
    r!,
    nameOf('category', c!),
    nameOf('channel', ch!),
    fromB36(t0!),
    fromB36(i0!),
    nameOf('status', s!) as Status,
    fromB36(st!),
    fromB36(si!),
    Number(sev),
    od!,
    fromB36(tl!),
    e,
    dl ? fromB36(dl) : null,
    out ? (nameOf('outcome', out) as CaseState['out']) : undefined,
    ot ? fromB36(ot) : undefined,
    oi ? fromB36(oi) : undefined,
  ];
}

/**
 * A case state as stored: compact (compact), packed JSON (before 2026-12-06, or holding an event
 * reference that is an id), or a JSON object (before 2026-12-05).
 */
export function decodeCase(caseId: string, j: string): CaseState {
  if (j[0] === '{') return JSON.parse(j) as CaseState;
  const [k, r, c, ch, t0, i0, s, st, si, sev, od, tl, packedE, dl, out, ot, oi] =
    j[0] === '[' ? (JSON.parse(j) as Packed) : expand(j);
  const e = packedE.map((x) => unpackId(caseId, x));
  const ref = (x: number | string) => (typeof x === 'number' ? e[x]! : x);
  return {
    k,
    r,
    c,
    ch,
    t0,
    i0: ref(i0),
    s,
    st: t0 + st,
    si: ref(si),
    ...(out ? { out, ot: t0 + ot!, oi: ref(oi!) } : {}),
    sev,
    od,
    ...(dl !== undefined && dl !== null ? { dl: t0 + dl } : {}),
    tl: t0 + tl,
    e,
  };
}
