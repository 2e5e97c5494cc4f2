import type { Keys } from '../redis/keys.ts';
import { RETENTION } from '../counters/retention.ts';
import { dayNumber, dayStart } from '../time/beijing.ts';
import { isOpen, type CaseState } from './case-state.ts';

/**
 * The case index: which cases a region's subtree holds, newest first, without reading every case.
 * One sorted set per region, kind and state (open / closed) at every level of the case's lineage
 * (province … village), case ids scored by the time of the case's earliest event. Like the
 * counters it is a pure function of the case's state, so the commit moves a case between sets as
 * "remove the old entries, add the new" in the same script as its counters: a redelivered event
 * changes no case and so writes nothing, and a crash commits both or neither.
 *
 * Retention follows the cases: an open case is listed whatever its age (as the open counters count
 * it); a closed one while its earliest event is within `caseIndexDays` (trimmed on each write of
 * its set, and readers never look further back), which ends before the closed case itself expires.
 *
 * Why every level rather than villages alone and a union on reading: a province's list would be
 * a union of 17,718 sets on every page. Per-day sets would shed old entries by expiry but multiply
 * the keys of quiet villages (one key per village, kind and day, mostly with one or two members).
 */

const LENGTHS = [2, 4, 6, 9, 12];

export type IndexKind = 'i' | 'd';
export type IndexState = 'o' | 'c';

/** The region's code and its ancestors' (province first). */
export function indexRegions(region: string): string[] {
  return LENGTHS.filter((len) => len <= region.length).map((len) => region.slice(0, len));
}

/** The earliest first-event time (ms) of a closed case the index lists at `now`: a Beijing day start. */
export function indexFloor(now: number): number {
  return dayStart(dayNumber(now) - RETENTION.caseIndexDays);
}

/** The sets a case belongs in (key → score), none for a closed case older than the floor. */
export function indexEntries(keys: Keys, c: CaseState | undefined, floor: number): Map<string, number> {
  const out = new Map<string, number>();
  if (!c) return out;
  const open = isOpen(c);
  if (!open && c.t0 < floor) return out;
  for (const code of indexRegions(c.r)) out.set(keys.caseIndex(code, c.k, open ? 'o' : 'c'), c.t0);
  return out;
}

/** A case's index changes for the commit script: `[member, score, key…]` to add, `[member, key…]` to remove. */
export interface IndexOps {
  add: (string | number)[][];
  remove: string[][];
  /** Closed sets written: trimmed below the floor and given the index's TTL. */
  closed: Set<string>;
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
  const was = indexEntries(keys, before, floor);
  const now = indexEntries(keys, after, floor);
  const gone = [...was.keys()].filter((k) => !now.has(k));
  const added = [...now].filter(([k, score]) => was.get(k) !== score).map(([k]) => k);
  if (gone.length) ops.remove.push([caseId, ...gone]);
  if (added.length) {
    ops.add.push([caseId, after!.t0, ...added]);
    if (!isOpen(after!)) for (const k of added) ops.closed.add(k);
  }
}
