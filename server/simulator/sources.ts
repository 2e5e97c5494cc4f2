/**
 * Which simulated system sends a case (来源系统), and when that system's link is down. Both are
 * pure functions of the case and of time, so a re-planned arrival comes out with the same sources
 * and the same delivery times (recover.ts compares them).
 */
import type { Channel } from '../../shared/vocab.ts';
import { stableHash } from './prng.ts';
import { SOURCE_OUTAGES, SOURCE_SYSTEMS } from './rates.ts';

const HOUR = 3_600_000;
export const SOURCE_PREFIX = 'simulator';

/** `simulator.110.6207`: the system of a channel in the case's city. */
export function sourceOf(attrs: { channel: Channel; place: { county: string } }): string {
  return `${SOURCE_PREFIX}.${SOURCE_SYSTEMS[attrs.channel]}.${attrs.place.county.slice(0, 4)}`;
}

/** A string's stable hash as a share in [0, 1). */
const share = (s: string) => stableHash(s) / 4294967296;

/** The outage of `source` starting at hour `h` (epoch hours), as [start, end) ms, if there is one. */
export function outageAt(source: string, h: number): [number, number] | undefined {
  if (share(`${source}:${h}`) >= SOURCE_OUTAGES.perSourceHour) return undefined;
  const [min, max] = SOURCE_OUTAGES.hours;
  const hours = min + Math.floor(share(`${source}:${h}:len`) * (max - min + 1));
  return [h * HOUR, (h + hours) * HOUR];
}

/** When a message due at `t` gets through: `t`, or the end of the outage `t` falls in. */
export function deliveredAt(source: string, t: number): number {
  const h = Math.floor(t / HOUR);
  let end = t;
  for (let start = h - SOURCE_OUTAGES.hours[1] + 1; start <= h; start++) {
    const o = outageAt(source, start);
    if (o && t >= o[0] && t < o[1]) end = Math.max(end, o[1]);
  }
  return end;
}
