/**
 * A small seedable PRNG and the few distributions the simulator draws from. Everything random in
 * the simulator goes through a `Rand`, so a seed replays the same feed exactly (tests, and an
 * interrupted backfill that must re-send the very same events).
 */
import { createHash, randomInt } from 'node:crypto';

export type Rand = () => number;

/** mulberry32: 32-bit state, fast, and good enough for synthetic data (not for secrets). */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of stream `n` of `seed` (murmur3's 32-bit finaliser over both): each window of time and
 * each arrival in it draws from its own stream, so any one of them can be re-planned alone.
 */
export function derive(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A stable 32-bit number for a string (the first 4 bytes of its SHA-1): what must come out the same
 * on every run and every restart without drawing from a stream, e.g. a county's chronic petitioners
 * or the hours a source system is down.
 */
export function stableHash(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0);
}

/** A fresh 32-bit seed: from `rand` when given (so seeded tests stay seeded), else from the OS. */
export function newSeed(rand?: Rand): number {
  return rand ? Math.floor(rand() * 4294967296) >>> 0 : randomInt(0, 2 ** 32 - 1);
}

export function uniform(rand: Rand, lo: number, hi: number): number {
  return lo + rand() * (hi - lo);
}

/** Integer in [lo, hi], both inclusive. */
export function intBetween(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function chance(rand: Rand, p: number): boolean {
  return rand() < p;
}

export function pickOne<T>(rand: Rand, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pickOne from an empty list');
  return items[Math.min(items.length - 1, Math.floor(rand() * items.length))]!;
}

/** Picks a key of a table of relative weights (they need not sum to 1). */
export function pickWeighted<K extends string | number>(rand: Rand, table: Readonly<Partial<Record<K, number>>>): K {
  const entries = (Object.entries(table) as [string, number | undefined][]).map(([k, w]) => [k, w ?? 0] as const);
  const numeric = isNumericKey(table);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  let chosen = entries[entries.length - 1]![0];
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) {
      chosen = k;
      break;
    }
  }
  return (numeric ? Number(chosen) : chosen) as K;
}

function isNumericKey(table: object): boolean {
  // Object keys are always strings; a table keyed by numbers (severities) wants numbers back.
  return Object.keys(table).every((k) => /^\d+$/.test(k));
}

/** Exponential waiting time with the given mean. */
export function exponential(rand: Rand, mean: number): number {
  return -Math.log(1 - rand()) * mean;
}

/** Standard normal by Box–Muller. */
export function normal(rand: Rand): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Log-normal with the given median and shape: waiting times for people and offices are skewed
 * (most things happen soon, a few take very long), which a log-normal models well.
 */
export function logNormal(rand: Rand, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rand));
}

/** `n` random hex digits. */
export function hex(rand: Rand, n: number): string {
  let s = '';
  while (s.length < n)
    s += Math.floor(rand() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return s.slice(0, n);
}
