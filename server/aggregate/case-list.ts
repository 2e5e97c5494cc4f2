import type { RedisClient } from '../redis/connection.ts';
import type { CaseItem, LocalCases } from '../../shared/schemas/case.ts';
import type { Category, Channel, Kind } from '../../shared/vocab.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { hashesBySlot } from '../redis/by-slot.ts';
import { levelOf, provinceAncestry } from '../../shared/regions.ts';
import { dayNumber, dayStart, isoBeijing } from '../time/beijing.ts';
import { runLua } from '../redis/lua.ts';
import { CASE_INDEX_PAGE_SCRIPT } from '../redis/scripts.ts';
import { closedSets, indexFloor, indexSetsOf, type IndexKind, type IndexState, type WindowSet } from './case-index.ts';
import { isOpen, type CaseState } from './case-state.ts';
import { caseKey, parseStoredCase } from './case-store.ts';

/**
 * Reads the case index (case-index.ts): pages of a region's cases, newest first, with the total of
 * what matches. A page merges the county sets the filters select (the counties under the region ×
 * kind × open/closed), reading from each only what the page needs after the cursor, in one script
 * call a province (case-index-page.lua); a township or village reads its county's sets, filtered by
 * its place there. The nation has no index of its own (nothing per event is written for it): its
 * list merges its provinces' pages, each read under its own keys.
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
  /** The county codes of the tree under a province or city (case-index.ts countiesUnder): whose sets it reads. */
  counties: (code: string) => readonly string[];
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

/**
 * One province's part of a read: the county sets the filter selects (open, then closed by day,
 * newest first), each with its score window's min.
 */
interface Source {
  sets: WindowSet[];
  /** A township's or village's place below its county: only members of that place are read. */
  place: string;
  max: number;
  /** The keys of the province whose sets these are: its cases are read under them. */
  province: Keys;
}

/** An index entry and the province keys its case lives under. */
interface Entry extends Cursor {
  keys: Keys;
}

const KIND_CODE: Record<Kind, IndexKind> = { incident: 'i', dispute: 'd' };

/** The sets and score windows a filter reads, one source per province; a closed set never below the index's floor. */
function sources(deps: CaseListDeps, f: CaseFilter, now: number): Source[] {
  const ring = asKeyRing(deps.keys);
  const regions = levelOf(f.region) === 'nation' ? ring.provinces : [f.region];
  const kinds: IndexKind[] = f.kind ? [KIND_CODE[f.kind]] : ['i', 'd'];
  const states: IndexState[] = f.status === 'open' ? ['o'] : f.status === 'closed' ? ['c'] : ['o', 'c'];
  const min = f.from ?? 0;
  // Scores are whole milliseconds: an exclusive `to` is an inclusive `to - 1`.
  const max = f.to === undefined ? Number.MAX_SAFE_INTEGER : f.to - 1;
  const closedMin = Math.max(min, indexFloor(now));
  // No case begins later than tomorrow (ingest refuses events minutes ahead of its clock).
  const closedMax = Math.min(max, dayStart(dayNumber(now) + 2) - 1);
  return regions.map((region) => {
    const province = ring.of(region);
    const { sets, place } = indexSetsOf(region, deps.counties);
    const s: Source = { sets: [], place, max, province };
    const whole = f.from === undefined && f.to === undefined;
    if (states.includes('o'))
      for (const set of sets)
        for (const k of kinds)
          s.sets.push({ key: province.caseIndex(set, k, 'o'), min, cap: Number.MAX_SAFE_INTEGER, whole });
    if (states.includes('c') && closedMin <= closedMax)
      s.sets.push(...closedSets(province, sets, kinds, closedMin, closedMax));
    return s;
  });
}

/** Score-then-id descending: the list's order. */
const before = (a: Cursor, b: Cursor) => a.score > b.score || (a.score === b.score && a.id > b.id);

/** Entries in the list's order, each case once (a case that closed between two reads is in both). */
function inListOrder(entries: Entry[]): Entry[] {
  const seen = new Set<string>();
  return entries
    .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
    .filter((e) => !seen.has(e.keys.prefix + e.id) && seen.add(e.keys.prefix + e.id));
}

/**
 * Sets a page that counts nothing reads in its first call: the open ones and the newest closed days.
 * A snapshot's eight newest cases are nearly always there, and a township read its county's 130
 * sets of the days on every refresh (their keys and windows built, sent and checked): the wall's
 * busiest read after the counters.
 */
const FIRST_SETS = 16;

/**
 * One province's count of what matches (0 when not `counting`) and its first `n` entries after the
 * cursor (n = 0: the count only), in one script call over its sets (case-index-page.lua). A page
 * that counts nothing reads its sets newest first in growing chunks, and stops once the next chunk
 * could not reach into the page (its newest score below the page's last).
 */
async function readSource(
  redis: RedisClient,
  s: Source,
  cursor: Cursor | undefined,
  n: number,
  counting = true,
): Promise<{ total: number; entries: Entry[] }> {
  if (counting || n === 0) return readSets(redis, s, s.sets, cursor, n, counting);
  const open = s.sets.filter((w) => w.cap === Number.MAX_SAFE_INTEGER).length;
  let entries: Entry[] = [];
  for (let from = 0, size = open + FIRST_SETS; from < s.sets.length; from += size, size *= 2) {
    const part = await readSets(redis, s, s.sets.slice(from, from + size), cursor, n, false);
    entries = inListOrder([...entries, ...part.entries]).slice(0, n);
    const next = s.sets[from + size];
    const last = entries[n - 1];
    if (!next || (last && last.score > next.cap)) break;
  }
  return { total: 0, entries };
}

async function readSets(
  redis: RedisClient,
  s: Source,
  sets: WindowSet[],
  cursor: Cursor | undefined,
  n: number,
  counting: boolean,
): Promise<{ total: number; entries: Entry[] }> {
  if (!sets.length) return { total: 0, entries: [] };
  const flat = await runLua<(string | number)[]>(
    redis,
    CASE_INDEX_PAGE_SCRIPT,
    sets.map((w) => w.key),
    [
      String(s.max),
      s.place,
      n,
      cursor ? String(cursor.score) : '',
      cursor?.id ?? '',
      counting ? '1' : '0',
      ...sets.flatMap((w) => [String(w.min), String(w.cap), w.whole ? '1' : '0']),
    ],
  );
  let total = 0;
  for (let i = 0; i < sets.length; i++) total += Number(flat[i]);
  const entries: Entry[] = [];
  for (let i = sets.length; i < flat.length; i += 2)
    entries.push({ id: String(flat[i]), score: Number(flat[i + 1]), keys: s.province });
  return { total, entries };
}

/**
 * How many members of each of `keys` (one province's county sets) lie in the window and the place
 * (min and max as ZRANGE takes them), in one script call.
 */
export async function countInSets(
  redis: RedisClient,
  keys: readonly string[],
  place: string,
  min: string,
  max: string,
): Promise<number[]> {
  if (!keys.length) return [];
  const counts = await runLua<number[]>(redis, CASE_INDEX_PAGE_SCRIPT, keys, [
    max,
    place,
    0,
    '',
    '',
    '1',
    ...keys.flatMap(() => [min, '+inf', '0']),
  ]);
  return counts.map(Number);
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
async function readCaseItems(deps: CaseListDeps, entries: readonly Entry[], now: number): Promise<CaseItem[]> {
  if (!entries.length) return [];
  const hashes = await hashesBySlot(
    deps.redis,
    entries.map((e) => caseKey(e.keys, e.id)),
    entries.map((e) => [e.id]),
  );
  const out: CaseItem[] = [];
  hashes.forEach((h, i) => {
    const id = entries[i]!.id;
    const { state, summary } = parseStoredCase(id, h[id] ?? null, now);
    if (state) out.push(item(deps, id, state, summary ?? ''));
  });
  return out;
}

/**
 * One page of a region's cases after `cursor`, and the total that match (0 when `counting` is
 * false: a township's count scans its county's sets whole, its newest cases do not).
 */
export async function listCases(
  deps: CaseListDeps,
  f: CaseFilter,
  cursor: Cursor | undefined,
  limit: number,
  now: number,
  counting = true,
): Promise<CasePage> {
  const list = sources(deps, f, now);
  const perSource = await Promise.all(list.map((s) => readSource(deps.redis, s, cursor, limit + 1, counting)));
  const count = perSource.reduce((n, p) => n + p.total, 0);
  // The nation merges its provinces' pages; within a province the script read all sets at once,
  // but a case is kept once whatever happens.
  const merged = inListOrder(perSource.flatMap((p) => p.entries));
  const page = merged.slice(0, limit);
  const cases = await readCaseItems(deps, page, now);
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
export async function countCases(deps: CaseListDeps, f: CaseFilter, now: number): Promise<number> {
  const counts = await Promise.all(sources(deps, f, now).map((s) => readSource(deps.redis, s, undefined, 0)));
  return counts.reduce((n, c) => n + c.total, 0);
}

/** How many cases of each list a township or village snapshot carries. */
export const LOCAL_CASES = 8;

/** A township's or village's latest cases and its open disputes, newest first (the snapshot's `cases`). */
export async function localCases(deps: CaseListDeps, region: string, now: number): Promise<LocalCases> {
  const [recent, open] = await Promise.all([
    listCases(deps, { region }, undefined, LOCAL_CASES, now, false),
    listCases(deps, { region, kind: 'dispute', status: 'open' }, undefined, LOCAL_CASES, now, false),
  ]);
  return { recent: recent.cases, openDisputes: open.cases };
}
