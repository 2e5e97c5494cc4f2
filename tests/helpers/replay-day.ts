// A crafted day for the replay tests: events tick by tick over a fake clock, and an independent
// model of what a region's snapshot must say at any moment, written from DESIGN.md's definitions
// ("Aggregates"), not from the aggregator's code.
import type { RegionTree } from '../../server/regions/tree.ts';
import { isWithin } from '../../shared/regions.ts';
import { STATUS_RANK, type Status } from '../../shared/vocab.ts';
import { buckets, dayNumber, isoBeijing } from '../../server/time/beijing.ts';
import { prng } from './prng.ts';
import type { WireEvent } from './wire-event.ts';

export type DayEvent = WireEvent;

/** The events sent at one moment of the fake clock (the aggregator applies them at that moment). */
export interface Tick {
  at: number;
  events: DayEvent[];
}

const INCIDENT_CATS = ['public_order', 'traffic', 'criminal', 'fraud', 'fire'];
// Dispatch SLA 24 h: none of these is overdue within the crafted day, so the SLA sweep (run by a
// real-time timer) never races the moments the tests check.
const DISPUTE_CATS = ['land', 'labour', 'debt', 'property', 'other'];
const CHANNELS = ['grid', 'hotline_12345', 'police_110', 'walk_in', 'app'];
const INCIDENT_CHAIN: Status[] = ['reported', 'handling', 'closed'];
const DISPUTE_CHAIN: Status[] = ['received', 'dispatched', 'mediating'];

/**
 * Ticks every `stepMs` from `from` to `to` (inclusive): each brings a few new cases in `places` and
 * moves some open ones a step on. `redAt` lists tick times that also bring a dispute marked with a
 * weapon (a red 命案风险 alert).
 */
export function craftTicks(opts: {
  places: string[];
  from: number;
  to: number;
  stepMs: number;
  seed: number;
  perTick?: [number, number];
  redAt?: number[];
}): Tick[] {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const [lo, hi] = opts.perTick ?? [2, 6];
  const open: {
    caseId: string;
    kind: 'incident' | 'dispute';
    step: number;
    base: Omit<DayEvent, 'id' | 'status' | 'occurredAt'>;
  }[] = [];
  const ticks: Tick[] = [];
  let n = 0;
  for (let at = opts.from; at <= opts.to; at += opts.stepMs) {
    const events: DayEvent[] = [];
    // Occurred a little before it was sent, never in the future.
    const when = () => isoBeijing(at - Math.floor(rand() * 4) * 60_000);
    const count = lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < count; i++) {
      const kind = rand() < 0.6 ? 'incident' : 'dispute';
      const caseId = `rp-${opts.seed}-${n++}`;
      const base = {
        caseId,
        kind,
        category: pick(kind === 'incident' ? INCIDENT_CATS : DISPUTE_CATS),
        severity: 1 + Math.floor(rand() * 2),
        region: pick(opts.places),
        channel: pick(CHANNELS),
        summary: `回放测试${kind === 'incident' ? '警情' : '纠纷'} ${caseId}`,
      } as const;
      events.push({
        ...base,
        id: `${caseId}-0`,
        status: kind === 'incident' ? 'reported' : 'received',
        occurredAt: when(),
      });
      open.push({ caseId, kind, step: 0, base });
    }
    if (opts.redAt?.includes(at)) {
      const caseId = `rp-${opts.seed}-${n++}`;
      events.push({
        id: `${caseId}-0`,
        caseId,
        kind: 'dispute',
        category: 'debt',
        status: 'received',
        severity: 3,
        region: pick(opts.places),
        occurredAt: isoBeijing(at),
        channel: 'grid',
        summary: `回放测试 持刀威胁 ${caseId}`,
        riskMarkers: ['weapon'],
      });
    }
    // Move about a quarter of the older open cases one step on (some end: closed, resolved, failed).
    for (const c of open.slice(0, -count)) {
      if (c.step < 0 || rand() > 0.25) continue;
      const chain = c.kind === 'incident' ? INCIDENT_CHAIN : DISPUTE_CHAIN;
      c.step++;
      let status: Status;
      if (c.step < chain.length) status = chain[c.step]!;
      else {
        status = rand() < 0.75 ? 'resolved' : 'failed';
        c.step = -1;
      }
      if (status === 'closed') c.step = -1;
      events.push({ ...c.base, id: `${c.caseId}-${status}`, status, occurredAt: when() });
    }
    ticks.push({ at, events });
  }
  return ticks;
}

interface CaseView {
  kind: 'i' | 'd';
  region: string;
  category: string;
  channel: string;
  t0: number;
  status: Status;
  out?: 'resolved' | 'failed';
}

/** Each case as it stood at `at`: only events sent at or before it count. */
function casesAt(ticks: Tick[], at: number): Map<string, CaseView> {
  const byCase = new Map<string, DayEvent[]>();
  for (const t of ticks) {
    if (t.at > at) break;
    for (const e of t.events) {
      let l = byCase.get(e.caseId);
      if (!l) byCase.set(e.caseId, (l = []));
      l.push(e);
    }
  }
  const out = new Map<string, CaseView>();
  const ts = (e: DayEvent) => Date.parse(e.occurredAt);
  for (const [id, evs] of byCase) {
    const first = [...evs].sort((a, b) => ts(a) - ts(b) || (a.id < b.id ? -1 : 1))[0]!;
    const furthest = [...evs].sort(
      (a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || ts(b) - ts(a) || (a.id < b.id ? 1 : -1),
    )[0]!;
    const outcome = evs
      .filter((e) => e.status === 'resolved' || e.status === 'failed')
      .sort((a, b) => ts(b) - ts(a) || (a.id < b.id ? 1 : -1))[0];
    out.set(id, {
      kind: first.kind === 'incident' ? 'i' : 'd',
      region: first.region,
      category: first.category,
      channel: first.channel,
      t0: ts(first),
      status: furthest.status,
      ...(outcome ? { out: outcome.status as 'resolved' | 'failed' } : {}),
    });
  }
  return out;
}

const isOpen = (c: CaseView) => (c.kind === 'i' ? c.status !== 'closed' : STATUS_RANK[c.status] < 3);
const inc = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);
const kinds = (cs: CaseView[]) => ({
  incident: cs.filter((c) => c.kind === 'i').length,
  dispute: cs.filter((c) => c.kind === 'd').length,
});

/** The numbers a snapshot of `region` (with `children`; `00`: the whole country) must show at `at`. */
export function truthAt(ticks: Tick[], at: number, region: string, children: string[]) {
  const all = [...casesAt(ticks, at).values()].filter((c) => isWithin(c.region, region));
  const day = dayNumber(at);
  const { month } = buckets(at);
  const today = all.filter((c) => dayNumber(c.t0) === day);
  const monthCases = all.filter((c) => buckets(c.t0).month === month);
  const open = all.filter(isOpen);
  const byCategory: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  for (const c of today) {
    inc(byCategory, c.category);
    inc(byStatus, c.status);
    inc(byChannel, c.channel);
  }
  const openByStatus: Record<string, number> = {};
  for (const c of open) inc(openByStatus, c.status);
  const resolved = monthCases.filter((c) => c.kind === 'd' && c.out === 'resolved').length;
  const failed = monthCases.filter((c) => c.kind === 'd' && c.out === 'failed').length;
  const slot = (t: number) => Math.floor((t + 8 * 3_600_000) / 300_000);
  const window = (slots: number) =>
    kinds(all.filter((c) => slot(at) - slot(c.t0) >= 0 && slot(at) - slot(c.t0) < slots));
  const hourStart = Math.floor(at / 3_600_000) * 3_600_000;
  const hourly = Array.from({ length: 48 }, (_, i) => {
    const h = hourStart - (47 - i) * 3_600_000;
    return { hour: isoBeijing(h), ...kinds(all.filter((c) => c.t0 >= h && c.t0 < h + 3_600_000)) };
  });
  return {
    today: { ...kinds(today), byCategory, byStatus, byChannel },
    yesterday: kinds(all.filter((c) => dayNumber(c.t0) === day - 1)),
    month: kinds(monthCases),
    open: { ...kinds(open), byStatus: openByStatus },
    last15m: window(3),
    last1h: window(12),
    last24h: window(288),
    rateCounts: {
      disputeResolution: { num: resolved, den: kinds(monthCases).dispute },
      mediationSuccess: { num: resolved, den: resolved + failed },
    },
    hourly,
    children: children.map((code) => {
      const mine = all.filter((c) => isWithin(c.region, code));
      return { code, today: kinds(mine.filter((c) => dayNumber(c.t0) === day)), open: kinds(mine.filter(isOpen)) };
    }),
  };
}

/** Villages and townships of two cities (张掖 6207, 兰州 6201): cities, counties and townships all get cases. */
export function replayPlaces(tree: RegionTree): string[] {
  return [...tree.codesAt('village'), ...tree.codesAt('township')].filter(
    (c, i) => (c.startsWith('6207') || c.startsWith('6201')) && i % 7 === 0,
  );
}
