/**
 * The last line of the file on which each case appears, as an upper bound: two tables of 2^24
 * slots indexed by two different hashes of the case id, each slot keeping the highest line of any
 * case that maps to it. A case's bound is the lower of its two slots: never below its true last
 * line (a collision can only raise it), and above it only when both of its slots collide. 128 MB
 * whatever the file's volume, against ~100 B a case for an exact map of a year's 3 M cases.
 */
const BITS = 24;
const MASK = (1 << BITS) - 1;

const A = [0x811c9dc5, 0x01000193] as const;
const B = [0x050c5d1f, 0x01000193 ^ 0x2f0b] as const;

function fnv(s: string, [basis, prime]: readonly [number, number]): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), prime);
  return (h ^ (h >>> 15)) & MASK;
}

/** The same hash over bytes: equal to fnv() of the decoded string when every byte is ASCII. */
function fnvBytes(b: Buffer, start: number, end: number, [basis, prime]: readonly [number, number]): number {
  let h = basis;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, prime);
  return (h ^ (h >>> 15)) & MASK;
}

/** The case id's two slots, written into `out` at `at` (a and b): what the scan workers send back per line. */
export function slotsOf(caseId: string, out: Int32Array, at: number): void {
  out[at] = fnv(caseId, A);
  out[at + 1] = fnv(caseId, B);
}

/** slotsOf for the case id as the UTF-8 bytes [start, end) of `b`. */
export function slotsOfBytes(b: Buffer, start: number, end: number, out: Int32Array, at: number): void {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return slotsOf(b.toString('utf8', start, end), out, at);
  out[at] = fnvBytes(b, start, end, A);
  out[at + 1] = fnvBytes(b, start, end, B);
}

export class LastLines {
  private readonly a = new Int32Array(1 << BITS);
  private readonly b = new Int32Array(1 << BITS);

  /** A case's slots (slotsOf) seen on `line`. */
  set(i: number, j: number, line: number): void {
    if (this.a[i]! < line) this.a[i] = line;
    if (this.b[j]! < line) this.b[j] = line;
  }

  /** A line at or after the case's last one; 0 for a case never noted. */
  bound(caseId: string): number {
    return Math.min(this.a[fnv(caseId, A)]!, this.b[fnv(caseId, B)]!);
  }
}
