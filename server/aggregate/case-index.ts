import type { Keys } from '../redis/keys.ts';
import { RETENTION } from '../counters/retention.ts';
import { dayNumber, dayStart } from '../time/beijing.ts';
import { isOpen, type CaseState } from './case-state.ts';
import type { RegionTree } from '../regions/tree.ts';
/**
 * The case index: which cases a region's subtree holds, newest first, without reading every case.
 * One sorted set per county, kind and state (open / closed), scored by the time of the case's
 * earliest event. Like the counters it is a pure function of the case's state, so the commit
 * moves a case between sets as "remove the old entry, add the new" in the same script as its
 * counters: a redelivered event changes no case and so writes nothing, and a crash commits both
 * or neither.
 *
 * Closed cases are split by the Beijing day of their earliest event as well: a county's closed
 * cases of one kind over the 63 days listed were one set of up to 24,500 (Gansu's busiest county at
 * steady state), a skiplist at ≈ 120 B an entry; a day holds ≈ 66 of them (383 at most), a
 * listpack at ≈ 30 B (`zset-max-listpack-entries` 512: server/redis/embedded.ts), ≈ 45 MB less of
 * Gansu (docs/capacity.md). A day's set expires with its day, counted from when its cases began.
 * Open cases stay in one set per county and kind, whatever their age.
 *
 * Every other level reads county sets (case-index-page.lua): a township or village its county's,
 * filtered by its place; a city or the province all of the county sets under it, merged in one
 * call (they share the province's hash tag). A member carries the case's place below the county,
 * `<township+village digits>:<case id>` (`001002:c-1`, `001:c-2`, `:c-3`); the digits come first
 * and are digits only, so the first `:` ends them whatever the case id holds.
 *
 * Why no sets above the county (docs/capacity.md): each level's set held every case again, ≈ 90 B
 * an entry once a skiplist, two of the three entries a case; reading a province's page from its
 * 87 county sets costs one script call instead (the click's read time is in docs/capacity.md).
 * Townships and villages never had sets worth their overhead (≈ 100 B a set for one or two cases).
 *
 * Retention follows the cases: an open case is listed whatever its age (as the open counters count
 * it); a closed one while its earliest event is within `caseIndexDays` (its day's set expires
 * after that, and readers never look further back), which ends before the closed case itself
 * expires.
 */

const COUNTY = 6;

export type IndexKind = 'i' | 'd';
export type IndexState = 'o' | 'c';

/**
 * Where a region's list is read: the county sets under it (a province or city: every county of the
 * tree under it; a county: its own) and, below the county, the place its members must start with.
 */
export function indexSetsOf(
  region: string,
  counties: (code: string) => readonly string[],
): { sets: readonly string[]; place: string } {
  if (region.length >= COUNTY) return { sets: [region.slice(0, COUNTY)], place: region.slice(COUNTY) };
  return { sets: counties(region), place: '' };
}

/** The county codes of the tree under each province or city code, computed once a code. */
export function countiesUnder(tree: Pick<RegionTree, 'codesAt'>): (code: string) => readonly string[] {
  const memo = new Map<string, string[]>();
  let all: string[] | undefined;
  return (code) => {
    let out = memo.get(code);
    if (!out) {
      all ??= tree.codesAt('county');
      out = all.filter((c) => c.startsWith(code));
      memo.set(code, out);
    }
    return out;
  };
}

/** The member a case is listed under in its county's set. */
export function indexMember(caseId: string, region: string): string {
  return `${region.slice(COUNTY)}:${caseId}`;
}

/** The case id of a county set's member. */
export function memberCaseId(member: string): string {
  return member.slice(member.indexOf(':') + 1);
}

/** A set a window reads: its key, the window's min in it, the highest score it can hold, whether the window holds all of it. */
export interface WindowSet {
  key: string;
  min: number;
  cap: number;
  whole: boolean;
}

/**
 * The closed sets of `counties` × `kinds` a window of first-event times (ms, both inclusive) reads,
 * newest day first, each with the window's part of its day: a page fills from the newest.
 */
export function closedSets(
  keys: Keys,
  counties: readonly string[],
  kinds: readonly IndexKind[],
  min: number,
  max: number,
): WindowSet[] {
  const out: WindowSet[] = [];
  for (let d = dayNumber(max); d >= dayNumber(min); d--) {
    const cap = dayStart(d + 1) - 1;
    const whole = min <= dayStart(d) && max >= cap;
    for (const county of counties)
      for (const k of kinds)
        out.push({ key: keys.caseIndexDay(county, k, d), min: Math.max(min, dayStart(d)), cap, whole });
  }
  return out;
}

/** The earliest first-event time (ms) of a closed case the index lists at `now`: a Beijing day start. */
export function indexFloor(now: number): number {
  return dayStart(dayNumber(now) - RETENTION.caseIndexDays);
}

/** The set a case belongs in (key → member and score; its county's), none for a closed case older than the floor. */
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
  const county = c.r.slice(0, COUNTY);
  out.set(open ? keys.caseIndex(county, c.k, 'o') : keys.caseIndexDay(county, c.k, dayNumber(c.t0)), {
    member: indexMember(caseId, c.r),
    score: c.t0,
  });
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
