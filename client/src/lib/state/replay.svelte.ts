import type { TickerItem } from '../../../../shared/events.ts';
import type { Snapshot } from '../../../../shared/schemas/snapshot.ts';
import type { ReplayEventsReply } from '../../../../shared/schemas/replay.ts';
import { REPLAY_EVENTS_MAX_WINDOW_MS, REPLAY_SPEED } from '../../../../shared/schemas/replay.ts';
import { ApiFailure } from '../api.ts';

export interface ReplayApi {
  snapshot(code: string, at: number): Promise<Snapshot>;
  events(code: string, from: number, to: number): Promise<ReplayEventsReply>;
}

export interface ReplayOptions {
  at: number;
  speed: number;
  /** Real time, epoch ms (the replay never runs past it). */
  now: () => number;
  /** Real milliseconds between two steps of a playing replay (default 500). */
  stepMs?: number;
  /** How much of the ticker before the moment to show on arrival. */
  tickerLeadMs?: number;
}

/** Why a replay request failed, for the screen (the server's own message stays in its log). */
function failureText(err: unknown): string {
  if (err instanceof ApiFailure) {
    const first = (err.details.errors as string[] | undefined)?.[0];
    if (err.code === 'out_of_scope') return '回放区域超出本账号的管辖范围';
    if (first?.startsWith('at: is before the replay record')) return '该时刻早于回放记录的起点';
    if (first) return `回放请求被拒绝（${first.split(':')[0]}）`;
  }
  return '回放数据暂不可用';
}

/**
 * A wall in replay (回放): the shown region's snapshot at a past moment, played forward at
 * `speed` × real time by asking the server for the snapshot and the ticker's events at each step
 * (replay is not live data; live numbers still come only by push). A failed step keeps what was
 * shown and says why.
 */
export class ReplayState {
  at = $state(0);
  speed = $state(1);
  playing = $state(false);
  snapshot = $state.raw<Snapshot | null>(null);
  ticker = $state.raw<TickerItem[]>([]);
  error = $state<string | null>(null);
  /** The first load failed: nothing of the replay was ever shown. */
  failed = $state(false);

  readonly #api: ReplayApi;
  readonly #opts: ReplayOptions;
  #code: string | null = null;
  #busy = false;
  /** Bumped by every seek and region change: a slower reply for an older request is dropped. */
  #generation = 0;
  /** Replayed time runs from here at `speed` × real time, however long each step's requests take. */
  #anchor = { real: 0, at: 0 };

  constructor(api: ReplayApi, opts: ReplayOptions) {
    this.#api = api;
    this.#opts = opts;
    this.at = opts.at;
    this.speed = opts.speed;
    this.playing = opts.speed > 1;
    this.#reanchor();
  }

  #reanchor(): void {
    this.#anchor = { real: Date.now(), at: this.at };
  }

  /** Shows `code` at the replay's moment and plays it forward; returns the teardown. */
  follow(code: string): () => void {
    this.#code = code;
    this.snapshot = null;
    this.ticker = [];
    this.#reanchor();
    void this.#show(this.at, true);
    const timer = setInterval(() => void this.#step(), this.#opts.stepMs ?? 500);
    return () => {
      clearInterval(timer);
      this.#code = null;
      this.#generation++;
    };
  }

  seek(at: number): void {
    this.at = Math.min(at, this.#opts.now());
    this.ticker = [];
    this.#reanchor();
    void this.#show(this.at, true);
  }

  setSpeed(speed: number): void {
    this.speed = Math.min(REPLAY_SPEED.max, Math.max(REPLAY_SPEED.min, Math.round(speed)));
    this.#reanchor();
  }

  toggle(): void {
    this.playing = !this.playing;
    this.#reanchor();
  }

  async #step(): Promise<void> {
    if (!this.playing || this.#busy || !this.#code) return;
    const target = this.#anchor.at + (Date.now() - this.#anchor.real) * this.speed;
    const next = Math.min(Math.round(target), this.#opts.now());
    if (next <= this.at) {
      this.playing = false;
      return;
    }
    await this.#show(next, false);
  }

  async #show(at: number, fresh: boolean): Promise<void> {
    const code = this.#code;
    if (!code) return;
    const generation = fresh ? ++this.#generation : this.#generation;
    const from = fresh ? at - (this.#opts.tickerLeadMs ?? 15 * 60_000) : this.at;
    this.#busy = true;
    try {
      const [snapshot, events] = await Promise.all([
        this.#api.snapshot(code, at),
        this.#api.events(code, Math.max(from, at - REPLAY_EVENTS_MAX_WINDOW_MS), at),
      ]);
      if (generation !== this.#generation || code !== this.#code) return;
      this.snapshot = snapshot;
      this.at = at;
      const items: TickerItem[] = events.events.map(({ shownAt: _shown, ...e }) => e);
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local de-duplication set
      const seen = new Set(this.ticker.map((i) => i.id));
      this.ticker = [...this.ticker, ...items.filter((i) => !seen.has(i.id))].slice(-30);
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = failureText(err);
      this.playing = false;
      if (!this.snapshot) this.failed = true;
    } finally {
      this.#busy = false;
    }
  }
}
