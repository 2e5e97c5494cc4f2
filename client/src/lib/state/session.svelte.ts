import { fail, type Ack, type ApiError } from '../../../../shared/ack.ts';
import type { Delta } from '../../../../shared/delta.ts';
import type { TickerItem } from '../../../../shared/events.ts';
import type { AlertView } from '../../../../shared/schemas/alert.ts';
import type { Snapshot } from '../../../../shared/schemas/snapshot.ts';
import { isAuthError, listen, type WallSocket } from '../socket.ts';
import { AlertsState } from './alerts.svelte.ts';
import { ConnectionState } from './connection.svelte.ts';
import { PipelineState } from './pipeline.svelte.ts';
import { RegionState, type Scheduler } from './region.svelte.ts';
import { RippleState } from './ripples.svelte.ts';
import { TickerState } from './ticker.svelte.ts';
import { ProblemDigestState } from './problems.svelte.ts';

/** Next animation frame, with a timer fallback: a hidden tab gets no frames but must not pile up deltas. */
export const frameScheduler: Scheduler = (fn) => {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(raf);
    clearTimeout(timer);
    fn();
  };
  const raf = requestAnimationFrame(run);
  const timer = setTimeout(run, 250);
  return () => {
    done = true;
    cancelAnimationFrame(raf);
    clearTimeout(timer);
  };
};

export interface SessionOptions {
  /** Called when the server says the token is no good (handshake, ack or session:ended). */
  onAuthLost: () => void;
  /** Reads a reactive clock (ClockState.now), epoch ms. */
  now: () => number;
  schedule?: Scheduler;
  ackTimeoutMs?: number;
  staleAfterMs?: number;
  retryMs?: number;
  /** Delay before dialling again after the server closed the connection (default 1–3 s, jittered). */
  redialMs?: number;
  /** Every alert the socket delivers, after the list took it (a red one may take the stage). */
  onAlert?: (alert: AlertView) => void;
  /** The alerts of each full snapshot (what the wall already knows of), and the snapshot's moment (epoch ms). */
  onKnownAlerts?: (alerts: readonly AlertView[], asOf: number) => void;
}

/**
 * Wires one socket to the wall's state: the region's snapshot and deltas, alerts, ticker and map
 * ripples, and the connection indicator. `start()` registers every listener and returns the
 * teardown that removes them all.
 */
export class WallSession {
  readonly connection: ConnectionState;
  /** How far the aggregate trails ingest (数据处理延迟), told by the server. */
  readonly pipeline: PipelineState;
  readonly region: RegionState;
  readonly alerts = new AlertsState(50);
  readonly ticker = new TickerState(30);
  readonly ripples = new RippleState();
  /** 重点问题 of the shown region. */
  readonly problems = new ProblemDigestState();

  readonly #socket: WallSocket;
  readonly #opts: SessionOptions;

  constructor(socket: WallSocket, opts: SessionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.connection = new ConnectionState(opts.now, opts.staleAfterMs);
    this.pipeline = new PipelineState(opts.now);
    this.region = new RegionState({
      request: (code) => this.#subscribe(code),
      release: (code) => {
        if (socket.connected) socket.emit('unsubscribe', code);
      },
      canRequest: () => socket.connected,
      schedule: opts.schedule ?? frameScheduler,
      onSnapshot: (snapshot, full) => this.#onSnapshot(snapshot, full),
      onError: (error) => this.#onError(error),
      ...(opts.retryMs === undefined ? {} : { retryMs: opts.retryMs }),
    });
  }

  /** Shows a region (drill-down, breadcrumb, kiosk rotation). */
  select(code: string): void {
    if (code === this.region.code) return;
    this.alerts.clear(code);
    this.ticker.reset(code);
    this.ripples.reset(code);
    this.problems.reset(code, null);
    this.region.select(code);
  }

  start(): () => void {
    const s = this.#socket;
    const heard = () => this.connection.heard(Date.now());
    const onConnect = () => {
      this.connection.markConnected(Date.now());
      // Rooms do not survive a reconnect: always join again and start from a fresh snapshot.
      void this.region.resync();
    };
    let redial: ReturnType<typeof setTimeout> | null = null;
    const onDisconnect = (reason: string) => {
      this.connection.markDisconnected();
      // Socket.IO does not reconnect by itself after a server-side disconnect (a restart, a
      // rebalance). A revoked session arrives as session:ended first and leaves the page.
      if (reason === 'io server disconnect' && !redial) {
        redial = setTimeout(
          () => {
            redial = null;
            s.connect();
          },
          this.#opts.redialMs ?? 1000 + Math.random() * 2000,
        );
      }
    };
    const onConnectError = (err: Error) => {
      if (isAuthError(err)) this.#opts.onAuthLost();
    };
    const onDelta = (d: Delta) => {
      heard();
      this.region.receive(d);
    };
    const onAlert = (a: AlertView) => {
      heard();
      this.alerts.upsert(a);
      this.#opts.onAlert?.(a);
    };
    const onTicker = (items: TickerItem[]) => {
      heard();
      if (!Array.isArray(items)) return;
      this.ticker.push(items);
      this.ripples.push(items, Date.now());
    };
    const onProblems = (u: unknown) => {
      heard();
      this.problems.receive(u);
    };
    const onEnded = () => this.#opts.onAuthLost();
    const onPipeline = (p: unknown) => {
      heard();
      this.pipeline.receive(p, Date.now());
    };

    const unlisten = listen(
      s,
      {
        connect: onConnect,
        disconnect: onDisconnect,
        connect_error: onConnectError,
        delta: onDelta,
        alert: onAlert,
        ticker: onTicker,
        problems: onProblems,
        pipeline: onPipeline,
        'session:ended': onEnded,
      },
      heard,
    );
    const pruner = setInterval(() => this.ripples.prune(Date.now()), 5000);
    if (s.connected) onConnect();
    else s.connect();

    return () => {
      clearInterval(pruner);
      if (redial) clearTimeout(redial);
      unlisten();
      this.region.dispose();
    };
  }

  #subscribe(code: string): Promise<Ack<Snapshot>> {
    const timeoutMs = this.#opts.ackTimeoutMs ?? 10_000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(fail('unavailable', 'subscribe timed out')), timeoutMs);
      this.#socket.emit('subscribe', code, (reply) => {
        clearTimeout(timer);
        resolve(reply && typeof reply === 'object' && 'ok' in reply ? reply : fail('internal', 'malformed reply'));
      });
    });
  }

  #onSnapshot(snapshot: Snapshot, full: boolean): void {
    this.connection.heard(Date.now());
    if (full) {
      this.alerts.reset(snapshot.region.code, snapshot.alerts ?? []);
      this.problems.reset(snapshot.region.code, snapshot.problems);
      this.#opts.onKnownAlerts?.(snapshot.alerts ?? [], Date.parse(snapshot.asOf));
    }
  }

  #onError(error: ApiError): void {
    if (error.code === 'unauthenticated') this.#opts.onAuthLost();
  }
}
