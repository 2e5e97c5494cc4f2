import type { Keys } from '../redis/keys.ts';
import { buckets } from '../time/beijing.ts';
import { isOpen, type CaseState } from './case-state.ts';

/**
 * A case's effect on the counters is a pure function of its state (its "contribution"); every
 * change is applied as "retract the old contribution, add the new one", so arrival order never
 * matters and a batch sums its changes before anything is written.
 *
 * Two layouts, chosen for cost per event:
 * - province, city, county ("top"): one field per dimension in day/month/open hashes (`i`,
 *   `c:family`, `s:received`, `h:9:i`, `q:108:i` …). Many events share these keys, so a batch
 *   writes each field once.
 * - township and village ("low"): one hash per township and day, one field per combination
 *   `code|k|category|channel|status|outcome|hour|slot`, the same per month without hour and slot,
 *   and an open hash with `code|k|status|category|overdue`; the reader sums the (small) hash into
 *   the same marginals (low-level.ts).
 */

/** Which retention a counter hash gets: day buckets, month buckets, or none (open backlog). */
export type Retention = 'day' | 'mon' | '';

interface CounterHash {
  retention: Retention;
  fields: Map<string, number>;
}

const TOP_LENGTHS = [2, 4, 6];
const ALL_LENGTHS = [2, 4, 6, 9, 12];

export interface ContributionBounds {
  keys: Keys;
  /** Buckets older than retention are left alone: their keys may have expired, and a retraction
   * would otherwise resurrect them with negative counts. */
  minDay: number;
  minMonth: string;
}

function bump(fields: Map<string, number>, field: string, d: number): void {
  fields.set(field, (fields.get(field) ?? 0) + d);
}

/** The summed counter changes of a batch and the regions whose numbers they touch. */
export class CounterDeltas {
  readonly hashes = new Map<string, CounterHash>();
  readonly touched = new Set<string>();

  constructor(private readonly bounds: ContributionBounds) {}

  private hash(key: string, retention: Retention): Map<string, number> {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, (h = { retention, fields: new Map() }));
    return h.fields;
  }

  /** Adds `sign` × the case's contribution. */
  contribute(c: CaseState, sign: 1 | -1): void {
    const { keys, minDay, minMonth } = this.bounds;
    const region = c.r;
    for (const len of ALL_LENGTHS) if (len <= region.length) this.touched.add(region.slice(0, len));
    const { day, month, hour, slot } = buckets(c.t0);
    const { k, od } = c;
    const out = c.out ?? '';
    const open = isOpen(c);
    const dayKept = day >= minDay;
    const monthKept = month >= minMonth;
    // Field names once per call, not once per level.
    const cat = `c:${c.c}`;
    const chan = `ch:${c.ch}`;
    const status = `s:${c.s}`;
    const outcome = out && `o:${out}`;
    const hourField = `h:${hour}:${k}`;
    const slotField = `q:${slot}:${k}`;
    /** What a day and a month hash both count: kind, category, channel, status, outcome. */
    const windowFields = (h: Map<string, number>) => {
      bump(h, k, sign);
      bump(h, cat, sign);
      bump(h, chan, sign);
      bump(h, status, sign);
      if (outcome) bump(h, outcome, sign);
    };
    for (const len of TOP_LENGTHS) {
      if (len > region.length) break;
      const a = region.slice(0, len);
      if (dayKept) {
        const h = this.hash(keys.day(a, day), 'day');
        windowFields(h);
        bump(h, hourField, sign);
        bump(h, slotField, sign);
      }
      if (monthKept) {
        windowFields(this.hash(keys.month(a, month), 'mon'));
      }
      if (open) {
        const h = this.hash(keys.open(a), '');
        bump(h, k, sign);
        bump(h, status, sign);
        bump(h, cat, sign);
        if (od) bump(h, 'od', sign);
        if (od.includes('d')) bump(h, 'odd', sign);
        if (od.includes('r')) bump(h, 'odr', sign);
      }
    }
    if (region.length >= 9) {
      const twp = region.slice(0, 9);
      const base = `${region}|${k}|${c.c}|${c.ch}|${c.s}|${out}`;
      if (dayKept) bump(this.hash(keys.lowDay(twp, day), 'day'), `${base}|${hour}|${slot}`, sign);
      if (monthKept) bump(this.hash(keys.lowMonth(twp, month), 'mon'), base, sign);
      if (open) bump(this.hash(keys.lowOpen(twp), ''), `${region}|${k}|${c.s}|${c.c}|${od}`, sign);
    }
  }
}
