import { PIPELINE_STATES, type PipelineStatus } from '../../../../shared/events.ts';

/**
 * How old the aggregate behind the numbers is, as the server last said: the wall and the console
 * must admit a backlog (数据处理延迟) even while the socket itself is live.
 */

/** The delay to show: the server's figure plus the time since it was received, while not ok. */
export function pipelineDelaySeconds(status: PipelineStatus | null, receivedAt: number, now: number): number {
  if (!status || status.state === 'ok') return 0;
  return status.oldestAgeSeconds + Math.max(0, Math.floor((now - receivedAt) / 1000));
}

/** A payload from the wire, checked: a malformed one is ignored rather than shown. */
export function isPipelineStatus(v: unknown): v is PipelineStatus {
  const p = v as Partial<PipelineStatus> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    (PIPELINE_STATES as readonly unknown[]).includes(p.state) &&
    Number.isFinite(p.lagEntries) &&
    Number.isFinite(p.oldestAgeSeconds)
  );
}

export class PipelineState {
  status = $state.raw<PipelineStatus | null>(null);
  #receivedAt = $state(0);
  readonly #now: () => number;

  /** `now` should read a reactive clock (ClockState.now) so the delay counts up every second. */
  constructor(now: () => number) {
    this.#now = now;
  }

  receive(status: unknown, at: number): void {
    if (!isPipelineStatus(status)) return;
    this.status = status;
    this.#receivedAt = at;
  }

  get delayed(): boolean {
    return this.status !== null && this.status.state !== 'ok';
  }

  get seconds(): number {
    return pipelineDelaySeconds(this.status, this.#receivedAt, this.#now());
  }

  /** 数据处理延迟 N 秒, or null when the aggregate keeps up. */
  get label(): string | null {
    return this.delayed ? `数据处理延迟 ${this.seconds} 秒` : null;
  }
}
