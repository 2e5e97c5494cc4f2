// Import files for tests: a crafted handful of cases placed in whole months before now (so the
// expected counts can be written by hand), and a larger synthetic history for interruption tests.
import fs from 'node:fs';
import { buckets, isoBeijing, shiftMonth } from '../../server/time/beijing.ts';
import { prng } from './prng.ts';

const DAY = 86_400_000;

/** `YYYYMM` of the month `k` months before the one `now` is in. */
export const monthsBefore = (now: number, k: number) => shiftMonth(buckets(now).month, -k);

/** 10:00 Beijing on day `day` of month `YYYYMM`, plus `hours`. */
export function at(month: string, day: number, hours = 0): string {
  const ms = Date.parse(`${month.slice(0, 4)}-${month.slice(4)}-${String(day).padStart(2, '0')}T10:00:00+08:00`);
  return isoBeijing(ms + hours * 3_600_000);
}

export interface Line {
  id: string;
  caseId: string;
  kind: 'incident' | 'dispute';
  category: string;
  status: string;
  severity: number;
  region: string;
  occurredAt: string;
  channel: string;
  summary: string;
}

export function ev(
  caseId: string,
  step: number,
  kind: Line['kind'],
  category: string,
  status: string,
  region: string,
  occurredAt: string,
  channel: string,
): Line {
  return {
    id: `${caseId}-${step}`,
    caseId,
    kind,
    category,
    status,
    severity: 1,
    region,
    occurredAt,
    channel,
    summary: '测试',
  };
}

export function writeLines(file: string, lines: (Line | string)[]): void {
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
}

/**
 * `cases` cases spread over the last 14 months (some older than the months kept, some recent, a
 * few disputes left open), their events in time order as an export would list them.
 */
export function syntheticHistory(now: number, cases: number, regions: readonly string[], seed = 1): Line[] {
  const rand = prng(seed);
  const lines: (Line & { ts: number })[] = [];
  for (let n = 0; n < cases; n++) {
    // Keep clear of the 68-day line between history and kept cases: two runs a few seconds apart
    // must sort every case the same way.
    let t0 = now - Math.floor(rand() * 430 * DAY) - DAY;
    if (Math.abs(now - t0 - 68 * DAY) < 3 * DAY) t0 -= 6 * DAY;
    const region = regions[Math.floor(rand() * regions.length)]!;
    const id = `syn-${seed}-${n}`;
    const push = (step: number, kind: Line['kind'], cat: string, status: string, ts: number, ch: string) => {
      if (ts < now) lines.push({ ...ev(id, step, kind, cat, status, region, isoBeijing(ts), ch), ts });
    };
    if (rand() < 0.6) {
      push(0, 'incident', 'public_order', 'reported', t0, 'police_110');
      push(1, 'incident', 'public_order', 'handling', t0 + 3_600_000, 'police_110');
      if (rand() < 0.97) push(2, 'incident', 'public_order', 'closed', t0 + 5 * 3_600_000, 'police_110');
    } else {
      push(0, 'dispute', 'neighbour', 'received', t0, 'grid');
      push(1, 'dispute', 'neighbour', 'dispatched', t0 + 2 * 3_600_000, 'grid');
      if (rand() < 0.95) {
        const end = rand() < 0.8 ? 'resolved' : 'failed';
        push(2, 'dispute', 'neighbour', end, t0 + 3 * DAY, 'grid');
        if (rand() < 0.7) push(3, 'dispute', 'neighbour', 'verified', t0 + 4 * DAY, 'grid');
      }
    }
  }
  lines.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  return lines.map(({ ts: _ts, ...l }) => l);
}
