import type { RedisClient } from '../redis/connection.ts';
import type { CaseItem, LocalCases } from '../../shared/schemas/case.ts';
import type { Category, Channel, Kind } from '../../shared/vocab.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { execBySlot } from '../redis/by-slot.ts';
import { levelOf, provinceAncestry } from '../../shared/regions.ts';
import { isoBeijing } from '../time/beijing.ts';
import { runLua } from '../redis/lua.ts';
import { CASE_INDEX_PAGE_SCRIPT } from '../redis/scripts.ts';
import { carriesPlace, indexFloor, indexSetOf, memberCaseId, type IndexKind, type IndexState } from './case-index.ts';
import { decodeCase, isOpen, type CaseState } from './case-state.ts';

/**
 * Reads the case index (case-index.ts): pages of a region's cases, newest first, with the total of
 * what matches. A page merges the sets the filters select (kind × open/closed, up to four), reading
 * from each only what the page needs after the cursor. A township or village reads its county's
 * sets, filtered by its place in Redis (case-index-page.lua). The nation has no index of its own (nothing
 * per event is written for it): its list merges its provinces' sets, each under its own keys.
 */

export interface CaseFilter {
  region: string;
  kind?: Kind;
  status?: 'open' | 'closed';
  /** First-event time window in ms, `from` inclusive, `to` exclusive. */
  from?: number;
  to?: number;
}

/** Where the previous page ended: its last case's score and id (the order is score, then id, both descending). */
export interface Cursor {
  score: number;
  id: string;
}

export interface CasePage {
  total: number;
  cases: CaseItem[];
  next?: Cursor;
}

export interface CaseListDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring (each province's index and cases under its own). */
  keys: Keys | KeyRing;
  /** A region's name, for the item's `regionName`. */
  regionName: (code: string) => string | undefined;
  /** Open cases whose earliest event is before this (ms) are flagged `stale` (久拖). */
  staleBefore?: () => number;
}

export function encodeCursor(c: Cursor): string {
  return `${c.score}.${Buffer.from(c.id, 'utf8').toString('base64url')}`;
}

/** Undefined for a string that is not a cursor this server wrote. */
export function decodeCursor(s: string): Cursor | undefined {
  const dot = s.indexOf('.');
  const score = Number(s.slice(0, dot));
  const id = Buffer.from(s.slice(dot + 1), 'base64url').toString('utf8');
  return dot > 0 && Number.isSafeInteger(score) && id ? { score, id } : undefined;
}

interface Source {
  key: string;
  /** The indexed region whose set this is (its members' shape: case-index.ts). */
  set: string;
  /** A township's or village's place below its county: only members of that place are read. */
  place?: string;
  min: number;
  max: number;
  /** The keys of the province whose set this is: its cases are read under them. */
  keys: Keys;
}

/** An index entry and the province keys its case lives under. */
interface Entry extends Cursor {
  keys: Keys;
}

const KIND_CODE: Record<Kind, IndexKind> = { incident: 'i', dispute: 'd' };

/** The sets and score windows a filter reads; a closed set never below the index's floor. */
function sources(deps: CaseListDeps, f: CaseFilter, now: number): Source[] {
  const ring = asKeyRing(deps.keys);
  const regions = levelOf(f.region) === 'nation' ? ring.provinces : [f.region];
  const kinds: IndexKind[] = f.kind ? [KIND_CODE[f.kind]] : ['i', 'd'];
  const states: IndexState[] = f.status === 'open' ? ['o'] : f.status === 'closed' ? ['c'] : ['o', 'c'];
  const min = f.from ?? 0;
  // Scores are whole milliseconds: an exclusive `to` is an inclusive `to - 1`.
  const max = f.to === undefined ? Number.MAX_SAFE_INTEGER : f.to - 1;
  const out: Source[] = [];
  for (const region of regions) {
    const keys = ring.of(region);
    const { set, place } = indexSetOf(region);
    for (const k of kinds)
      for (const s of states)
        out.push({
          key: keys.caseIndex(set, k, s),
          set,
          ...(place ? { place } : {}),
          min: s === 'c' ? Math.max(min, indexFloor(now)) : min,
          max,
          keys,
        });
  }
  return out;
}

/** Score-then-id descending: the list's order. */
const before = (a: Cursor, b: Cursor) => a.score > b.score || (a.score === b.score && a.id > b.id);

/** A county set's entries after the cursor, filtered by place and ordered by id within a score in Redis. */
async function afterInCounty(redis: RedisClient, s: Source, cursor: Cursor | undefined, n: number): Promise<Entry[]> {
  const max = cursor ? Math.min(cursor.score, s.max) : s.max;
  const flat = await runLua<string[]>(
    redis,
    CASE_INDEX_PAGE_SCRIPT,
    [s.key],
    [String(max), String(s.min), s.place ?? '', n, cursor ? String(cursor.score) : '', cursor?.id ?? ''],
  );
  const out: Entry[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, score: Number(flat[i + 1]), keys: s.keys });
  return out;
}

/** Up to `n` entries of one set after the cursor, newest first (a few reads when many share the cursor's score). */
async function after(redis: RedisClient, s: Source, cursor: Cursor | undefined, n: number): Promise<Entry[]> {
  const max = cursor ? Math.min(cursor.score, s.max) : s.max;
  if (max < s.min) return [];
  if (carriesPlace(s.set)) return afterInCounty(redis, s, cursor, n);
  const out: Entry[] = [];
  for (let offset = 0; ;) {
    const chunk = n + 1;
    const flat = await redis.zrange(
      s.key,
      String(max),
      String(s.min),
      'BYSCORE',
      'REV',
      'LIMIT',
      offset,
      chunk,
      'WITHSCORES',
    );
    for (let i = 0; i < flat.length; i += 2) {
      const e = { id: memberCaseId(s.set, flat[i]!), score: Number(flat[i + 1]), keys: s.keys };
      if (!cursor || before(cursor, e)) out.push(e);
      if (out.length >= n) return out;
    }
    if (flat.length < chunk * 2) return out;
    offset += chunk;
  }
}

/** How many members of a county set lie in the window and the place (min and max as ZRANGE takes them). */
export function countInPlace(
  redis: RedisClient,
  key: string,
  place: string,
  min: string,
  max: string,
): Promise<number> {
  return runLua<number>(redis, CASE_INDEX_PAGE_SCRIPT, [key], [max, min, place, 'count', '', '']);
}

/** Counts what the filter matches, set by set, one round trip per province (a township or village: one per set). */
async function total(redis: RedisClient, list: Source[]): Promise<number> {
  const placed = list.filter((s) => s.place);
  const whole = list.filter((s) => !s.place);
  const byKey = new Map(whole.map((s) => [s.key, s]));
  const [replies, ...counts] = await Promise.all([
    byKey.size
      ? execBySlot(redis, [...byKey.keys()], (p, key) => {
          const s = byKey.get(key)!;
          p.zcount(key, s.min, s.max);
        })
      : Promise.resolve([]),
    ...placed.map((s) => countInPlace(redis, s.key, s.place!, String(s.min), String(s.max))),
  ]);
  return [...replies, ...counts].reduce<number>((n, v) => n + Number(v), 0);
}

/** The region's name from the county down (县 乡 村), or its own name above the county. */
function placeName(deps: CaseListDeps, code: string): string {
  const names = provinceAncestry(code)
    .filter((c) => c.length >= 6 || c === code)
    .map((c) => deps.regionName(c))
    .filter((n): n is string => !!n);
  return names.join(' ') || code;
}

function item(deps: CaseListDeps, id: string, c: CaseState, summary: string): CaseItem {
  return {
    id,
    kind: c.k === 'i' ? 'incident' : 'dispute',
    category: c.c as Category,
    status: c.s,
    open: isOpen(c),
    severity: c.sev,
    region: c.r,
    regionName: placeName(deps, c.r),
    channel: c.ch as Channel,
    reportedAt: isoBeijing(c.t0),
    statusAt: isoBeijing(c.st),
    overdue: { dispatch: c.od.includes('d'), resolve: c.od.includes('r') },
    ...(deps.staleBefore && isOpen(c) ? { stale: c.t0 < deps.staleBefore() } : {}),
    summary,
  };
}

/** The cases behind index entries, in their order; one that expired meanwhile is left out. */
async function readCaseItems(deps: CaseListDeps, entries: readonly Entry[]): Promise<CaseItem[]> {
  if (!entries.length) return [];
  const replies = await execBySlot(
    deps.redis,
    entries.map((e) => e.keys.case(e.id)),
    (p, key) => p.hmget(key, 'j', 'm'),
  );
  const out: CaseItem[] = [];
  replies.forEach((reply, i) => {
    const [j, m] = reply as [string | null, string | null];
    if (j) out.push(item(deps, entries[i]!.id, decodeCase(entries[i]!.id, j), m ?? ''));
  });
  return out;
}

/** One page of a region's cases after `cursor`, and the total that match. */
export async function listCases(
  deps: CaseListDeps,
  f: CaseFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: number,
): Promise<CasePage> {
  const list = sources(deps, f, now);
  const [count, ...perSource] = await Promise.all([
    total(deps.redis, list),
    ...list.map((s) => after(deps.redis, s, cursor, limit + 1)),
  ]);
  // A case moved between sets while they were read (closed meanwhile) may show up in two: once is enough.
  const seen = new Set<string>();
  const merged = perSource
    .flat()
    .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
    .filter((e) => !seen.has(e.keys.prefix + e.id) && seen.add(e.keys.prefix + e.id));
  const page = merged.slice(0, limit);
  const cases = await readCaseItems(deps, page);
  const last = page[page.length - 1];
  return {
    total: count,
    cases,
    ...(merged.length > limit && last ? { next: { score: last.score, id: last.id } } : {}),
  };
}

/** Every case the filter matches, newest first, for an export whose size the caller checked. */
export async function allCases(deps: CaseListDeps, f: CaseFilter, now: number, pageSize = 1000): Promise<CaseItem[]> {
  const out: CaseItem[] = [];
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await listCases(deps, f, cursor, pageSize, now);
    out.push(...page.cases);
    if (!page.next) return out;
    cursor = page.next;
  }
}

/** How many cases the filter matches. */
export function countCases(deps: CaseListDeps, f: CaseFilter, now: number): Promise<number> {
  return total(deps.redis, sources(deps, f, now));
}

/** How many cases of each list a township or village snapshot carries. */
export const LOCAL_CASES = 8;

/** A township's or village's latest cases and its open disputes, newest first (the snapshot's `cases`). */
export async function localCases(deps: CaseListDeps, region: string, now: number): Promise<LocalCases> {
  const [recent, open] = await Promise.all([
    listCases(deps, { region }, undefined, LOCAL_CASES, now),
    listCases(deps, { region, kind: 'dispute', status: 'open' }, undefined, LOCAL_CASES, now),
  ]);
  return { recent: recent.cases, openDisputes: open.cases };
}
