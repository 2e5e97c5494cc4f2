import type { Keys } from '../redis/keys.ts';
import { buckets } from '../time/beijing.ts';
import {
  CATEGORY,
  CHANNEL,
  hourField,
  OUTCOME,
  overdueFields,
  slotField,
  STATUS,
  type KindField,
} from '../counters/fields.ts';
import { lowDayField, lowMonthField, lowOpenField } from '../counters/low-level.ts';
import { counterKey, type Bucket } from '../counters/read.ts';
import { isOpen, type CaseState } from './case-state.ts';

/**
 * A case's effect on the counters is a pure function of its state (its "contribution"); every
 * change is applied as "retract the old contribution, add the new one", so arrival order never
 * matters and a batch sums its changes before anything is written.
 *
 * Two layouts, chosen for cost per event (both owned by server/counters/):
 * - province, city, county ("top"): one field per dimension in day/month/open hashes (fields.ts).
 *   Many events share these keys, so a batch writes each field once.
 * - township and village ("low"): one field per combination in one hash per township and bucket
 *   (low-level.ts); the readers sum the (small) hash into the same marginals.
 */

/** Which retention a counter hash gets: day buckets, month buckets, or none (open backlog). */
export type Retention = 'day' | 'mon' | '';

interface CounterHash {
  retention: Retention;
  /** The day number or `YYYYMM` the hash counts ('' for the open backlog and per-event counters). */
  bucket: number | string;
  fields: Map<string, number>;
}

const ALL_LENGTHS = [2, 4, 6, 9, 12];
const TOP_LEVELS = 3;

export interface ContributionBounds {
  keys: Keys;
  /** Buckets older than retention are left alone: their keys may have expired, and a retraction
   * would otherwise resurrect them with negative counts. */
  minDay: number;
  minMonth: string;
}

/**
 * Strings the hot path would otherwise build for every event (a batch contributes ~9 fields per
 * event, and building and hashing their names was most of the aggregator's garbage). Bounded:
 * regions come from the region tree, field values from the shared vocabulary.
 */
const MEMO_LIMIT = 100_000;
const lineages = new Map<string, string[]>();
const prefixed = new Map<string, Map<string, string>>();
const timeFields = new Map<string, string[]>();

/** The region's code and its ancestors' (province first). */
function lineage(region: string): string[] {
  let codes = lineages.get(region);
  if (!codes) {
    codes = ALL_LENGTHS.filter((len) => len <= region.length).map((len) => region.slice(0, len));
    if (lineages.size >= MEMO_LIMIT) lineages.clear();
    lineages.set(region, codes);
  }
  return codes;
}

/** `${prefix}${value}`, the same string object every time. */
function named(prefix: string, value: string): string {
  let byValue = prefixed.get(prefix);
  if (!byValue) prefixed.set(prefix, (byValue = new Map()));
  let name = byValue.get(value);
  if (name === undefined) {
    if (byValue.size >= MEMO_LIMIT) byValue.clear();
    byValue.set(value, (name = prefix + value));
  }
  return name;
}

/** The hour (0–23) or slot (0–287) field of a kind, the same string object every time. */
function timeField(unit: 'hour' | 'slot', n: number, k: KindField): string {
  const id = unit + k;
  let names = timeFields.get(id);
  if (!names)
    timeFields.set(
      id,
      (names = Array.from({ length: unit === 'hour' ? 24 : 288 }, (_, i) =>
        unit === 'hour' ? hourField(i, k) : slotField(i, k),
      )),
    );
  return names[n]!;
}

function bump(fields: Map<string, number>, field: string, d: number): void {
  fields.set(field, (fields.get(field) ?? 0) + d);
}

type Level = 'top' | 'low';
/** The open backlog's "bucket": day buckets are day numbers, month buckets `YYYYMM` strings. */
const OPEN = '';

/** The summed counter changes of a batch and the regions whose numbers they touch. */
export class CounterDeltas {
  readonly hashes = new Map<string, CounterHash>();
  readonly touched = new Set<string>();
  /** Per level and region code, its hashes of this batch by bucket: found without building key names. */
  private readonly top = new Map<string, Map<number | string, Map<string, number>>>();
  private readonly low = new Map<string, Map<number | string, Map<string, number>>>();

  constructor(private readonly bounds: ContributionBounds) {}

  private add(key: string, retention: Retention, bucket: number | string = OPEN): Map<string, number> {
    const fields = new Map<string, number>();
    this.hashes.set(key, { retention, bucket, fields });
    return fields;
  }

  /** The fields of a region's day (day number), month (`YYYYMM`) or open (OPEN) hash. */
  private hash(level: Level, code: string, bucket: number | string): Map<string, number> {
    const memo = this[level];
    let byBucket = memo.get(code);
    if (!byBucket) memo.set(code, (byBucket = new Map()));
    let h = byBucket.get(bucket);
    if (!h) {
      // `level` only keeps the memo of a township's own hashes apart from its combination hashes.
      const b: Bucket = typeof bucket === 'number' ? { day: bucket } : bucket !== OPEN ? { month: bucket } : 'open';
      h = this.add(
        counterKey(this.bounds.keys, code, b),
        typeof bucket === 'number' ? 'day' : bucket !== OPEN ? 'mon' : '',
        bucket,
      );
      byBucket.set(bucket, h);
    }
    return h;
  }

  /** A counter of events rather than cases (上报及时率), kept as long as a month bucket. */
  bumpMonthly(key: string, field: string, n: number): void {
    bump(this.hashes.get(key)?.fields ?? this.add(key, 'mon'), field, n);
  }

  /** Adds `sign` × the case's contribution. */
  contribute(c: CaseState, sign: 1 | -1): void {
    const { minDay, minMonth } = this.bounds;
    const codes = lineage(c.r);
    for (const code of codes) this.touched.add(code);
    const { day, month, hour, slot } = buckets(c.t0);
    const { k, od } = c;
    const out = c.out ?? '';
    const open = isOpen(c);
    const dayKept = day >= minDay;
    const monthKept = month >= minMonth;
    const cat = named(CATEGORY, c.c);
    const chan = named(CHANNEL, c.ch);
    const status = named(STATUS, c.s);
    const outcome = out && named(OUTCOME, out);
    const hourOf = timeField('hour', hour, k);
    const slotOf = timeField('slot', slot, k);
    for (let level = 0; level < TOP_LEVELS && level < codes.length; level++) {
      const code = codes[level]!;
      if (dayKept) {
        const h = this.hash('top', code, day);
        bump(h, k, sign);
        bump(h, cat, sign);
        bump(h, chan, sign);
        bump(h, status, sign);
        if (outcome) bump(h, outcome, sign);
        bump(h, hourOf, sign);
        bump(h, slotOf, sign);
      }
      if (monthKept) {
        const h = this.hash('top', code, month);
        bump(h, k, sign);
        bump(h, cat, sign);
        bump(h, chan, sign);
        bump(h, status, sign);
        if (outcome) bump(h, outcome, sign);
      }
      if (open) {
        const h = this.hash('top', code, OPEN);
        bump(h, k, sign);
        bump(h, status, sign);
        bump(h, cat, sign);
        for (const f of overdueFields(od)) bump(h, f, sign);
      }
    }
    if (codes.length > TOP_LEVELS) {
      const twp = codes[TOP_LEVELS]!;
      const base = lowMonthField(c.r, k, c.c, c.ch, c.s, out);
      if (dayKept) bump(this.hash('low', twp, day), lowDayField(base, hour, slot), sign);
      if (monthKept) bump(this.hash('low', twp, month), base, sign);
      if (open) bump(this.hash('low', twp, OPEN), lowOpenField(c.r, k, c.s, c.c, od), sign);
    }
  }
}
