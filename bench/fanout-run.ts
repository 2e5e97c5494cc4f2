// One run of the fanout load against one server under test: the same fleet, rooms, events and rate
// whichever server it is (the regions and events come from the same seed), measured the same way.
import os from 'node:os';
import type { RegionTree } from '../server/regions/tree.ts';
import { ancestry } from '../shared/regions.ts';
import type { TestSocket } from '../tests/helpers/socket-client.ts';
import { prng } from '../tests/helpers/prng.ts';
import {
  CLIENTS,
  connectFleet,
  listen,
  perClient,
  pickRegions,
  subscribeFleet,
  type FleetStats,
} from './fanout-fleet.ts';
import { createLedger, drive, type DriveResult, type Ledger } from './fanout-driver.ts';

export interface Target {
  url: string;
  ingestKey: string;
  /** Handshake token (the bare server takes any). */
  token: string;
  cpuSeconds(): number;
}

/** Points where a server's own readings are taken (memory, Redis); all optional. */
export interface Hooks {
  afterConnect?(): Promise<void>;
  afterSubscribe?(): Promise<void>;
  beforeMeasure?(ledger: Ledger): Promise<void>;
  afterLoad?(): Promise<void>;
}

export interface RunResult extends DriveResult {
  stats: FleetStats;
  /** Event-loop delay p99 of the server during the load (ms). */
  lagP99: number;
  /** Server CPU during the load and its tail (cores). */
  cpuCores: number;
  /** 1-minute load average when the load started. */
  loadAtStart: number;
  perClient: { messages: number; bytes: number };
  /** Alert receipts there should be: alerts posted × clients watching the alert region or an ancestor. */
  alertsExpected: number;
}

/** The server's monitorEventLoopDelay p99 since the last scrape (prom-client resets it at each). */
export async function lagP99(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^pingan_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
  return m ? Math.round(Number(m[1]) * 10_000) / 10 : NaN;
}

export async function runFanout(target: Target, tree: RegionTree, hooks: Hooks = {}): Promise<RunResult> {
  const rand = prng(5);
  const regions = pickRegions(tree, CLIENTS, rand);
  let sockets: TestSocket[] = [];
  try {
    sockets = await connectFleet(target.url, target.token, regions);
    await hooks.afterConnect?.();
    await subscribeFleet(sockets, regions);
    await hooks.afterSubscribe?.();

    const ledger = createLedger(regions);
    const stats = listen(sockets, regions, ledger);
    let cpu0 = 0;
    let loadAtStart = 0;
    const villages = tree.codesAt('village');
    const driven = await drive(
      { url: target.url, ingestKey: target.ingestKey, regions, villages, rand },
      ledger,
      // After the warm-up: every reading from here on is of the measured part only.
      async () => {
        await hooks.beforeMeasure?.(ledger);
        await lagP99(target.url); // resets the histogram
        cpu0 = target.cpuSeconds();
        loadAtStart = os.loadavg()[0]!;
      },
    );
    const seconds = driven.loadSeconds + 2; // drive() waits 2 s for the tail
    const cpuCores = Math.round(((target.cpuSeconds() - cpu0) / seconds) * 100) / 100;
    const lag = await lagP99(target.url);
    await hooks.afterLoad?.();
    return {
      ...driven,
      stats,
      lagP99: lag,
      cpuCores,
      loadAtStart,
      perClient: perClient(stats, CLIENTS, seconds),
      alertsExpected: ledger.alertSent.size * regions.filter((r) => ancestry(driven.alertRegion).includes(r)).length,
    };
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
