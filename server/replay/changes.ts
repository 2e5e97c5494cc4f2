import type { CaseState } from '../aggregate/case-state.ts';

/**
 * The replay log's record of one committed case change: the case's contribution to the counters
 * before and after (server/aggregate/contribution.ts computes counters from exactly these fields),
 * with the commit's time. Replaying them through the same contribution code over a base taken at
 * an earlier instant gives every counter as it was at any moment, exactly (server/replay/read.ts).
 *
 * Written by the commit script in the same atomic step as the counters they explain, so a change
 * is in the log if and only if it is in the counters. ~110 bytes a change: the Gansu demo's
 * ~20,000 case changes a day are ~2 MB (docs/benchmarks.md "replay storage").
 */

/** The fields of a case that decide its counter contribution. */
export type Contribution = Pick<CaseState, 'k' | 'r' | 'c' | 'ch' | 't0' | 's' | 'out' | 'od'>;

export interface CaseChange {
  /** Commit time, epoch ms. */
  t: number;
  before?: Contribution;
  after?: Contribution;
}

/** `k,r,c,ch,t0,s,out,od` ('' for no case). Vocabulary values and region codes hold no `,` or `|`. */
export function signature(c: Contribution | undefined): string {
  return c ? `${c.k},${c.r},${c.c},${c.ch},${c.t0},${c.s},${c.out ?? ''},${c.od}` : '';
}

/** The record of a change, or undefined when the case's contribution did not change (a deadline moved). */
export function changeRecord(
  t: number,
  before: Contribution | undefined,
  after: Contribution | undefined,
): string | undefined {
  const b = signature(before);
  const a = signature(after);
  return a === b ? undefined : `${t}|${b}|${a}`;
}

function parseSignature(s: string): Contribution | undefined {
  if (!s) return undefined;
  const [k, r, c, ch, t0, st, out, od] = s.split(',');
  return {
    k: k as Contribution['k'],
    r: r!,
    c: c!,
    ch: ch!,
    t0: Number(t0),
    s: st as Contribution['s'],
    ...(out ? { out: out as NonNullable<Contribution['out']> } : {}),
    od: od ?? '',
  };
}

export function parseChange(record: string): CaseChange {
  const [t, b, a] = record.split('|');
  const before = parseSignature(b ?? '');
  const after = parseSignature(a ?? '');
  return { t: Number(t), ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

/** Whether a change touches a region's subtree (a case may move region when an earlier event arrives). */
export function touches(change: CaseChange, prefix: string): boolean {
  return (change.before?.r.startsWith(prefix) ?? false) || (change.after?.r.startsWith(prefix) ?? false);
}
