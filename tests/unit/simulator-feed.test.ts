/**
 * The feed as a whole, on the real Gansu tree and polygons: a three-day backfill from a fixed seed
 * (tens of thousands of events), checked against the ingest contract and the realism the wall
 * relies on.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEvents } from '../../server/ingest/validate.ts';
import { loadRegionTree, type CountyGeometry, type RegionTree } from '../../server/regions/tree.ts';
import { backfillSeqCount, runBackfill, type BackfillResult } from '../../server/simulator/backfill.ts';
import type { Outgoing } from '../../server/simulator/events.ts';
import { defaultRates } from '../../server/simulator/generate.ts';
import { mulberry32 } from '../../server/simulator/prng.ts';
import { PendingQueue } from '../../server/simulator/queue.ts';
import { recoverPending } from '../../server/simulator/recover.ts';
import { rhythmicArrivals } from '../../server/simulator/rhythm.ts';
import { newSpike } from '../../server/simulator/spikes.ts';
import type { BackfillParams } from '../../server/simulator/state.ts';
import { planWindow } from '../../server/simulator/window.ts';
import { createWorld, type World } from '../../server/simulator/world.ts';
import { eventSchema, type EventInput } from '../../shared/schemas/event.ts';
import { DISPUTE_STATUSES, INCIDENT_STATUSES, STATUS_RANK } from '../../shared/vocab.ts';

const DAY = 86_400_000;
const MIN = 60_000;
/** A Monday 00:00 Beijing: the backfill covers Friday to Sunday. */
const NOW = Date.parse('2026-03-16T00:00:00+08:00');
const DAYS = 3;
const silent = pino({ level: 'silent' });

let tree: RegionTree;
let polygons: Map<string, CountyGeometry>;
let world: World;
let params: BackfillParams;
/** What the backfill sent, in order. */
let sent: EventInput[];
let result: BackfillResult;
/** What it left for the live loop. */
let queued: Outgoing[];
/** Every event of every case, sent or not yet, grouped by case. */
let cases: Map<string, EventInput[]>;

async function backfill(p: BackfillParams, now: number) {
  const out: EventInput[] = [];
  const batches: number[] = [];
  const queue = new PendingQueue(1_000_000);
  const r = await runBackfill(p, {
    world,
    rates: defaultRates(),
    logger: silent,
    queue,
    now: () => now,
    stopped: () => false,
    ingest: async (raws, source) => {
      // One simulated system per channel family and city (server/simulator/sources.ts).
      expect(source).toMatch(/^simulator\.(110|12345|grid|xinfang|court|zongzhi)\.\d{4}$/);
      batches.push(raws.length);
      out.push(...(raws as EventInput[]));
      return { accepted: raws.length, duplicates: 0, rejected: [] };
    },
  });
  return { sent: out, batches, result: r, queued: queue.popDue(Infinity) };
}

const ts = (e: EventInput) => Date.parse(e.occurredAt);
const stepOf = (e: EventInput) => Number(e.id.split('-')[2]);
const countyOf = (region: string) => region.slice(0, 6);

beforeAll(async () => {
  tree = await loadRegionTree('62');
  polygons = await tree.countyPolygons();
  world = createWorld(tree, polygons);
  params = {
    seed: 2024,
    seqBase: 1,
    seqCount: backfillSeqCount(DAYS, defaultRates()),
    from: NOW - DAYS * DAY,
    to: NOW,
  };
  const b = await backfill(params, NOW);
  ({ sent, result, queued } = b);
  expect(Math.max(...b.batches)).toBeLessThanOrEqual(5000);
  cases = new Map();
  for (const e of [...sent, ...queued.map((o) => o.event)]) {
    const list = cases.get(e.caseId) ?? [];
    list.push(e);
    cases.set(e.caseId, list);
  }
  for (const list of cases.values()) list.sort((a, b) => stepOf(a) - stepOf(b));
});

describe('the ingest contract', () => {
  it('sends well over 10,000 events, every one valid for eventSchema and for ingest at that moment', () => {
    expect(sent.length).toBeGreaterThan(10_000);
    expect(result).toMatchObject({ complete: true, rejected: 0 });
    const invalid = sent.filter((e) => !eventSchema.safeParse(e).success);
    expect(invalid.slice(0, 3)).toEqual([]);
    const { rejected } = validateEvents(sent, { source: 'simulator', now: NOW, hasRegion: (c) => tree.has(c) });
    expect(rejected.slice(0, 3)).toEqual([]);
  });

  it('uses unique ids sim-<case>-<step>, one caseId per lifecycle', () => {
    const all = [...cases.values()].flat();
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    for (const e of all.slice(0, 5000)) {
      expect(e.id).toMatch(/^sim-\d+-\d$/);
      expect(e.id.startsWith(`${e.caseId}-`)).toBe(true);
    }
  });

  it('never sends an event from the future, nor one older than 40 days, and writes +08:00', () => {
    const outside = sent.filter((e) => !(ts(e) <= NOW && ts(e) > NOW - 40 * DAY));
    expect(outside.slice(0, 3)).toEqual([]);
    expect(sent.every((e) => e.occurredAt.endsWith('+08:00'))).toBe(true);
    expect(queued.every((o) => o.sendAt > NOW && o.sendAt >= o.at)).toBe(true);
  });

  it('keeps kind, category, region, channel and location fixed within a case', () => {
    const fixed = (e: EventInput) => JSON.stringify([e.kind, e.category, e.region, e.channel, e.location, e.parties]);
    const mixed = [...cases.values()].filter((list) => new Set(list.map(fixed)).size !== 1);
    expect(mixed.slice(0, 3)).toEqual([]);
  });

  it('writes Chinese summaries that name the place, within 500 characters', () => {
    const bad = sent.filter(
      (e) =>
        e.summary!.length > 500 ||
        !e.summary!.includes(tree.get(countyOf(e.region))!.name) ||
        /undefined|null|\$\{/.test(e.summary!),
    );
    expect(bad.slice(0, 3)).toEqual([]);
  });
});

describe('lifecycles', () => {
  it('run in order in time, through the statuses of their kind', () => {
    const disordered = [...cases.values()].filter((list) => {
      const order: readonly string[] = list[0]!.kind === 'incident' ? INCIDENT_STATUSES : DISPUTE_STATUSES;
      if (list[0]!.status !== order[0]) return true;
      return list.some(
        (e, i) => i > 0 && (ts(e) < ts(list[i - 1]!) || STATUS_RANK[e.status] <= STATUS_RANK[list[i - 1]!.status]),
      );
    });
    expect(disordered.slice(0, 3).map((l) => l.map((e) => `${e.id} ${e.status} ${e.occurredAt}`))).toEqual([]);
  });

  it('are complete as of now: every step that had happened was sent', () => {
    const sentIds = new Set(sent.map((e) => e.id));
    for (const list of cases.values()) {
      for (const e of list)
        if (ts(e) <= NOW - 10 * MIN && !sentIds.has(e.id)) {
          // Only a step held back for out-of-order delivery may still be pending.
          expect(queued.find((o) => o.event.id === e.id)!.sendAt).toBeGreaterThan(NOW);
        }
    }
    // Half the disputes of the last three days are still open, the rest went through.
    const disputes = [...cases.values()].filter((l) => l[0]!.kind === 'dispute');
    const closedBy = disputes.filter((l) =>
      l.some((e) => (e.status === 'resolved' || e.status === 'failed') && ts(e) <= NOW),
    );
    expect(closedBy.length / disputes.length).toBeGreaterThan(0.3);
    expect(closedBy.length / disputes.length).toBeLessThan(0.9);
  });

  it('end resolved for 75% ± 3% of mediated disputes', () => {
    let resolved = 0;
    let ended = 0;
    for (const list of cases.values()) {
      if (!list.some((e) => e.status === 'mediating')) continue;
      const outcome = list.find((e) => e.status === 'resolved' || e.status === 'failed');
      if (!outcome) continue;
      ended++;
      if (outcome.status === 'resolved') resolved++;
    }
    expect(ended).toBeGreaterThan(3000);
    expect(Math.abs(resolved / ended - 0.75)).toBeLessThanOrEqual(0.03);
  });

  it('leaves 3–5% of disputes undispatched past their SLA, so overdue counts are alive', () => {
    const disputes = [...cases.values()].filter((l) => l[0]!.kind === 'dispute');
    const late = disputes.filter((l) => {
      const sla = ['family', 'neighbour'].includes(l[0]!.category) ? 12 : 24;
      const d = l.find((e) => e.status === 'dispatched')!;
      return ts(d) - ts(l[0]!) > sla * 3_600_000;
    });
    expect(late.length / disputes.length).toBeGreaterThanOrEqual(0.03);
    expect(late.length / disputes.length).toBeLessThanOrEqual(0.05);
  });

  it('delivers a few steps after the step that follows them', () => {
    const position = new Map(sent.map((e, i) => [e.id, i]));
    let swapped = 0;
    for (const list of cases.values()) {
      const idx = list.map((e) => position.get(e.id)).filter((i): i is number => i !== undefined);
      if (idx.some((p, i) => i > 0 && p < idx[i - 1]!)) swapped++;
    }
    expect(swapped / cases.size).toBeGreaterThan(0.01);
    expect(swapped / cases.size).toBeLessThan(0.1);
  });
});

describe('where and when', () => {
  it('puts every location inside its county polygon', () => {
    let checked = 0;
    for (const list of cases.values()) {
      const e = list[0]!;
      const geometry = polygons.get(countyOf(e.region));
      if (!e.location || !geometry) continue; // 兰州新区 has no polygon
      checked++;
      expect(booleanPointInPolygon([e.location.lng, e.location.lat], geometry), `${e.id} ${e.region}`).toBe(true);
    }
    expect(checked).toBeGreaterThan(0.9 * cases.size * 0.9);
  });

  it('gives every incident a location and most disputes one', () => {
    const firsts = [...cases.values()].map((l) => l[0]!);
    const incidents = firsts.filter((e) => e.kind === 'incident');
    const disputes = firsts.filter((e) => e.kind === 'dispute');
    expect(incidents.every((e) => e.location)).toBe(true);
    const located = disputes.filter((e) => e.location).length / disputes.length;
    expect(located).toBeGreaterThan(0.8);
    expect(located).toBeLessThan(0.9);
  });

  it('has far more events in city districts than in mountain counties', () => {
    const perCounty = new Map<string, number>();
    for (const list of cases.values()) {
      const c = countyOf(list[0]!.region);
      perCounty.set(c, (perCounty.get(c) ?? 0) + 1);
    }
    const n = (c: string) => perCounty.get(c) ?? 0;
    expect(n('620102')).toBeGreaterThan(4 * n('623025')); // 城关区 vs 玛曲县
    expect(n('620702')).toBeGreaterThan(4 * n('623026')); // 甘州区 vs 碌曲县
    const mean = (pred: (name: string) => boolean) => {
      const codes = tree.codesAt('county').filter((c) => pred(tree.get(c)!.name));
      return codes.reduce((s, c) => s + n(c), 0) / codes.length;
    };
    expect(mean((name) => name.endsWith('区'))).toBeGreaterThan(2 * mean((name) => name.endsWith('县')));
    expect(perCounty.size).toBe(88);
  });

  it('places most events at village level, some at township or county level', () => {
    const firsts = [...cases.values()].map((l) => l[0]!);
    const share = (len: number) => firsts.filter((e) => e.region.length === len).length / firsts.length;
    expect(share(12)).toBeGreaterThan(0.8);
    expect(share(9)).toBeGreaterThan(0.05);
    expect(share(6)).toBeGreaterThan(0.02);
  });

  it('follows the daily rhythm: the busiest hour has over 3× the 4 a.m. incidents', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of sent)
      if (e.kind === 'incident' && e.status === 'reported') byHour[new Date(ts(e) + 8 * 3_600_000).getUTCHours()]!++;
    expect(Math.max(...byHour)).toBeGreaterThan(3 * byHour[4]!);
    expect(byHour[4]!).toBeGreaterThan(0);
  });

  it('sends about 6,000 incidents and 2,230 disputes a day over a week', () => {
    const rand = mulberry32(8);
    const rates = defaultRates();
    const week = (kind: 'incident' | 'dispute', perDay: number) =>
      rhythmicArrivals(rand, kind, NOW, NOW + 7 * DAY, perDay).length / 7;
    expect(Math.abs(week('incident', rates.incidentsPerDay) / 6000 - 1)).toBeLessThan(0.03);
    expect(Math.abs(week('dispute', rates.disputesPerDay) / (812_700 / 365) - 1)).toBeLessThan(0.04);
  });
});

describe('shares and rare events', () => {
  const firsts = () => [...cases.values()].map((l) => l[0]!);

  it('takes incidents mostly through 110 and disputes through grid, walk-in and hotline', () => {
    const inc = firsts().filter((e) => e.kind === 'incident');
    const dis = firsts().filter((e) => e.kind === 'dispute');
    expect(inc.filter((e) => e.channel === 'police_110').length / inc.length).toBeGreaterThan(0.75);
    const local = dis.filter((e) => ['grid', 'walk_in', 'hotline_12345'].includes(e.channel)).length;
    expect(local / dis.length).toBeGreaterThan(0.65);
  });

  it('keeps severities mostly at 1–2', () => {
    const all = firsts();
    expect(all.filter((e) => e.severity <= 2).length / all.length).toBeGreaterThan(0.95);
  });

  it('marks a handful of family/neighbour/debt disputes a day with violence, weapons or threats to kill', () => {
    const violent = firsts().filter(
      (e) =>
        e.kind === 'dispute' && e.riskMarkers?.some((m) => ['violence_threat', 'weapon', 'kill_threat'].includes(m)),
    );
    expect(violent.length / DAYS).toBeGreaterThan(2);
    expect(violent.length / DAYS).toBeLessThan(12);
    for (const e of violent) expect(['family', 'neighbour', 'debt']).toContain(e.category);
    const red = violent.filter((e) => e.riskMarkers!.some((m) => m === 'weapon' || m === 'kill_threat'));
    expect(red.every((e) => e.severity >= 3)).toBe(true);
  });

  it('has parties that come back in 3 or more disputes within 30 days', () => {
    const seen = new Map<string, number[]>();
    for (const e of firsts()) {
      if (e.kind !== 'dispute') continue;
      for (const p of e.parties ?? []) seen.set(p, [...(seen.get(p) ?? []), ts(e)]);
    }
    const repeat = [...seen.values()].filter((t) => t.length >= 3 && Math.max(...t) - Math.min(...t) <= 30 * DAY);
    expect(repeat.length).toBeGreaterThan(10);
    expect([...seen.keys()].every((p) => /^p_[0-9a-f]{8,}$/.test(p))).toBe(true);
  });

  it('has a few homicides a month province-wide', () => {
    const rand = mulberry32(9);
    const perYear = rhythmicArrivals(rand, 'incident', NOW, NOW + 365 * DAY, defaultRates().homicidesPerDay).length;
    expect(perYear / 12).toBeGreaterThan(2);
    expect(perYear / 12).toBeLessThan(9);
    const homicides = firsts().filter((e) => e.category === 'homicide');
    expect(homicides.length).toBeLessThan(5);
    expect(homicides.every((e) => e.severity >= 3)).toBe(true);
  });

  it('has spikes: bursts of public-order or criminal incidents in one county within half an hour', () => {
    const rand = mulberry32(10);
    for (let i = 0; i < 20; i++) {
      const spike = newSpike(world, rand, NOW);
      expect(spike.length).toBeGreaterThanOrEqual(12);
      expect(new Set(spike.map((p) => p.attrs.place.county)).size).toBe(1);
      expect(new Set(spike.map((p) => p.attrs.place.region.slice(0, 9))).size).toBe(1);
      expect(new Set(spike.map((p) => p.attrs.category)).size).toBe(1);
      expect(['public_order', 'criminal']).toContain(spike[0]!.attrs.category);
      expect(Math.max(...spike.map((p) => p.steps[0]!.at)) - NOW).toBeLessThanOrEqual(30 * MIN);
    }
    // In the backfill: some county had ≥ 10 incidents within 30 minutes, a few times a day.
    const bursts = new Set<string>();
    const byCounty = new Map<string, number[]>();
    for (const e of firsts()) {
      if (e.kind !== 'incident') continue;
      byCounty.set(countyOf(e.region), [...(byCounty.get(countyOf(e.region)) ?? []), ts(e)]);
    }
    for (const [county, times] of byCounty) {
      times.sort((a, b) => a - b);
      for (let i = 0, j = 0; j < times.length; j++) {
        while (times[j]! - times[i]! > 30 * MIN) i++;
        if (j - i + 1 >= 10) bursts.add(`${county}@${Math.floor(times[i]! / 3_600_000)}`);
      }
    }
    expect(bursts.size).toBeGreaterThanOrEqual(DAYS);
  });
});

describe('restarts', () => {
  it('re-plans from the ledger exactly the steps the backfill left queued, from a fraction of its arrivals', async () => {
    const windows = new Map(result.ledger.map((e) => [e.window.seq, e.window]));
    const pending = result.ledger.flatMap((e) => e.arrivals.map((a) => ({ ...a, window: e.window.seq })));
    const queue = new PendingQueue(1_000_000);
    const r = await recoverPending({
      world,
      ledger: { load: async () => ({ sentThrough: NOW, windows, pending }) },
      queue,
      now: () => NOW,
      logger: silent,
      stopped: () => false,
    });
    const key = (o: Outgoing) => `${o.sendAt} ${JSON.stringify(o.event)}`;
    const back = queue.popDue(Infinity).map(key).sort();
    expect(r).toMatchObject({ skipped: 0, steps: queued.length });
    expect(back).toEqual(queued.map(key).sort());
    // Most arrivals of three days are over; only those with steps to come are re-planned.
    const arrivals = result.ledger.reduce((n, e) => n + e.window.arrivals, 0);
    expect(pending.length / arrivals).toBeLessThan(0.6);
  });

  it('refuses an arrival that no longer re-plans as recorded', async () => {
    const e = result.ledger.find((x) => x.arrivals.length > 1)!;
    const [first, second] = e.arrivals;
    const pending = [
      { ...first!, window: e.window.seq, last: first!.last + 1 },
      { ...second!, window: e.window.seq },
    ];
    const queue = new PendingQueue(1_000);
    const r = await recoverPending({
      world,
      ledger: { load: async () => ({ sentThrough: NOW, windows: new Map([[e.window.seq, e.window]]), pending }) },
      queue,
      now: () => NOW,
      logger: silent,
      stopped: () => false,
    });
    expect(r).toMatchObject({ skipped: 1, arrivals: 1 });
    expect(queue.size).toBe(r.steps);
  });
});

describe('determinism', () => {
  it('replays an interrupted backfill with the same ids and content, whenever it is replayed', async () => {
    const short = { ...params, from: NOW - 6 * 3_600_000 };
    const a = await backfill(short, NOW);
    const b = await backfill(short, NOW + 2 * 3_600_000);
    const later = new Map([...b.sent, ...b.queued.map((o) => o.event)].map((e) => [e.id, JSON.stringify(e)]));
    for (const e of a.sent) expect(later.get(e.id)).toBe(JSON.stringify(e));
    expect(b.sent.length).toBeGreaterThan(a.sent.length);
  });

  it('plans the same cases from the same seed', () => {
    const spec = { seed: 5, from: NOW, to: NOW + 3_600_000, rates: defaultRates() };
    const one = planWindow(world, spec);
    expect(one.planned.length).toBeGreaterThan(200);
    expect(JSON.stringify(planWindow(world, spec))).toBe(JSON.stringify(one));
  });

  it('re-plans any one arrival of a window alone, identically', () => {
    const spec = { seed: 6, from: NOW, to: NOW + 3_600_000, rates: defaultRates() };
    const all = planWindow(world, spec);
    const some = [3, 100, all.planned.length - 1];
    const alone = planWindow(world, spec, new Set(some));
    expect(alone.arrivals).toBe(all.arrivals);
    expect(alone.planned.map((p) => p.g)).toEqual(some);
    for (const p of alone.planned) expect(JSON.stringify(p)).toBe(JSON.stringify(all.planned[p.g]));
  });
});
