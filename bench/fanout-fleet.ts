// The client fleet of the fanout benchmark: the same screens in the same rooms for every server under
// test, and one way to date what they receive (POST to client receipt).
import type { RegionTree } from '../server/regions/tree.ts';
import { ancestry, levelOf } from '../shared/regions.ts';
import type { Delta } from '../shared/delta.ts';
import { connect, subscribe, type TestSocket } from '../tests/helpers/socket-client.ts';
import { histogram, record, type Histogram } from './histogram.ts';
import { postedFor, type Ledger } from './fanout-driver.ts';

export const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
export const LAYOUT = 'province 5% / city 15% / county 30% / township 30% / village 20%';

/** Subscriptions spread over every level: a few province walls, many county and township screens. */
export function pickRegions(tree: RegionTree, n: number, rand: () => number): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const share: [string[], number][] = [
    [tree.codesAt('province'), 0.05],
    [tree.codesAt('city'), 0.15],
    [tree.codesAt('county'), 0.3],
    [tree.codesAt('township'), 0.3],
    [tree.codesAt('village'), 0.2],
  ];
  const out: string[] = [];
  for (const [codes, s] of share) for (let i = 0; i < Math.round(n * s); i++) out.push(pick(codes));
  return out.slice(0, n);
}

/** One socket per region, connected 50 at a time (a storm is another benchmark). */
export async function connectFleet(url: string, token: string, regions: string[]): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (let i = 0; i < regions.length; i += 50) {
    const batch = regions.slice(i, i + 50).map(() => connect(url, token));
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', () => resolve());
            s.once('connect_error', (err) => reject(new Error(`socket ${i} could not connect: ${err.message}`)));
          }),
      ),
    );
    sockets.push(...batch);
  }
  return sockets;
}

export async function subscribeFleet(sockets: TestSocket[], regions: string[]): Promise<void> {
  const replies = await Promise.all(sockets.map((s, i) => subscribe(s, regions[i]!)));
  const refused = replies.filter((r) => !r.ok).length;
  if (refused) throw new Error(`${refused} subscriptions refused`);
}

export interface FleetStats {
  delta: Histogram;
  /** The same deltas by the level of the client's region: where a tail comes from. */
  deltaByLevel: Map<string, Histogram>;
  /** Deltas dated in the warm-up: a cold server's first seconds. */
  warmupDelta: Histogram;
  alert: Histogram;
  messages: number;
  bytes: number;
  /** Messages and bytes by event name, to size the bare server's messages like ours. */
  byEvent: Map<string, { count: number; bytes: number }>;
}

/**
 * Dates every delta and alert a client receives against the ledger: a delta from the POST of the
 * newest event its `counts.today.incident` includes, an alert from the POST of its case, counted
 * only by clients whose region is an ancestor of the alert's (those it is meant for). What is
 * dated before the ledger's `measureFrom`, or received before it, belongs to the warm-up.
 */
export function listen(sockets: TestSocket[], regions: string[], ledger: Ledger): FleetStats {
  const stats: FleetStats = {
    delta: histogram(),
    deltaByLevel: new Map(),
    warmupDelta: histogram(),
    alert: histogram(),
    messages: 0,
    bytes: 0,
    byEvent: new Map(),
  };
  sockets.forEach((s, i) => {
    const code = regions[i]!;
    const level = levelOf(code) ?? code;
    let byLevel = stats.deltaByLevel.get(level);
    if (!byLevel) stats.deltaByLevel.set(level, (byLevel = histogram()));
    s.onAny((event: string, ...args: unknown[]) => {
      if (performance.now() < ledger.measureFrom) return;
      const size = JSON.stringify(args).length + event.length;
      stats.messages++;
      stats.bytes += size;
      const by = stats.byEvent.get(event) ?? { count: 0, bytes: 0 };
      by.count++;
      by.bytes += size;
      stats.byEvent.set(event, by);
    });
    s.on('delta', (d: Delta) => {
      const v = d.changes['counts.today.incident'];
      if (typeof v !== 'number') return;
      const at = postedFor(ledger, code, v);
      if (at === undefined) return;
      const ms = performance.now() - at;
      if (at < ledger.measureFrom) return record(stats.warmupDelta, ms);
      record(stats.delta, ms);
      record(byLevel, ms);
    });
    s.on('alert', (a) => {
      const sent = a.caseId === undefined ? undefined : ledger.alertSent.get(a.caseId);
      if (sent !== undefined && ancestry(a.region).includes(code)) record(stats.alert, performance.now() - sent);
    });
  });
  return stats;
}

/** Mean size of one message of an event, as the clients measure it (JSON of its arguments). */
export function meanBytes(stats: FleetStats, event: string): number | undefined {
  const by = stats.byEvent.get(event);
  return by?.count ? Math.round(by.bytes / by.count) : undefined;
}

/** Messages and bytes per client per second over the load and its tail. */
export function perClient(stats: FleetStats, clients: number, seconds: number) {
  return {
    messages: Math.round((stats.messages / clients / seconds) * 10) / 10,
    bytes: Math.round(stats.bytes / clients / seconds),
  };
}
