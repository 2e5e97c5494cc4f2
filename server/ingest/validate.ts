import { describeIssues, eventSchema, type PinganEvent, type StoredEvent } from '../../shared/schemas/event.ts';
import { RETENTION } from '../counters/retention.ts';
import { findUnsafe } from '../unsafe-json.ts';
import type { Rejection } from '../../shared/schemas/ingest.ts';
import { sureEvent, sureTime } from './fast-check.ts';

export type { Rejection };

export interface Validated {
  events: { index: number; event: StoredEvent }[];
  rejected: Rejection[];
}

export interface ValidationContext {
  source: string;
  now: number;
  /** Whether a region code exists in the served tree. */
  hasRegion: (code: string) => boolean;
  /**
   * When each raw event was received, by index, for an in-process sender replaying what it
   * received earlier (the simulator's history); never later than `now`. By default `now`.
   */
  receivedAt?: readonly (number | undefined)[];
  /** History handed over again by an in-process sender: each event is stored `replayed`. */
  replayed?: boolean;
  /**
   * How old an event may be (ms before `now`): ingest's age limit by default. The history import
   * (server/import/) takes any age and decides itself what it counts.
   */
  maxAgeMs?: number;
}

function idOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'string') return id.slice(0, 128);
  }
  return null;
}

/** zod's verdict on one raw event: the event, or undefined with its rejection recorded. */
export function schemaEvent(raw: unknown, index: number, rejected: Rejection[]): PinganEvent | undefined {
  // An event is flat (its deepest part is location.lng); anything deeper or with a prototype key
  // anywhere is refused before the schema sees it.
  const unsafe = findUnsafe(raw, 4);
  if (unsafe) {
    rejected.push({ index, id: idOf(raw), errors: [unsafe.slice(0, 200)] });
    return undefined;
  }
  const parsed = eventSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  rejected.push({ index, id: idOf(raw), errors: describeIssues(parsed.error) });
  return undefined;
}

/**
 * Validates raw events one by one: a bad event is rejected with messages that name its fields,
 * the good ones of the same batch go on. `source` comes from the ingest key, never the body, and so
 * does `receivedAt` (the server's clock).
 */
export function validateEvents(raws: unknown[], ctx: ValidationContext): Validated {
  const out: Validated = { events: [], rejected: [] };
  raws.forEach((raw, index) => {
    // The ordinary event passes the hand-written check at a tenth of the schema's cost; anything
    // it is not sure of goes to zod, which alone words a reason.
    const sure = sureTime(raw, ctx);
    const e = sure === undefined ? schemaEvent(raw, index, out.rejected) : sureEvent(raw);
    if (!e) return;
    const errors: string[] = [];
    const ts = sure ?? Date.parse(e.occurredAt);
    const maxAgeMs = ctx.maxAgeMs ?? RETENTION.maxEventAgeMs;
    if (ts < ctx.now - maxAgeMs) errors.push(`occurredAt: older than ${maxAgeMs / 86_400_000} days`);
    if (ts > ctx.now + RETENTION.maxFutureSkewMs) errors.push('occurredAt: more than 5 minutes in the future');
    if (!ctx.hasRegion(e.region)) errors.push(`region: unknown region code ${e.region}`);
    if (errors.length) {
      out.rejected.push({ index, id: e.id, errors });
      return;
    }
    const receivedAt = Math.min(ctx.now, ctx.receivedAt?.[index] ?? ctx.now);
    out.events.push({
      index,
      event: { ...e, source: ctx.source, ts, receivedAt, ...(ctx.replayed ? { replayed: true as const } : {}) },
    });
  });
  return out;
}
