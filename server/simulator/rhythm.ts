/**
 * When things happen: a daily curve per kind (Beijing time) times a weekly factor, each with mean 1
 * so `perDay` stays the true daily average. Arrivals are a non-homogeneous Poisson process drawn
 * by thinning, which is exact for any interval length (a one-second tick or a whole day).
 */
import { OFFSET_MS } from '../time/beijing.ts';
import { exponential, type Rand } from './prng.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export type RhythmKind = 'incident' | 'dispute';

/**
 * Relative rate at the middle of each Beijing hour 0–23. Incidents (110): trough at 3–6 a.m.,
 * a late-morning peak and a higher evening one (drinking, traffic, quarrels). Disputes: office
 * hours of grid workers and mediation rooms, late-morning peak, a smaller evening bump (family).
 */
const HOURLY_RAW: Record<RhythmKind, readonly number[]> = {
  incident: [
    0.75, 0.55, 0.4, 0.3, 0.27, 0.3, 0.45, 0.75, 1.05, 1.3, 1.45, 1.45, 1.2, 1.1, 1.2, 1.25, 1.3, 1.35, 1.4, 1.5, 1.55,
    1.45, 1.2, 0.95,
  ],
  dispute: [
    0.2, 0.12, 0.1, 0.08, 0.08, 0.1, 0.25, 0.6, 1.4, 2.0, 2.2, 2.0, 1.2, 1.0, 1.7, 1.9, 1.8, 1.4, 1.0, 1.1, 1.0, 0.6,
    0.4, 0.3,
  ],
};

/** Monday first. Incidents rise at the weekend; disputes are brought in on working days. */
const WEEKLY_RAW: Record<RhythmKind, readonly number[]> = {
  incident: [0.97, 0.96, 0.96, 0.98, 1.05, 1.07, 1.01],
  dispute: [1.12, 1.1, 1.08, 1.08, 1.05, 0.82, 0.75],
};

function normalised(values: readonly number[]): number[] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.map((v) => v / mean);
}

const HOURLY: Record<RhythmKind, number[]> = {
  incident: normalised(HOURLY_RAW.incident),
  dispute: normalised(HOURLY_RAW.dispute),
};
const WEEKLY: Record<RhythmKind, number[]> = {
  incident: normalised(WEEKLY_RAW.incident),
  dispute: normalised(WEEKLY_RAW.dispute),
};

/** Daily factor at a Beijing time, linear between hour midpoints so the rate has no steps. */
export function dailyFactor(kind: RhythmKind, ms: number): number {
  const local = (((ms + OFFSET_MS) % DAY) + DAY) % DAY;
  const h = local / HOUR - 0.5;
  const i = Math.floor(h);
  const f = h - i;
  const curve = HOURLY[kind];
  const a = curve[(i + 24) % 24]!;
  const b = curve[(i + 25) % 24]!;
  return a + (b - a) * f;
}

/** Monday = 0 … Sunday = 6, Beijing time (1970-01-01 was a Thursday). */
export function weekday(ms: number): number {
  return (((Math.floor((ms + OFFSET_MS) / DAY) + 3) % 7) + 7) % 7;
}

export function weeklyFactor(kind: RhythmKind, ms: number): number {
  return WEEKLY[kind][weekday(ms)]!;
}

/** Rate multiplier at `ms`; its average over a week is 1. */
export function rhythm(kind: RhythmKind, ms: number): number {
  return dailyFactor(kind, ms) * weeklyFactor(kind, ms);
}

/** Upper bound of `rhythm`, for thinning. */
export function maxRhythm(kind: RhythmKind): number {
  return Math.max(...HOURLY[kind]) * Math.max(...WEEKLY[kind]);
}

/**
 * Arrival times in [from, to) of a process averaging `perDay` a day, shaped by `shape`
 * (a multiplier with a known maximum). Thinning: propose at the maximum rate, keep each proposal
 * with probability shape(t)/max.
 */
export function arrivals(
  rand: Rand,
  from: number,
  to: number,
  perDay: number,
  shape: (ms: number) => number,
  shapeMax: number,
): number[] {
  const out: number[] = [];
  if (perDay <= 0 || to <= from) return out;
  const meanGap = DAY / (perDay * shapeMax);
  for (let t = from + exponential(rand, meanGap); t < to; t += exponential(rand, meanGap)) {
    if (rand() * shapeMax < shape(t)) out.push(t);
  }
  return out;
}

/** Arrivals of one kind with its daily and weekly rhythm. */
export function rhythmicArrivals(rand: Rand, kind: RhythmKind, from: number, to: number, perDay: number): number[] {
  return arrivals(rand, from, to, perDay, (t) => rhythm(kind, t), maxRhythm(kind));
}

export { DAY, HOUR, WEEK };
