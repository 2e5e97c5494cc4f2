import { REPLAY_DAYS, REPLAY_SPEED, replayMoment, replaySpeed } from '../../../shared/schemas/replay.ts';

/** A wall's replay as its address asks for it (`?at=<ISO time>&speed=<1–3600>`). */
export interface ReplayRequest {
  at: number;
  speed: number;
}

const DAY_MS = 86_400_000;

/**
 * Reads `at` and `speed` from the address with the shared schemas. Null without `at` (a live
 * wall); `{error}` naming the field, in Chinese, when either is unusable — the wall then stays live
 * and says why.
 */
export function parseReplayParams(params: URLSearchParams, now: number): ReplayRequest | { error: string } | null {
  const at = params.get('at');
  if (at === null) return null;
  const moment = replayMoment.safeParse(at);
  if (!moment.success) return { error: 'at（回放时刻）格式有误，应为带时区的时间，如 2026-11-22T02:00:00+08:00' };
  if (moment.data > now) return { error: 'at（回放时刻）晚于当前时间' };
  if (moment.data < now - REPLAY_DAYS * DAY_MS) return { error: `at（回放时刻）早于可回放的 ${REPLAY_DAYS} 天` };
  const rawSpeed = params.get('speed');
  if (rawSpeed === null) return { at: moment.data, speed: 1 };
  const speed = replaySpeed.safeParse(rawSpeed);
  if (!speed.success) return { error: `speed（回放倍速）须为 ${REPLAY_SPEED.min}–${REPLAY_SPEED.max} 的整数` };
  return { at: moment.data, speed: speed.data };
}

/** The address without replay: where 返回实时 goes. */
export function liveSearch(search: string): string {
  const p = new URLSearchParams(search);
  p.delete('at');
  p.delete('speed');
  const s = p.toString();
  return s ? `?${s}` : '';
}
