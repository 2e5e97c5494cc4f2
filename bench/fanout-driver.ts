// The POST driver of the fanout benchmark: the same events, at the same rate, in the same POSTs, to
// whichever server is under test. It keeps the ledger the clients date their messages against.
import { ancestry } from '../shared/regions.ts';
import { alertDispute, incident, type BenchEvent } from './fanout-events.ts';

export const RATE = Number(process.env.BENCH_RATE ?? 2000);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/**
 * Seconds of the same load before the measured SECONDS, for ours and the bare server alike: what
 * is measured is a server in its steady state. The first seconds of a cold server are a herd
 * (every room read at once, by code the JIT has not compiled yet) and are reported on their own.
 */
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const TICK_MS = 50;
/**
 * A high-risk dispute every this many ticks (10: two a second). Every client on the alert's path
 * hears the same alert at nearly the same moment, so the alert p99 is about the worst one or two
 * alerts of the run, whatever the number of clients; `BENCH_ALERT_EVERY=2` gives five times as many.
 */
const ALERT_EVERY = Math.max(1, Number(process.env.BENCH_ALERT_EVERY ?? 10));

/** What was sent when: the reference every latency is measured from. */
export interface Ledger {
  /** Regions some client watches. */
  watched: Set<string>;
  /** Per watched region, its cumulative incident count after each POST that changed it, and when. */
  cumulative: Map<string, { at: number; total: number }[]>;
  /** POST time of each alert case. */
  alertSent: Map<string, number>;
  /** POST time of each event id. */
  postedAt: Map<string, number>;
  /** POST time of the first measured tick: what is dated before it belongs to the warm-up. */
  measureFrom: number;
}

export function createLedger(regions: string[]): Ledger {
  return {
    watched: new Set(regions),
    cumulative: new Map(),
    alertSent: new Map(),
    postedAt: new Map(),
    measureFrom: Infinity,
  };
}

/** When the newest event counted in `total` was posted for `region`: what a delta is dated from. */
export function postedFor(ledger: Ledger, region: string, total: number): number | undefined {
  return ledger.cumulative.get(region)?.find((x) => x.total >= total)?.at;
}

export interface DriveResult {
  /** The measured part of the load (the warm-up left out). */
  loadSeconds: number;
  /** Ticks whose POST left after its due time (the driver itself was behind). */
  late: number;
  /** The village every alert case is in. */
  alertRegion: string;
}

/**
 * Posts RATE incidents/s to random villages in a POST every 50 ms for WARMUP_SECONDS and then
 * SECONDS, plus a high-risk dispute every ALERT_EVERY ticks (by default 40 alerts in the measured
 * 20 s). `measuring` is awaited as the measured part begins. Every refused POST is counted and
 * fails the run: it would silently thin the load.
 */
export async function drive(
  o: { url: string; ingestKey: string; regions: string[]; villages: string[]; rand: () => number },
  ledger: Ledger,
  measuring: () => Promise<void>,
): Promise<DriveResult> {
  const totals = new Map<string, number>();
  const alertRegion = o.regions.find((r) => r.length === 12) ?? o.villages[0]!;
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const warmTicks = Math.round((WARMUP_SECONDS * 1000) / TICK_MS);
  const ticks = warmTicks + Math.round((SECONDS * 1000) / TICK_MS);
  const refused: (number | string)[] = [];
  let t0 = performance.now();
  let measuredFrom = t0;
  let seq = 0;
  let late = 0;
  for (let k = 0; k < ticks; k++) {
    if (k === warmTicks) {
      await measuring();
      // The schedule starts again here: the readings above must not make the next ticks late.
      measuredFrom = performance.now();
      t0 = measuredFrom - k * TICK_MS;
    }
    const wait = t0 + k * TICK_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (k >= warmTicks) late++;
    const at = performance.now();
    if (k === warmTicks) ledger.measureFrom = at;
    const events: BenchEvent[] = [];
    for (let i = 0; i < perTick; i++) {
      const e = incident(seq++, o.villages[Math.floor(o.rand() * o.villages.length)]!);
      ledger.postedAt.set(e.id, performance.now());
      events.push(e);
      for (const a of ancestry(e.region)) if (ledger.watched.has(a)) totals.set(a, (totals.get(a) ?? 0) + 1);
    }
    if (k % ALERT_EVERY === ALERT_EVERY >> 1) {
      const e = alertDispute(k, alertRegion);
      // Only the measured part's alerts are expected and dated.
      if (k >= warmTicks) ledger.alertSent.set(e.caseId, at);
      events.push(e);
    }
    for (const [code, total] of totals) {
      const list = ledger.cumulative.get(code) ?? [];
      if (list.at(-1)?.total !== total) list.push({ at, total });
      ledger.cumulative.set(code, list);
    }
    void fetch(`${o.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    }).then(
      async (r) => {
        if (r.status !== 200) refused.push(r.status);
        await r.arrayBuffer();
      },
      (err: unknown) => refused.push(String(err)),
    );
  }
  const loadSeconds = (performance.now() - measuredFrom) / 1000;
  // The tail: what is still in flight when the last POST leaves.
  await new Promise((r) => setTimeout(r, 2000));
  if (refused.length) throw new Error(`${refused.length} ingest requests failed, e.g. ${String(refused[0])}`);
  return { loadSeconds, late, alertRegion };
}
