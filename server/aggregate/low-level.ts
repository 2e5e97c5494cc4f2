/**
 * Township and village counts are stored as combination fields (see contribution.ts); these turn
 * them into the same marginal fields the province, city and county hashes carry, so the snapshot
 * code reads every level alike.
 */
export type Hash = Record<string, string>;
export type Marginals = Record<string, number>;

function bump(out: Marginals, field: string, n: number): void {
  out[field] = (out[field] ?? 0) + n;
}

function matches(field: string, code: string): boolean {
  // A township's own fields and all its villages' start with its code; a village's with `code|`.
  return code.length === 9 ? field.startsWith(code) : field.startsWith(`${code}|`);
}

/** One day (or month) combination field into marginals; month fields have no hour and slot. */
function addDayField(into: Marginals, field: string, n: number): void {
  const [, k, cat, chan, status, out, hour, slot] = field.split('|');
  bump(into, k!, n);
  bump(into, `c:${cat}`, n);
  bump(into, `ch:${chan}`, n);
  bump(into, `s:${status}`, n);
  if (out) bump(into, `o:${out}`, n);
  if (hour !== undefined) bump(into, `h:${hour}:${k}`, n);
  if (slot !== undefined) bump(into, `q:${slot}:${k}`, n);
}

/** One open combination field into marginals. */
function addOpenField(into: Marginals, field: string, n: number): void {
  const [, k, status, cat, od] = field.split('|');
  bump(into, k!, n);
  bump(into, `s:${status}`, n);
  bump(into, `c:${cat}`, n);
  if (od) bump(into, 'od', n);
  if (od?.includes('d')) bump(into, 'odd', n);
  if (od?.includes('r')) bump(into, 'odr', n);
}

function marginalsOf(h: Hash, code: string, add: typeof addDayField, into: Marginals = {}): Marginals {
  for (const [field, v] of Object.entries(h)) if (matches(field, code)) add(into, field, Number(v));
  return into;
}

/** Day- (or month-) hash marginals of `code` from a township's combination hash. */
export const lowDayMarginals = (h: Hash, code: string, into?: Marginals) => marginalsOf(h, code, addDayField, into);
/** Open-hash marginals of `code` from a township's combination open hash. */
export const lowOpenMarginals = (h: Hash, code: string) => marginalsOf(h, code, addOpenField);

/**
 * Only what a parent's ranking of its children needs (`i`, `d`, and for the open hash `od`), per
 * region code, in one pass that splits nothing: a county refreshes its townships four times a
 * second, and full marginals of each were most of that refresh's time.
 */
export function lowKindTotalsByRegion(h: Hash, open: boolean): Map<string, Marginals> {
  const out = new Map<string, Marginals>();
  for (const field in h) {
    const a = field.indexOf('|');
    const code = field.slice(0, a);
    const k = field.charAt(a + 1);
    let into = out.get(code);
    if (!into) out.set(code, (into = {}));
    const n = Number(h[field]);
    into[k] = (into[k] ?? 0) + n;
    // Open fields end with the overdue flags (`…|category|dr`): any flag makes the case overdue.
    if (open && !field.endsWith('|')) into.od = (into.od ?? 0) + n;
  }
  return out;
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
