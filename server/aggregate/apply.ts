import type { Redis } from 'ioredis';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import { STATUS_RANK } from '../../shared/vocab.ts';
import type { Keys } from '../redis/keys.ts';
import { AGGREGATOR_GROUP } from '../redis/keys.ts';
import { runScript, type ApplyReply, type SweepReply } from '../redis/scripts.ts';
import { buckets, dayNumber, shiftMonth } from '../time/beijing.ts';
import { RETENTION } from './retention.ts';

export interface AggregationContext {
  redis: Redis;
  keys: Keys;
  /** From slaArgument(). */
  sla: string;
}

/** One stored event and the stream entry it came from ('' when not from the stream). */
export interface Entry {
  entryId: string;
  event: StoredEvent;
}

export type ApplyCode = 'N' | 'U' | 'D' | 'C';

export interface ApplyResult {
  /** Every region whose numbers may have changed (the events' regions and their ancestors). */
  touched: string[];
  /** Per entry: N new case, U case updated, D already applied, C kind conflicts with its case. */
  codes: ApplyCode[];
}

function commonArgs(ctx: AggregationContext, now: number): (string | number)[] {
  const b = buckets(now);
  return [
    ctx.keys.prefix,
    now,
    ctx.sla,
    dayNumber(now) - RETENTION.dayBucketsKept,
    shiftMonth(b.month, -RETENTION.monthBucketsKept),
  ];
}

/** The script's positional arguments for a batch (no JSON decoding inside Redis). */
export function applyArgs(ctx: AggregationContext, entries: Entry[], now: number, ack: boolean): (string | number)[] {
  const args: (string | number)[] = [
    ...commonArgs(ctx, now),
    RETENTION.dayTtlS,
    RETENTION.monthTtlS,
    RETENTION.closedCaseTtlS,
    ack ? ctx.keys.events : '',
    AGGREGATOR_GROUP,
    entries.length,
  ];
  for (const { entryId, event: e } of entries) {
    const b = buckets(e.ts);
    args.push(
      e.id,
      e.caseId,
      e.kind === 'incident' ? 'i' : 'd',
      e.category,
      e.status,
      STATUS_RANK[e.status],
      e.severity,
      e.region,
      e.channel,
      e.ts,
      b.day,
      b.month,
      b.hour,
      b.slot,
      entryId,
    );
  }
  return args;
}

/**
 * Applies a batch atomically: case states (with the ids of their applied events), counters of
 * every ancestor, SLA queue and (when `ack`) the stream acknowledgements, in one script call.
 */
export async function applyBatch(
  ctx: AggregationContext,
  entries: Entry[],
  now: number,
  ack = true,
): Promise<ApplyResult> {
  if (entries.length === 0) return { touched: [], codes: [] };
  const [touched, codes] = await runScript<ApplyReply>(
    ctx.redis,
    'pinganApply',
    ctx.keys.events,
    applyArgs(ctx, entries, now, ack),
  );
  return { touched, codes: codes.split('') as ApplyCode[] };
}

export interface SweepResult {
  touched: string[];
  /** Cases whose overdue flags changed: 'd' not dispatched in time, 'r' not resolved in time. */
  changed: { caseId: string; flags: string }[];
}

/** Moves disputes whose SLA deadline has passed into the overdue counts. */
export async function sweepOverdue(ctx: AggregationContext, now: number, limit = 1000): Promise<SweepResult> {
  const [touched, flat] = await runScript<SweepReply>(ctx.redis, 'pinganSweep', ctx.keys.events, [
    ...commonArgs(ctx, now),
    limit,
  ]);
  const changed: SweepResult['changed'] = [];
  for (let i = 0; i < flat.length; i += 2) changed.push({ caseId: flat[i]!, flags: flat[i + 1]! });
  return { touched, changed };
}
