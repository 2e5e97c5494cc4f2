/**
 * The commit of an import's kept cases that Redis does not have yet, which is most of them: with
 * no stored state to read and merge, the aggregator's optimistic commit (read every case, plan,
 * commit.lua) does more than needed. Here each case's folded state (fold.ts) is written as
 * commit.lua would write a new case: the same state (overdue flags and SLA deadline settled as
 * BatchPlan does), summary, expiry, case index entries, SLA queue entry and replay record, and the
 * batch's counters summed in Node (the aggregator's own contribution code) so each (key, field) is
 * incremented once per batch; in one script call per batch (import-cases.lua) that writes nothing
 * if any of the cases exists. The caller then commits that batch the aggregator's way, which
 * merges what Redis has (a re-run after an interruption, or cases live already had).
 */
import type { AggregationContext, ApplyResult } from '../aggregate/apply.ts';
import { contributionBounds } from '../aggregate/apply.ts';
import { isOpen, nextDeadline, overdueFlags, type CaseState } from '../aggregate/case-state.ts';
import { caseKey, storedCaseValue } from '../aggregate/case-store.ts';
import { indexEntries, indexFloor } from '../aggregate/case-index.ts';
import { CounterDeltas } from '../aggregate/contribution.ts';
import { bucketTtlS, RETENTION } from '../counters/retention.ts';
import { runLua } from '../redis/lua.ts';
import { IMPORT_CASES_SCRIPT } from '../redis/scripts.ts';
import { changeRecord } from '../replay/changes.ts';

export interface NewCase {
  caseId: string;
  /** The case's final state folded from its events in file order (foldCase). */
  state: CaseState;
  summary: string | undefined;
}

/**
 * Writes `cases` (none of which may be in Redis) in one script call. Returns the regions touched,
 * or undefined when one of them was in Redis after all (nothing written).
 */
export async function commitNewCases(
  ctx: AggregationContext,
  cases: readonly NewCase[],
  now: number,
): Promise<Pick<ApplyResult, 'touched'> | undefined> {
  if (!cases.length) return { touched: [] };
  const { keys, sla } = ctx;
  const epoch = (await ctx.redis.get(keys.replayEpoch)) ?? '';
  const deltas = new CounterDeltas(contributionBounds(keys, now));
  const floor = indexFloor(now);
  const caseKeys: string[] = [];
  const caseArgs: (string | number)[] = [];
  const sets = new Map<string, { closed: boolean; entries: (string | number)[] }>();
  const queue: (string | number)[] = [];
  const records: string[] = [];
  for (const c of cases) {
    // BatchPlan.applyCase then commitArg, for a case read as absent.
    let state: CaseState = { ...c.state, od: overdueFlags(c.state, now, sla) };
    deltas.contribute(state, 1);
    const rec = changeRecord(now, undefined, state);
    if (rec) records.push(rec);
    const dl = nextDeadline(state, sla);
    if (dl !== undefined) {
      state = { ...state, dl };
      queue.push(dl, c.caseId);
    }
    const open = isOpen(state);
    caseKeys.push(caseKey(keys, c.caseId));
    caseArgs.push(c.caseId, storedCaseValue('1', c.caseId, state, c.summary ?? ''));
    for (const [key, { member, score }] of indexEntries(keys, c.caseId, state, floor)) {
      let set = sets.get(key);
      if (!set) sets.set(key, (set = { closed: !open, entries: [] }));
      set.entries.push(score, member);
    }
  }
  const counterKeys: string[] = [];
  const counterArgs: (string | number)[] = [];
  for (const [key, h] of deltas.hashes) {
    const fields: (string | number)[] = [];
    for (const [f, d] of h.fields) if (d !== 0) fields.push(f, d);
    if (!fields.length) continue;
    counterKeys.push(key);
    counterArgs.push(h.retention === '' ? '-' : bucketTtlS(h.bucket, now), fields.length / 2);
    for (const x of fields) counterArgs.push(x);
  }
  const setKeys = [...sets.keys()];
  const setArgs: (string | number)[] = [];
  for (const { closed, entries } of sets.values()) {
    setArgs.push(closed ? 1 : 0, entries.length / 2);
    for (const x of entries) setArgs.push(x);
  }
  const log = epoch ? keys.replayLog(epoch, Math.floor(now / 3_600_000)) : keys.replayEpoch;
  const [ok] = await runLua<[number, string?]>(
    ctx.redis,
    IMPORT_CASES_SCRIPT,
    [keys.slaQueue, keys.replayEpoch, log, ...caseKeys, ...counterKeys, ...setKeys],
    [
      cases.length,
      counterKeys.length,
      setKeys.length,
      epoch,
      records.length ? 1 : 0,
      RETENTION.replayTtlS,
      Math.floor(now / 1000),
      floor,
      RETENTION.caseIndexTtlS,
      ...caseArgs,
      ...counterArgs,
      ...setArgs,
      queue.length / 2,
      ...queue,
      records.length,
      ...records,
    ],
  );
  return ok === 1 ? { touched: [...deltas.touched] } : undefined;
}
