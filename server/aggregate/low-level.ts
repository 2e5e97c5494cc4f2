/**
 * Township and village counts are stored as combination fields (see server/aggregate/contribution.ts); these turn them
 * into the same marginal fields the province, city and county hashes carry, so the snapshot code
 * reads every level alike.
 */
export type Hash = Record<string, string>;

function bump(out: Record<string, number>, field: string, n: number): void {
  out[field] = (out[field] ?? 0) + n;
}

function matches(field: string, code: string): boolean {
  // A township's own fields and all its villages' start with its code; a village's with `code|`.
  return code.length === 9 ? field.startsWith(code) : field.startsWith(`${code}|`);
}

/** Day- (or month-) hash marginals of `code` from a township's combination hash; month fields have no hour and slot. */
export function lowDayMarginals(h: Hash, code: string, into: Record<string, number> = {}): Record<string, number> {
  for (const [field, v] of Object.entries(h)) {
    if (!matches(field, code)) continue;
    const n = Number(v);
    const [, k, cat, chan, status, out, hour, slot] = field.split('|');
    bump(into, k!, n);
    bump(into, `c:${cat}`, n);
    bump(into, `ch:${chan}`, n);
    bump(into, `s:${status}`, n);
    if (out) bump(into, `o:${out}`, n);
    if (hour !== undefined) bump(into, `h:${hour}:${k}`, n);
    if (slot !== undefined) bump(into, `q:${slot}:${k}`, n);
  }
  return into;
}

/** Open-hash marginals of `code` from a township's combination open hash. */
export function lowOpenMarginals(h: Hash, code: string): Record<string, number> {
  const into: Record<string, number> = {};
  for (const [field, v] of Object.entries(h)) {
    if (!matches(field, code)) continue;
    const n = Number(v);
    const [, k, status, cat, od] = field.split('|');
    bump(into, k!, n);
    bump(into, `s:${status}`, n);
    bump(into, `c:${cat}`, n);
    if (od) bump(into, 'od', n);
    if (od?.includes('d')) bump(into, 'odd', n);
    if (od?.includes('r')) bump(into, 'odr', n);
  }
  return into;
}

/** Marginals as a Hash of strings, the shape HGETALL gives for the upper levels. */
export function asHash(m: Record<string, number>): Hash {
  const h: Hash = {};
  for (const [k, v] of Object.entries(m)) if (v) h[k] = String(v);
  return h;
}
