import type { RedisClient } from '../redis/connection.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Keys } from '../redis/keys.ts';
import { AGGREGATOR_GROUP } from '../redis/keys.ts';
import { runLua } from '../redis/lua.ts';
import { COMMIT_SCRIPT } from '../redis/scripts.ts';
import { buckets, dayNumber, shiftMonth } from '../time/beijing.ts';
import { RETENTION } from '../counters/retention.ts';
import { caseEvent, type CaseEvent, type SlaTable } from './case-state.ts';
import { BatchPlan, type CommitArg, type EventCode } from './batch.ts';
import { readCases, type StoredCase } from './case-store.ts';
import type { ContributionBounds } from './contribution.ts';

export interface AggregationContext {
  redis: RedisClient;
  keys: Keys;
  /** From slaTable(). */
  sla: SlaTable;
  /** Counts of events (not cases) committed with the batch; see EventCounter. */
  countEvent?: EventCounter;
  /** Replay's daily base, written before a day's first commit (server/replay/base.ts). */
  replay?: { ensure(now: number): Promise<void> };
}

/**
 * Adds an event's own counts (上报及时率's reports) to month-long counters `add(key, field, n)`.
 * Called once for each event applied for the first time (codes N and U), while the batch is
 * planned, so its counts are written in the batch's commit: a crash can neither lose nor repeat
 * them.
 */
export type EventCounter = (entry: Entry, add: (key: string, field: string, n: number) => void) => void;

/** One stored event and the stream entry it came from ('' when not from the stream). */
export interface Entry {
  entryId: string;
  event: StoredEvent;
}

export type ApplyCode = EventCode;

export interface ApplyResult {
  /** Every region whose numbers may have changed (the events' regions and their ancestors). */
  touched: string[];
  /** Per entry: N new case, U case updated, D already applied, C kind conflicts with its case. */
  codes: ApplyCode[];
  /** The batch's disputes flagged overdue once applied (BatchPlan.overdueCases). */
  overdue: string[];
}

export interface SweepResult {
  touched: string[];
  /** Cases whose overdue flags changed: 'd' not dispatched in time, 'r' not resolved in time. */
  changed: { caseId: string; flags: string }[];
}

/** Another aggregator changed one of the batch's cases between our read and our commit. */
const MAX_ATTEMPTS = 20;

export function contributionBounds(keys: Keys, now: number): ContributionBounds {
  return {
    keys,
    minDay: dayNumber(now) - RETENTION.dayBucketsKept,
    minMonth: shiftMonth(buckets(now).month, -RETENTION.monthBucketsKept),
  };
}

/** Runs commit.lua; false when a case moved under us. */
export async function commit(ctx: AggregationContext, c: CommitArg): Promise<boolean> {
  const [ok] = await runLua<[number, string?]>(ctx.redis, COMMIT_SCRIPT, c.keys, [c.arg]);
  return ok === 1;
}

/**
 * Reads the cases, computes, commits with a version check, and starts over when another
 * aggregator (or the sweep) changed one of the cases meanwhile.
 */
async function optimistic(
  ctx: AggregationContext,
  caseIds: string[],
  now: number,
  plan: (states: Map<string, StoredCase>, epoch: string | null) => { plan: BatchPlan; arg: CommitArg },
): Promise<BatchPlan> {
  for (let attempt = 1; ; attempt++) {
    // The replay epoch names the log the commit writes into; commit.lua refuses if it moved.
    const [states, epoch] = await Promise.all([
      readCases(ctx.redis, ctx.keys, caseIds, now),
      ctx.redis.get(ctx.keys.replayEpoch),
    ]);
    const p = plan(states, epoch);
    if (await commit(ctx, p.arg)) return p.plan;
    if (attempt >= MAX_ATTEMPTS)
      throw new Error(`cases kept changing during ${MAX_ATTEMPTS} commits; batch left pending`);
    await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
  }
}

/** The result of applying no events. */
const nothingApplied = (): ApplyResult => ({ touched: [], codes: [], overdue: [] });

const newPlan = (ctx: AggregationContext, now: number) =>
  new BatchPlan(ctx.keys, ctx.sla, now, contributionBounds(ctx.keys, now));

/** What a committed plan did, as its callers see it. */
const resultOf = (plan: BatchPlan): ApplyResult => ({
  touched: [...plan.counters.touched],
  codes: plan.codes,
  overdue: plan.overdueCases(),
});

/** A batch's plan from the states read: codes, counters and the commit's arguments. */
function planEntries(
  ctx: AggregationContext,
  entries: readonly Entry[],
  events: readonly CaseEvent[],
  states: ReadonlyMap<string, StoredCase>,
  epoch: string | null,
  now: number,
  ack: boolean,
): { plan: BatchPlan; arg: CommitArg } {
  const plan = newPlan(ctx, now);
  const add = (key: string, field: string, n: number) => plan.counters.bumpMonthly(key, field, n);
  const { countEvent } = ctx;
  events.forEach((e, i) => {
    const code = plan.apply(e, states);
    if (countEvent && (code === 'N' || code === 'U')) countEvent(entries[i]!, add);
  });
  const acks = ack ? entries.map((e) => e.entryId).filter(Boolean) : [];
  return { plan, arg: plan.commitArg(AGGREGATOR_GROUP, acks, epoch) };
}

const caseIdsOf = (events: readonly CaseEvent[]) => [...new Set(events.map((e) => e.caseId))];

/**
 * Applies a batch atomically: case states (with the ids of their applied events), counters of
 * every ancestor, SLA queue and (when `ack`) the stream acknowledgements, in one commit. The
 * arithmetic runs here, in Node; Redis only reads the cases and writes the result.
 */
export async function applyBatch(
  ctx: AggregationContext,
  entries: Entry[],
  now: number,
  ack = true,
): Promise<ApplyResult> {
  if (entries.length === 0) return nothingApplied();
  await ctx.replay?.ensure(now);
  const events = entries.map((e) => caseEvent(e.event));
  const done = await optimistic(ctx, caseIdsOf(events), now, (states, epoch) =>
    planEntries(ctx, entries, events, states, epoch, now, ack),
  );
  return resultOf(done);
}

/** How large each commit of applyInPieces is, told how long each took. */
export interface PieceSizing {
  readonly current: number;
  took(ms: number, entries: number): void;
}

/**
 * applyBatch for a batch too large for one commit, in pieces of `sizing.current` entries, each
 * its own commit, in order; the same result as applyBatch on each piece in turn. Redis runs one
 * piece's commit while Node plans the next, so neither waits for the other in a backlog: the
 * batch's cases are read once, before the first commit, and each piece is planned from the
 * states the pieces before it leave. Its commit is sent only once the one before is confirmed,
 * so a refusal (a case changed by another writer, or the replay epoch moved) leaves every later
 * piece unsent: from the refused piece on, the rest is applied as applyBatch does, reading again.
 * Each piece is planned at its own `clock()`, as applyBatch would be when called for it: a turn
 * may last seconds, and the replay log dates a change by its commit's clock.
 */
export async function applyInPieces(
  ctx: AggregationContext,
  entries: Entry[],
  clock: () => number,
  ack: boolean,
  sizing: PieceSizing,
): Promise<ApplyResult> {
  const touched = new Set<string>();
  const codes: ApplyCode[] = [];
  const overdue = new Set<string>();
  const keep = (r: ApplyResult) => {
    for (const code of r.touched) touched.add(code);
    codes.push(...r.codes);
    for (const id of r.overdue) overdue.add(id);
  };
  const result = (): ApplyResult => ({ touched: [...touched], codes, overdue: [...overdue] });
  if (entries.length === 0) return result();
  const readAt = clock();
  await ctx.replay?.ensure(readAt);
  const events = entries.map((e) => caseEvent(e.event));
  const [states, epoch] = await Promise.all([
    readCases(ctx.redis, ctx.keys, caseIdsOf(events), readAt),
    ctx.redis.get(ctx.keys.replayEpoch),
  ]);
  let sent: { plan: BatchPlan; ok: Promise<boolean>; from: number; to: number; at: number } | undefined;
  /** Waits for the commit in flight; false when Redis refused it. */
  const confirmed = async (): Promise<boolean> => {
    if (!sent) return true;
    const ok = await sent.ok;
    sizing.took(performance.now() - sent.at, sent.to - sent.from);
    if (ok) keep(resultOf(sent.plan));
    return ok;
  };
  let from = 0;
  while (from < entries.length) {
    const to = Math.min(entries.length, from + sizing.current);
    // A case forgotten between the read and `at` is refused by the commit's version check.
    const at = clock();
    const next = planEntries(ctx, entries.slice(from, to), events.slice(from, to), states, epoch, at, ack);
    if (!(await confirmed())) break;
    for (const [id, c] of next.plan.committed()) states.set(id, c);
    // A new day's base before its first commit (the epoch read above then refuses this one).
    await ctx.replay?.ensure(at);
    const ok = commit(ctx, next.arg);
    // Awaited by confirmed(); marked handled so that a throw before then does not crash the thread.
    ok.catch(() => undefined);
    sent = { plan: next.plan, ok, from, to, at: performance.now() };
    from = to;
  }
  if (await confirmed()) return result();
  // Refused: this piece and every one after it again, one commit each, reading afresh.
  for (let i = sent!.from; i < entries.length;) {
    const piece = entries.slice(i, i + sizing.current);
    const at = performance.now();
    const r = await applyBatch(ctx, piece, clock(), ack);
    sizing.took(performance.now() - at, piece.length);
    keep(r);
    i += piece.length;
  }
  return result();
}

/**
 * Applies events of history (the import, server/import/) as a batch from the stream would be:
 * the same case states, dedupe by event id, counters, SLA queue and case index, in the same
 * version-checked commit; but nothing to acknowledge and no per-event counters (上报及时率 measures
 * the moment of reception, which a history file does not carry). The caller raises no warnings.
 */
export async function applyHistory(ctx: AggregationContext, events: CaseEvent[], now: number): Promise<ApplyResult> {
  if (events.length === 0) return nothingApplied();
  const done = await optimistic(ctx, caseIdsOf(events), now, (states, epoch) => {
    const plan = newPlan(ctx, now);
    for (const e of events) plan.apply(e, states);
    return { plan, arg: plan.commitArg(AGGREGATOR_GROUP, [], epoch) };
  });
  return resultOf(done);
}

/**
 * applyHistory for whole cases (the import folds each case's events in Node, in file order): the
 * same states, codes, counters and index as applying the events one by one, with one retraction
 * and addition per case instead of per event. `cases`: each a case's events, all of one case id.
 */
export async function applyHistoryCases(
  ctx: AggregationContext,
  cases: readonly (readonly CaseEvent[])[],
  now: number,
): Promise<ApplyResult> {
  if (cases.length === 0) return nothingApplied();
  const caseIds = cases.map((events) => events[0]!.caseId);
  const done = await optimistic(ctx, caseIds, now, (states, epoch) => {
    const plan = newPlan(ctx, now);
    for (const events of cases) plan.applyCase(events, states);
    return { plan, arg: plan.commitArg(AGGREGATOR_GROUP, [], epoch) };
  });
  return resultOf(done);
}

/** Moves disputes whose SLA deadline has passed into the overdue counts. */
export async function sweepOverdue(ctx: AggregationContext, now: number, limit = 1000): Promise<SweepResult> {
  const due = await ctx.redis.zrangebyscore(ctx.keys.slaQueue, '-inf', now, 'LIMIT', 0, limit);
  if (!due.length) return { touched: [], changed: [] };
  await ctx.replay?.ensure(now);
  const done = await optimistic(ctx, due, now, (states, epoch) => {
    const plan = newPlan(ctx, now);
    for (const id of due) plan.sweep(id, states);
    return { plan, arg: plan.commitArg(AGGREGATOR_GROUP, [], epoch) };
  });
  return { touched: [...done.counters.touched], changed: done.flagged };
}
