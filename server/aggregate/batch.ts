import type { Keys } from '../redis/keys.ts';
import { luaKeys } from '../redis/lua.ts';
import { bucketTtlS, RETENTION } from '../counters/retention.ts';
import {
  mergeEvent,
  newCase,
  nextDeadline,
  overdueFlags,
  type CaseEvent,
  type CaseState,
  type SlaTable,
} from './case-state.ts';
import { CounterDeltas, type ContributionBounds } from './contribution.ts';
import { indexChanges, indexFloor, type IndexOps } from './case-index.ts';
import { changeRecord } from '../replay/changes.ts';
import { caseKey, forgottenBy, storedCaseValue, type StoredCase } from './case-store.ts';

/** What commit.lua is called with: every key it writes, and one JSON document naming them by index. */
export interface CommitArg {
  keys: string[];
  arg: string;
}

interface CaseChange {
  caseId: string;
  read: StoredCase;
  state?: CaseState;
  changed: boolean;
  /** The summary of the case's earliest event, when that event changed in this batch. */
  summary?: string;
}

export type EventCode = 'N' | 'U' | 'D' | 'C';

/**
 * What one batch does to Redis, computed from the cases' states as read: a pure function of its
 * inputs, so the bench can prepare it and tests can inspect it.
 */
export class BatchPlan {
  readonly counters: CounterDeltas;
  readonly codes: EventCode[] = [];
  /** Cases whose overdue flags changed (sweeps). */
  readonly flagged: { caseId: string; flags: string }[] = [];
  private readonly cases = new Map<string, CaseChange>();

  constructor(
    private readonly keys: Keys,
    private readonly sla: SlaTable,
    private readonly now: number,
    bounds: ContributionBounds,
  ) {
    this.counters = new CounterDeltas(bounds);
  }

  private change(caseId: string, states: ReadonlyMap<string, StoredCase>): CaseChange {
    let ch = this.cases.get(caseId);
    if (!ch) {
      const read = states.get(caseId) ?? { v: '' };
      ch = { caseId, read, state: read.state, changed: false };
      this.cases.set(caseId, ch);
    }
    return ch;
  }

  /** Folds one event into its case: N new case, U updated, D already applied, C kind conflicts. */
  apply(e: CaseEvent, states: ReadonlyMap<string, StoredCase>): EventCode {
    const ch = this.change(e.caseId, states);
    const prev = ch.state;
    let code: EventCode;
    if (prev?.e.includes(e.id)) code = 'D';
    else if (prev && prev.k !== e.k) code = 'C';
    else {
      code = prev ? 'U' : 'N';
      if (prev) this.counters.contribute(prev, -1);
      const next = prev ? mergeEvent(prev, e) : newCase(e);
      next.od = overdueFlags(next, this.now, this.sla);
      this.counters.contribute(next, 1);
      if (next.i0 === e.id) ch.summary = e.summary;
      ch.state = next;
      ch.changed = true;
    }
    this.codes.push(code);
    return code;
  }

  /**
   * Folds a whole case's events (file order) in one step, for the history import: the same codes
   * and the same final state as apply() on each event in turn, but one retraction and one
   * addition of the case's contribution instead of one pair per event.
   */
  applyCase(events: readonly CaseEvent[], states: ReadonlyMap<string, StoredCase>): EventCode[] {
    const ch = this.change(events[0]!.caseId, states);
    const prev = ch.state;
    let next = prev;
    let summary: string | undefined;
    const codes: EventCode[] = [];
    for (const e of events) {
      let code: EventCode;
      if (next?.e.includes(e.id)) code = 'D';
      else if (next && next.k !== e.k) code = 'C';
      else {
        code = next ? 'U' : 'N';
        next = next ? mergeEvent(next, e) : newCase(e);
        if (next.i0 === e.id) summary = e.summary;
      }
      codes.push(code);
      this.codes.push(code);
    }
    if (next && next !== prev) {
      if (prev) this.counters.contribute(prev, -1);
      next.od = overdueFlags(next, this.now, this.sla);
      this.counters.contribute(next, 1);
      if (summary !== undefined) ch.summary = summary;
      ch.state = next;
      ch.changed = true;
    }
    return codes;
  }

  /** Re-evaluates a due case's overdue flags (the SLA sweep); a vanished case leaves the queue. */
  sweep(caseId: string, states: ReadonlyMap<string, StoredCase>): void {
    const ch = this.change(caseId, states);
    const prev = ch.state;
    if (!prev) return;
    const flags = overdueFlags(prev, this.now, this.sla);
    if (flags === prev.od) return;
    this.counters.contribute(prev, -1);
    const next = { ...prev, od: flags };
    this.counters.contribute(next, 1);
    ch.state = next;
    ch.changed = true;
    this.flagged.push({ caseId, flags });
  }

  /**
   * The commit script's keys and argument (layout in commit.lua); `acks` are entries of the events
   * stream to acknowledge; `epoch` is the replay epoch read with the cases (null: no base yet), so
   * the log key is named before the script runs and the script refuses if the epoch moved. Also
   * settles each changed case's next SLA deadline, so call it once.
   */
  commitArg(group: string, acks: string[], epoch: string | null): CommitArg {
    const { keys, index: at } = luaKeys([this.keys.events, this.keys.slaQueue, this.keys.replayEpoch]);
    const cases: [number, string, string, string | false][] = [];
    const index: IndexOps = { add: [], remove: [], closed: new Set() };
    const floor = indexFloor(this.now);
    const sla: ['a' | 'r', number, string][] = [];
    // The replay log: each case's contribution before and after, written with the counters.
    const replay: string[] = [];
    for (const ch of this.cases.values()) {
      const key = caseKey(this.keys, ch.caseId);
      if (ch.changed) {
        const rec = changeRecord(this.now, ch.read.state, ch.state);
        if (rec) replay.push(rec);
      }
      if (!ch.state) {
        // Swept but gone (expired): leave the queue, provided nobody created it meanwhile.
        cases.push([at(key), ch.caseId, ch.read.v, false]);
        sla.push(['r', 0, ch.caseId]);
        continue;
      }
      const was = ch.read.state?.dl;
      const next = nextDeadline(ch.state, this.sla);
      if (next !== was) {
        ch.changed = true;
        ch.state = { ...ch.state, dl: next };
        sla.push(next === undefined ? ['r', 0, ch.caseId] : ['a', next, ch.caseId]);
      }
      if (!ch.changed) continue;
      const expected = ch.read.v;
      const v = String(Number(expected || 0) + 1);
      indexChanges(this.keys, ch.caseId, ch.read.state, ch.state, floor, index);
      if (forgottenBy(ch.state, this.now)) {
        // Closed and past its retention already (history applied late): counted, not kept.
        cases.push([at(key), ch.caseId, expected, '']);
        ch.read = { v: '' };
        continue;
      }
      const summary = ch.summary ?? ch.read.summary ?? '';
      cases.push([at(key), ch.caseId, expected, storedCaseValue(v, ch.caseId, ch.state, summary)]);
      ch.read = { v, state: ch.state, summary };
    }
    // Each day or month hash expires counted from its bucket's end (bucketTtlS, as the import); month
    // counters of the moment of reception (no bucket: 上报及时率) from now; the open backlog never.
    const counters: [number, number | 'm' | '-', (string | number)[]][] = [];
    for (const [key, h] of this.counters.hashes) {
      const fields: (string | number)[] = [];
      for (const [f, d] of h.fields) if (d !== 0) fields.push(f, d);
      if (!fields.length) continue;
      const expiry = h.retention === '' ? '-' : h.bucket === '' ? 'm' : bucketTtlS(h.bucket, this.now);
      counters.push([at(key), expiry, fields]);
    }
    const log = epoch !== null && replay.length ? at(this.keys.replayLog(epoch, Math.floor(this.now / 3_600_000))) : 0;
    const arg = JSON.stringify({
      s: acks.length ? 1 : 0,
      g: group,
      mt: RETENTION.monthTtlS,
      c: cases,
      n: counters,
      z: sla,
      xa: index.add.map(([id, score, ...sets]) => [id, score, ...sets.map((k) => at(String(k)))]),
      xr: index.remove.map(([id, ...sets]) => [id, ...sets.map(at)]),
      xc: [...index.closed].map(at),
      xf: floor,
      xt: RETENTION.caseIndexTtlS,
      now: Math.floor(this.now / 1000),
      a: acks,
      rp: { v: epoch ?? '', k: log, t: RETENTION.replayTtlS, l: replay },
    });
    return { keys, arg };
  }

  /**
   * Open disputes this plan leaves flagged overdue: already past a limit when applied (a late
   * report, a backfill), which no sweep reports. The 超期 rule notes them from here instead of
   * reading every dispute of the batch back from Redis.
   */
  overdueCases(): string[] {
    const out: string[] = [];
    for (const ch of this.cases.values()) if (ch.state?.k === 'd' && ch.state.od) out.push(ch.caseId);
    return out;
  }

  /** The case states as Redis holds them after a successful commit (lets a caller chain batches). */
  committed(): Map<string, StoredCase> {
    return new Map([...this.cases.values()].map((ch) => [ch.caseId, ch.read]));
  }
}
