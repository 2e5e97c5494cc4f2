// Cases generated over a few counties, with lifecycles, out-of-order delivery, duplicates and later
// events naming another place, and an independent model of which cases each region lists: written
// from DESIGN.md's definitions (a case is its earliest event's region, kind and time; open until
// closed / resolved / failed), not from the aggregator's code.
import { ancestry } from '../../shared/regions.ts';
import type { RegionTree } from '../../server/regions/tree.ts';
import { isoBeijing } from '../../server/time/beijing.ts';
import { DISPUTE_STATUSES, INCIDENT_STATUSES, STATUS_RANK, type Status } from '../../shared/vocab.ts';
import { prng } from './prng.ts';
import type { WireEvent } from './wire-event.ts';

export type TruthEvent = WireEvent;

export interface TruthCase {
  id: string;
  kind: 'incident' | 'dispute';
  region: string;
  open: boolean;
  t0: number;
  summary: string;
}

const DAY = 86_400_000;

/** Places below the given counties: the counties, their townships and villages. */
export function placesUnder(tree: RegionTree, counties: string[]): string[] {
  const out: string[] = [];
  for (const c of counties) {
    out.push(c);
    for (const t of tree.children(c)) {
      out.push(t.code);
      for (const v of tree.children(t.code)) out.push(v.code);
    }
  }
  return out;
}

export function generateCases(
  places: string[],
  opts: { cases: number; now: number; seed: number; maxAgeDays?: number; tag?: string },
): { events: TruthEvent[]; cases: Map<string, TruthCase> } {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const events: TruthEvent[] = [];
  const cases = new Map<string, TruthCase>();
  const maxAge = (opts.maxAgeDays ?? 20) * DAY;
  for (let n = 0; n < opts.cases; n++) {
    const caseId = `${opts.tag ?? 'ci'}-${opts.seed}-${n}`;
    const kind = rand() < 0.5 ? 'incident' : 'dispute';
    const chain: readonly Status[] =
      kind === 'incident'
        ? INCIDENT_STATUSES
        : rand() < 0.7
          ? DISPUTE_STATUSES.filter((s) => s !== 'failed')
          : DISPUTE_STATUSES.filter((s) => s !== 'resolved');
    const steps = 1 + Math.floor(rand() * chain.length);
    let t = opts.now - Math.floor(rand() * maxAge) - 60_000;
    const region = pick(places);
    const mine: TruthEvent[] = [];
    for (let s = 0; s < steps; s++) {
      mine.push({
        id: `${caseId}-${s}`,
        caseId,
        kind,
        category: kind === 'incident' ? 'public_order' : 'neighbour',
        status: chain[s]!,
        severity: 1 + (s % 4),
        // A later event sometimes names another place: the case stays where its first event was.
        region: s > 0 && rand() < 0.15 ? pick(places) : region,
        occurredAt: isoBeijing(t),
        channel: 'grid',
        summary: `${caseId} 第${s}步 联系电话13812345678`,
      });
      t = Math.min(opts.now - 1000, t + Math.floor(rand() * 3 * 3600_000) + 1);
    }
    const first = mine[0]!;
    const furthest = [...mine].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status])[0]!.status;
    cases.set(caseId, {
      id: caseId,
      kind,
      region: first.region,
      open: kind === 'incident' ? furthest !== 'closed' : ['received', 'dispatched', 'mediating'].includes(furthest),
      t0: Date.parse(first.occurredAt),
      summary: first.summary,
    });
    events.push(...mine);
  }
  // Arrival order is not event order: later steps may come first.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return { events, cases };
}

/** The cases a region lists for a filter, newest first (ties: id descending), as the index must give them. */
export function expectedList(
  cases: Iterable<TruthCase>,
  f: { region: string; kind?: 'incident' | 'dispute'; status?: 'open' | 'closed'; from?: number; to?: number },
): string[] {
  return [...cases]
    .filter(
      (c) =>
        ancestry(c.region).includes(f.region) &&
        (!f.kind || c.kind === f.kind) &&
        (!f.status || (f.status === 'open') === c.open) &&
        (f.from === undefined || c.t0 >= f.from) &&
        (f.to === undefined || c.t0 < f.to),
    )
    .sort((a, b) => b.t0 - a.t0 || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((c) => c.id);
}
