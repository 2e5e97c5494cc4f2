// One reconnect storm against one server under test: N screens connect and subscribe within T ms,
// each timed from its scheduled start to the reply of its subscribe (ours: the snapshot; the bare
// server: an ack padded to the snapshot's size). A screen not served within the timeout is counted
// as failed with its reason, never dropped from the figures.
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect, type TestSocket } from '../tests/helpers/socket-client.ts';
import type { Ack } from '../shared/ack.ts';
import { histogram, record, type Histogram } from './histogram.ts';
import { lagP99, type Target } from './fanout-run.ts';

export interface StormResult {
  /** Scheduled start → subscribe reply, for every screen served. */
  served: Histogram;
  /** The same by level, keyed by region code length. */
  byLevel: Map<number, Histogram>;
  /** Screens not served, by reason (`timeout`, an ack's error code). */
  failed: Map<string, number>;
  /** connect_error events seen (a screen retries, as the wall does; it fails only by the timeout). */
  connectErrors: number;
  /** Mean reply size per level, by region code length (JSON of the reply, as a client measures it). */
  replyBytes: Map<number, number>;
  /** Slowest screen served (ms). */
  max: number;
  /** Event-loop delay p99 of the server during the storm (ms). */
  lagP99: number;
  /** Server CPU from the first connect to the last reply (cores, and CPU seconds), and that span (s). */
  cpuCores: number;
  cpuSeconds: number;
  /** The server main thread's GC pauses during the storm (s; prom-client's GC histogram, scavenges and full GCs). */
  gcSeconds: { minor: number; major: number };
  /** The benchmark's own event-loop p99 (ms) and screens it started over 50 ms late: is the driver starved? */
  clientLagP99: number;
  startedLate: number;
  seconds: number;
  loadAtStart: number;
  loadAtEnd: number;
}

/** GC pause seconds so far in the server's main thread, by kind (prom-client's default metrics). */
async function gcSeconds(url: string): Promise<{ minor: number; major: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (kind: string) =>
    Number(new RegExp(`^pingan_nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  // Incremental marking steps belong to the full GCs they prepare.
  return { minor: sum('minor'), major: sum('major') + sum('incremental') };
}

/**
 * `regions[i]` is the screen `i`'s region; screen `i` starts at `i × spanMs / n` (evenly spread, so
 * every run offers the same arrival pattern) and fails if not served `timeoutMs` after its start.
 */
export async function runStorm(
  target: Pick<Target, 'url' | 'token' | 'cpuSeconds'>,
  regions: string[],
  spanMs: number,
  timeoutMs: number,
): Promise<StormResult> {
  const served = histogram();
  const byLevel = new Map<number, Histogram>();
  const failed = new Map<string, number>();
  const bytes = new Map<number, { n: number; bytes: number }>();
  const sockets: TestSocket[] = [];
  let connectErrors = 0;
  let startedLate = 0;
  let max = 0;
  const fail = (reason: string) => failed.set(reason, (failed.get(reason) ?? 0) + 1);

  await lagP99(target.url); // resets the histogram: only the storm is measured
  const gc0 = await gcSeconds(target.url);
  const loadAtStart = os.loadavg()[0]!;
  const cpu0 = target.cpuSeconds();
  const clientLag = monitorEventLoopDelay({ resolution: 10 });
  clientLag.enable();
  const t0 = performance.now();
  const screen = (code: string, i: number) =>
    new Promise<void>((resolve) => {
      const due = t0 + (i * spanMs) / regions.length;
      setTimeout(
        () => {
          const start = performance.now();
          if (start - due > 50) startedLate++;
          const s = connect(target.url, target.token);
          sockets.push(s);
          let done = false;
          const finish = (reason?: string) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            if (reason) fail(reason);
            resolve();
          };
          const timer = setTimeout(() => finish('timeout'), timeoutMs - (start - due));
          s.on('connect_error', () => connectErrors++);
          // On a reconnect too: a screen whose first socket dropped subscribes again.
          s.on('connect', () =>
            s.emit('subscribe', code, (reply: Ack<unknown>) => {
              if (done) return;
              const ms = performance.now() - due;
              if (!reply.ok) return finish(reply.error.code);
              record(served, ms);
              let level = byLevel.get(code.length);
              if (!level) byLevel.set(code.length, (level = histogram()));
              record(level, ms);
              max = Math.max(max, ms);
              const by = bytes.get(code.length) ?? { n: 0, bytes: 0 };
              by.n++;
              by.bytes += JSON.stringify(reply).length;
              bytes.set(code.length, by);
              finish();
            }),
          );
        },
        Math.max(0, due - performance.now()),
      );
    });
  try {
    await Promise.all(regions.map(screen));
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = target.cpuSeconds() - cpu0;
    clientLag.disable();
    // The lag figure first: any scrape of /metrics resets it.
    const lag = await lagP99(target.url);
    const gc1 = await gcSeconds(target.url);
    return {
      served,
      byLevel,
      failed,
      connectErrors,
      replyBytes: new Map([...bytes].map(([len, b]) => [len, Math.round(b.bytes / b.n)])),
      max: Math.round(max),
      lagP99: lag,
      cpuCores: Math.round((cpuSeconds / seconds) * 100) / 100,
      cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      gcSeconds: {
        minor: Math.round((gc1.minor - gc0.minor) * 100) / 100,
        major: Math.round((gc1.major - gc0.major) * 100) / 100,
      },
      clientLagP99: Math.round(clientLag.percentile(99) / 1e5) / 10,
      startedLate,
      seconds: Math.round(seconds * 100) / 100,
      loadAtStart,
      loadAtEnd: os.loadavg()[0]!,
    };
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
