import type { HashSums } from '../redis/by-slot.ts';
import {
  categoryField,
  channelField,
  hourField,
  OVERDUE,
  overdueFields,
  outcomeField,
  slotField,
  statusField,
} from './fields.ts';
import { letter, nameOf } from '../redis/letters.ts';
import { deflated, inflated } from '../redis/deflated.ts';

/**
 * Townships and villages ("low" levels) store their counts as combination fields, one hash per
 * township and bucket holding the township's own cases and all its villages': writing one field per
 * case instead of one per dimension is what keeps 17,718 villages cheap to count. Day fields are
 * `place|k|category|channel|status|outcome|hour|slot`, month fields the same without hour and slot,
 * open fields `place|k|status|category|overdue`. The readers below turn them into the marginal
 * fields the province, city and county hashes carry (fields.ts), so every level reads alike.
 */
export type Hash = Record<string, string>;
export type Marginals = Record<string, number>;

/**
 * A field names its region by what the hash's key does not already say: nothing for the township's
 * own cases, a village's last three digits (`203|…`). Fields written before 2026-12-06 carry the
 * whole code (`620503102|…`, `620503102203|…`; ≈ 9 bytes more a field, ≈ 19 MB of a year of
 * Gansu's township hashes): a token of 9 or more digits is read as the code itself.
 */
const TOWNSHIP = 9;
const placeToken = (region: string) => region.slice(TOWNSHIP);
/** The region a field's token names in the township hash of `township`. */
const regionOfToken = (token: string, township: string) => (token.length >= TOWNSHIP ? token : township + token);
/** The region token of a combination field (before its first bar). */
const tokenOf = (field: string) => field.slice(0, field.indexOf('|'));

/**
 * A closed month of a township is kept packed (server/counters/month-pack.ts): its fields as one
 * deflated value in this field, ≈ 5× smaller than the listpack of ≈ 100 fields it replaces. Writes
 * that come after (a late event, a case closed, an import) still add to plain fields beside it, so
 * a hash read is the packed counts plus its plain fields: `unpackedLow`, which every reader below
 * applies first. The name cannot be a combination field's: those all hold a bar.
 */
export const PACKED_FIELD = '~z';

/** The counts of a packed value (base64 of a deflated `field=count` line each). */
function unpackValue(packed: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of inflated(Buffer.from(packed, 'base64')).split('\n')) {
    const eq = line.lastIndexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = Number(line.slice(eq + 1));
  }
  return out;
}

/** A township hash with its packed counts (if any) added to its plain fields; zero counts dropped. */
export function unpackedLow(h: Hash): Hash {
  const packed = h[PACKED_FIELD];
  if (packed === undefined) return h;
  const sums = unpackValue(packed);
  for (const [f, v] of Object.entries(h)) if (f !== PACKED_FIELD) sums[f] = (sums[f] ?? 0) + Number(v);
  return asHash(sums);
}

/** The packed value of a township hash's counts (as unpackedLow reads them); '' when they are all zero. */
export function packedLow(h: Hash): string {
  const lines = Object.entries(unpackedLow(h))
    .map(([f, v]) => `${f}=${v}`)
    .sort();
  // Text, not bytes: every reader of these hashes takes strings (HGETALL).
  return lines.length ? deflated(lines.join('\n')).toString('base64') : '';
}

/** A day field; a month field is the same without `hour` and `slot`. */
export const lowDayField = (monthField: string, hour: number, slot: number) => `${monthField}|${hour}|${slot}`;
export const lowMonthField = (region: string, k: string, cat: string, chan: string, status: string, out: string) =>
  `${placeToken(region)}|${k}|${letter('category', cat)}|${letter('channel', chan)}|${letter('status', status)}|${out && letter('outcome', out)}`;
export const lowOpenField = (region: string, k: string, status: string, cat: string, overdue: string) =>
  `${placeToken(region)}|${k}|${letter('status', status)}|${letter('category', cat)}|${overdue}`;

/**
 * What a village's fields start with, in either form: a reader of one village's fields of its
 * township's hash (read-hashes.lua's prefix read) asks for both. Like lowKindSums, for hashes
 * that are never packed.
 */
export const villagePrefixes = (village: string) => [`${placeToken(village)}|`, `${village}|`];

function bump(out: Marginals, field: string, n: number): void {
  out[field] = (out[field] ?? 0) + n;
}

function matches(field: string, code: string): boolean {
  // Every field of a township's hash is the township's (its own cases or its villages').
  if (code.length === TOWNSHIP) return true;
  const token = tokenOf(field);
  return token === code || token === placeToken(code);
}

/** One day (or month) combination field into marginals; month fields have no hour and slot. */
function addDayField(into: Marginals, field: string, n: number): void {
  const [, k, cat, chan, status, out, hour, slot] = field.split('|');
  bump(into, k!, n);
  bump(into, categoryField(nameOf('category', cat!)), n);
  bump(into, channelField(nameOf('channel', chan!)), n);
  bump(into, statusField(nameOf('status', status!)), n);
  if (out) bump(into, outcomeField(nameOf('outcome', out)), n);
  if (hour !== undefined) bump(into, hourField(hour, k!), n);
  if (slot !== undefined) bump(into, slotField(slot, k!), n);
}

/** One open combination field into marginals. */
function addOpenField(into: Marginals, field: string, n: number): void {
  const [, k, status, cat, od] = field.split('|');
  bump(into, k!, n);
  bump(into, statusField(nameOf('status', status!)), n);
  bump(into, categoryField(nameOf('category', cat!)), n);
  for (const f of overdueFields(od ?? '')) bump(into, f, n);
}

function marginalsOf(h: Hash, code: string, add: typeof addDayField, into: Marginals = {}): Marginals {
  for (const [field, v] of Object.entries(unpackedLow(h))) if (matches(field, code)) add(into, field, Number(v));
  return into;
}

/** Day- (or month-) hash marginals of `code` from a township's combination hash. */
export const lowDayMarginals = (h: Hash, code: string, into?: Marginals) => marginalsOf(h, code, addDayField, into);
/** Open-hash marginals of `code` from a township's combination open hash. */
export const lowOpenMarginals = (h: Hash, code: string) => marginalsOf(h, code, addOpenField);

/**
 * Marginals of a township and of each of its villages from its combination hash, in one pass over
 * the fields (a peer group below the county reads all of them at once). A region without a
 * non-zero field has no row.
 */
export function lowMarginalsByRegion(
  h: Hash,
  layout: 'day' | 'month' | 'open',
  township: string,
): Map<string, Marginals> {
  const out = new Map<string, Marginals>();
  const target = (code: string) => {
    let m = out.get(code);
    if (!m) out.set(code, (m = {}));
    return m;
  };
  const add = layout === 'open' ? addOpenField : addDayField;
  for (const [field, raw] of Object.entries(unpackedLow(h))) {
    const n = Number(raw);
    if (!n) continue;
    const code = regionOfToken(tokenOf(field), township);
    // Every field counts for the township; a village's also for that village.
    add(target(township), field, n);
    if (code.length > TOWNSHIP) add(target(code), field, n);
  }
  return out;
}

/**
 * Only what a parent's ranking of its children needs (`i`, `d`, and for the open hash `od`), per
 * region code, in one pass that splits nothing: a county refreshes its townships four times a
 * second, and full marginals of each were most of that refresh's time.
 */
export function lowKindTotalsByRegion(stored: Hash, open: boolean, township: string): Map<string, Marginals> {
  const out = new Map<string, Marginals>();
  const h = unpackedLow(stored);
  for (const field in h) {
    const a = field.indexOf('|');
    const code = regionOfToken(field.slice(0, a), township);
    const k = field.charAt(a + 1);
    let into = out.get(code);
    if (!into) out.set(code, (into = {}));
    const n = Number(h[field]);
    into[k] = (into[k] ?? 0) + n;
    // Open fields end with the overdue flags (`…|category|dr`): any flag makes the case overdue.
    if (open && !field.endsWith('|')) into[OVERDUE] = (into[OVERDUE] ?? 0) + n;
  }
  return out;
}

/**
 * A township's combination hash read as the kind totals a parent ranks it by (`i`, `d`, and in the
 * open hash `od`), summed inside Redis (read-hashes.lua): the figures lowKindTotalsByRegion gives
 * summed over the township, without a reply of every field of the hash. Inside Redis a packed
 * value is not read (Lua cannot inflate it): this is for the buckets a snapshot reads, the current
 * month and the last days, which are never packed (month-pack.ts).
 */
export function lowKindSums(open: boolean): HashSums {
  return {
    // `code|k|…`: the kind is the character after the first bar.
    sumBy: '^[^|]*|(.)',
    // Open fields end with the overdue flags (`…|category|dr`): any flag makes the case overdue.
    ...(open ? { also: { pattern: '[^|]$', as: OVERDUE } } : {}),
    // The township's own name does not matter to a sum over all of it.
    fromWhole: (h) => asHash(sumMarginals(lowKindTotalsByRegion(h, open, '').values())),
  };
}

/** The sum of several marginals (a township: its own cases and all its villages'). */
export function sumMarginals(parts: Iterable<Marginals>): Marginals {
  const out: Marginals = {};
  for (const m of parts) for (const [f, n] of Object.entries(m)) bump(out, f, n);
  return out;
}

/** Marginals as a Hash of strings, the shape HGETALL gives for the upper levels. */
export function asHash(m: Marginals): Hash {
  const h: Hash = {};
  for (const [k, v] of Object.entries(m)) if (v) h[k] = String(v);
  return h;
}
