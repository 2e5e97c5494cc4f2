/**
 * The one reply shape for socket acknowledgements and internal results: nothing throws across
 * the wire. Error codes are a closed list so clients can react to them and nothing internal
 * leaks (full context stays in the server log).
 */
export const ERROR_CODES = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'out_of_scope',
  'not_found',
  'unknown_region',
  'conflict',
  'illegal_transition',
  'too_many_subscriptions',
  'payload_too_large',
  'rate_limited',
  'unavailable',
  'internal',
  // Departments and supervision (issue 15).
  /** A department account acting on an alert not dispatched to its department. */
  'not_your_task',
  /** A department account naming another department. */
  'not_your_department',
  /** A feedback before the department reported in. */
  'not_checked_in',
  /** A 督办 deadline that is not in the future. */
  'deadline_past',
  /** Supervising an alert at one's own desk. */
  'own_desk',
  /** 核验 of a supervised alert by other than the supervising level. */
  'supervisor_verifies',
  // Exports (issue 16).
  /** An export over its row limit (shared/schemas/export.ts): refused whole, never cut short. */
  'too_many_rows',
  // Walls and 一键上墙 (issue 19).
  /** A wall named in an order is not up (or no wall of the group is). */
  'wall_not_found',
  /** A wall named in an order is outside the caller's area. */
  'wall_out_of_scope',
  /** The target is outside the caller's area, or outside the area of a wall's viewer. */
  'target_out_of_scope',
  /** The order's time is over (an `until` in the past, or releasing an order that ran out). */
  'order_expired',
  /** A replay moment put up on walls is in the future or older than the replay window (REPLAY_DAYS). */
  'replay_out_of_range',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export function ok<T>(data: T): Ack<T> {
  return { ok: true, data };
}
export function fail<T = never>(code: ErrorCode, message: string, details?: unknown): Ack<T> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}
