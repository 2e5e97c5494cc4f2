import type { Keys } from '../redis/keys.ts';
import { RETENTION } from '../counters/retention.ts';
import { dayNumber, dayStart } from '../time/beijing.ts';
import { isOpen, type CaseState } from './case-state.ts';

/**
 * The case index: which cases a region's subtree holds, newest first, without reading every case.
 * One sorted set per region, kind and state (open / closed) at the province, city and county
 * levels of the case's lineage, scored by the time of the case's earliest event. Like the counters
 * it is a pure function of the case's state, so the commit moves a case between sets as "remove
 * the old entries, add the new" in the same script as its counters: a redelivered event changes no
 * case and so writes nothing, and a crash commits both or neither.
 *
 * Townships and villages have no sets of their own: their lists are their county's set filtered
 * by region (case-index-page.lua). Most villages hold one or two cases in the history window, and a
 * sorted set's own overhead (≈ 100 B) cost more than its entries: the two lower levels were 40 % of
 * the index's memory (docs/capacity.md). So a county set's member carries the case's place below
 * the county, `<township+village digits>:<case id>` (`001002:c-1`, `001:c-2`, `:c-3`); the digits
 * come first and are digits only, so the first `:` ends them whatever the case id holds. Province
 * and city sets hold bare case ids.
 *
 * Retention follows the cases: an open case is listed whatever its age (as the open counters count
 * it); a closed one while its earliest event is within `caseIndexDays` (trimmed on each write of
 * its set, and readers never look further back), which ends before the closed case itself expires.
 *
 * Why the upper levels have their own sets rather than a union of counties on reading: a
 * province's list would merge 87 sets on every page.
 */

/** The levels indexed: province, city, county. */
const LENGTHS = [2, 4, 6];
const COUNTY = 6;

export type IndexKind = 'i' | 'd';
export type IndexState = 'o' | 'c';

/** The indexed region's code and its indexed ancestors' (province first), down to the county. */
export function indexRegions(region: string): string[] {
  return LENGTHS.filter((len) => len <= region.length).map((len) => region.slice(0, len));
}

/**
 * Where a region's list is read: its own set (province, city, county), or its county's set with
 * the members whose place starts with `place` (township, village).
 */
export function indexSetOf(region: string): { set: string; place?: string } {
  return region.length <= COUNTY ? { set: region } : { set: region.slice(0, COUNTY), place: region.slice(COUNTY) };
}

/** Whether the members of `set`'s sets carry a place (county sets do). */
export function carriesPlace(set: string): boolean {
  return set.length === COUNTY;
}

/** The member a case is listed under in the set of `set` (an indexed code). */
export function indexMember(set: string, caseId: string, region: string): string {
  return carriesPlace(set) ? `${region.slice(COUNTY)}:${caseId}` : caseId;
}

/** The case id of a member of a set of `set`. */
export function memberCaseId(set: string, member: string): string {
  return carriesPlace(set) ? member.slice(member.indexOf(':') + 1) : member;
}

/** The earliest first-event time (ms) of a closed case the index lists at `now`: a Beijing day start. */
export function indexFloor(now: number): number {
  return dayStart(dayNumber(now) - RETENTION.caseIndexDays);
}

/** The sets a case belongs in (key → member and score), none for a closed case older than the floor. */
export function indexEntries(
  keys: Keys,
  caseId: string,
  c: CaseState | undefined,
  floor: number,
): Map<string, { member: string; score: number }> {
  const out = new Map<string, { member: string; score: number }>();
  if (!c) return out;
  const open = isOpen(c);
  if (!open && c.t0 < floor) return out;
  for (const code of indexRegions(c.r))
    out.set(keys.caseIndex(code, c.k, open ? 'o' : 'c'), { member: indexMember(code, caseId, c.r), score: c.t0 });
  return out;
}

/** A case's index changes for the commit script: `[member, score, key…]` to add, `[member, key…]` to remove. */
export interface IndexOps {
  add: (string | number)[][];
  remove: string[][];
  /** Closed sets written: trimmed below the floor and given the index's TTL. */
  closed: Set<string>;
}

/** Keys grouped by member, in the order first seen. */
function byMember(entries: [string, string][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, member] of entries) {
    const ks = out.get(member);
    if (ks) ks.push(key);
    else out.set(member, [key]);
  }
  return out;
}

/** The changes that move a case from `before` to `after` (nothing when both are the same). */
export function indexChanges(
  keys: Keys,
  caseId: string,
  before: CaseState | undefined,
  after: CaseState | undefined,
  floor: number,
  ops: IndexOps,
): void {
  const was = indexEntries(keys, caseId, before, floor);
  const now = indexEntries(keys, caseId, after, floor);
  const gone = [...was]
    .filter(([k, e]) => now.get(k)?.member !== e.member)
    .map(([k, e]): [string, string] => [k, e.member]);
  const added = [...now]
    .filter(([k, e]) => {
      const old = was.get(k);
      return old?.member !== e.member || old.score !== e.score;
    })
    .map(([k, e]): [string, string] => [k, e.member]);
  for (const [member, ks] of byMember(gone)) ops.remove.push([member, ...ks]);
  for (const [member, ks] of byMember(added)) {
    ops.add.push([member, after!.t0, ...ks]);
    if (!isOpen(after!)) for (const k of ks) ops.closed.add(k);
  }
}
