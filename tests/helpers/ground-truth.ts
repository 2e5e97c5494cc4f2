// A test-only generator of events over the whole region tree, with duplicates, invalid events and
// shuffled arrival, and an independent model of what every region must then report. The model is
// written from DESIGN.md's definitions, not from the Lua code, so the two can disagree.
import type { RegionTree } from '../../server/regions/tree.ts';
import { ancestry } from '../../shared/regions.ts';
import {
  CHANNELS,
  DISPUTE_CATEGORIES,
  DISPUTE_STATUSES,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  STATUS_RANK,
  type Status,
} from '../../shared/vocab.ts';
import { DEFAULT_SLA } from '../../server/aggregate/sla.ts';
import { buckets, isoBeijing } from '../../server/time/beijing.ts';
import { prng } from './prng.ts';
import type { WireEvent } from './wire-event.ts';

export type GenEvent = WireEvent;

export interface Expected {
  today: { i: number; d: number; c: Record<string, number>; s: Record<string, number>; ch: Record<string, number> };
  month: { i: number; d: number; resolved: number; failed: number };
  open: { i: number; d: number; s: Record<string, number> };
  overdue: { od: number; odd: number; odr: number };
}

export interface Generated {
  /** In arrival order: shuffled, with duplicates and invalid events mixed in. */
  sent: unknown[];
  valid: number;
  duplicates: number;
  invalid: number;
  expected: Map<string, Expected>;
}

const DAY = 86_400_000;

function blank(): Expected {
  return {
    today: { i: 0, d: 0, c: {}, s: {}, ch: {} },
    month: { i: 0, d: 0, resolved: 0, failed: 0 },
    open: { i: 0, d: 0, s: {} },
    overdue: { od: 0, odd: 0, odr: 0 },
  };
}
const inc = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);
const cmp = (a: GenEvent, b: GenEvent) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * `oldShare` of cases start 15–35 days ago (overdue resolutions), `recentShare` within the last
 * hour (a live feed: what a sustained ingest rate looks like), the rest over the last 3 days.
 */
export function generate(
  tree: RegionTree,
  opts: { events: number; now: number; seed: number; oldShare?: number; recentShare?: number },
): Generated {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const places = [...tree.codesAt('village'), ...tree.codesAt('township'), ...tree.codesAt('county')];
  // A case stays in its province: each province counts its own cases under its own keys (a
  // national deployment), so a follow-up naming another province would be that province's case.
  const byProvince = new Map<string, string[]>();
  for (const p of places) {
    let list = byProvince.get(p.slice(0, 2));
    if (!list) byProvince.set(p.slice(0, 2), (list = []));
    list.push(p);
  }
  const byCase = new Map<string, GenEvent[]>();
  const valid: GenEvent[] = [];
  let n = 0;
  while (valid.length < opts.events) {
    const caseId = `gt-${opts.seed}-${n++}`;
    const kind = rand() < 0.55 ? 'incident' : 'dispute';
    const chain: readonly Status[] =
      kind === 'incident'
        ? INCIDENT_STATUSES
        : rand() < 0.75
          ? DISPUTE_STATUSES.filter((s) => s !== 'failed')
          : DISPUTE_STATUSES.filter((s) => s !== 'resolved');
    const steps = 1 + Math.floor(rand() * chain.length);
    const age = rand();
    const oldShare = opts.oldShare ?? 0.1;
    const recentShare = opts.recentShare ?? 0;
    let t =
      opts.now -
      (age < oldShare ? (15 + rand() * 20) * DAY : age < oldShare + recentShare ? rand() * 3600_000 : rand() * 3 * DAY);
    const region = pick(places);
    const events: GenEvent[] = [];
    for (let s = 0; s < steps; s++) {
      events.push({
        id: `${caseId}-${s}`,
        caseId,
        kind,
        category: pick(kind === 'incident' ? INCIDENT_CATEGORIES : DISPUTE_CATEGORIES),
        status: chain[s]!,
        severity: 1 + Math.floor(rand() * 4),
        // Later events sometimes name another place: the case keeps the first one's.
        region: s > 0 && rand() < 0.1 ? pick(byProvince.get(region.slice(0, 2))!) : region,
        occurredAt: isoBeijing(Math.floor(t)),
        channel: pick(CHANNELS),
        summary: `第${n}号`,
      });
      t = Math.min(
        opts.now - 1000,
        t + rand() * (age < oldShare + recentShare && age >= oldShare ? 600_000 : 6 * 3600_000),
      );
    }
    byCase.set(caseId, events);
    valid.push(...events);
  }

  const sent: unknown[] = [...valid];
  let duplicates = 0;
  let invalid = 0;
  for (let i = 0; i < valid.length * 0.05; i++, duplicates++) sent.push({ ...pick(valid) });
  for (let i = 0; i < valid.length * 0.03; i++, invalid++) {
    const e = { ...pick(valid), id: `bad-${opts.seed}-${i}` } as Record<string, unknown>;
    const how = i % 4;
    if (how === 0) e.category = 'no_such_category';
    else if (how === 1) e.region = '620799999999';
    else if (how === 2) delete e.occurredAt;
    else e.severity = 9;
    sent.push(e);
  }
  for (let i = sent.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [sent[i], sent[j]] = [sent[j], sent[i]];
  }

  const expected = new Map<string, Expected>();
  const nowB = buckets(opts.now);
  for (const events of byCase.values()) {
    const first = [...events].sort(cmp)[0]!;
    const statusEv = [...events].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || -cmp(a, b))[0]!;
    const outcomes = events.filter((e) => e.status === 'resolved' || e.status === 'failed').sort(cmp);
    const outcome = outcomes.at(-1)?.status;
    const t0 = Date.parse(first.occurredAt);
    const b = buckets(t0);
    const k = first.kind === 'incident' ? 'i' : 'd';
    const open = first.kind === 'incident' ? statusEv.status !== 'closed' : STATUS_RANK[statusEv.status] < 3;
    const sla = DEFAULT_SLA[first.category as keyof typeof DEFAULT_SLA] ?? DEFAULT_SLA['*'];
    const odd = k === 'd' && open && statusEv.status === 'received' && opts.now > t0 + sla.dispatchMs;
    const odr = k === 'd' && open && opts.now > t0 + sla.resolveMs;
    for (const code of ancestry(first.region)) {
      let x = expected.get(code);
      if (!x) expected.set(code, (x = blank()));
      if (b.day === nowB.day) {
        x.today[k]++;
        inc(x.today.c, first.category);
        inc(x.today.s, statusEv.status);
        inc(x.today.ch, first.channel);
      }
      if (b.month === nowB.month) {
        x.month[k]++;
        if (outcome === 'resolved') x.month.resolved++;
        if (outcome === 'failed') x.month.failed++;
      }
      if (open) {
        x.open[k]++;
        inc(x.open.s, statusEv.status);
        if (odd || odr) x.overdue.od++;
        if (odd) x.overdue.odd++;
        if (odr) x.overdue.odr++;
      }
    }
  }
  return { sent, valid: valid.length, duplicates, invalid, expected };
}
