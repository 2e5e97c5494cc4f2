import type { AlertView } from '../../shared/schemas/alert.ts';
import { diffValues, type Changes } from '../../shared/delta.ts';
import type { HourPoint, Snapshot } from '../../shared/schemas/snapshot.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { JoinReply } from './join-reply.ts';
import { NOTICE_PARTS, type NoticePart } from '../notices.ts';
import { reusableParts, type SnapshotReuse } from '../aggregate/snapshot.ts';

/**
 * How long a room goes on taking its alerts and problems from its last read while no notice names
 * them: a change that reached no notice (a month turning, a deadline passing, a publish lost)
 * shows within this. Deltas carry only the alert counts; a joining screen's read is always whole.
 */
export const REUSE_PARTS_MS = 30_000;

/**
 * The 48-hour series as a room keeps it: its first hour and two arrays of counts. Kept as objects it
 * was half of a small room's state, the same hour labels over and over.
 */
interface CompactHours {
  from: string;
  i: number[];
  d: number[];
}

function compactHours(points: HourPoint[]): string {
  const c: CompactHours = {
    from: points[0]?.hour ?? '',
    i: points.map((p) => p.incident),
    d: points.map((p) => p.dispute),
  };
  return JSON.stringify(c);
}

/** Labels of `n` hours from `from`; the last asked for is remembered (rooms share the current hour). */
let labels: { from: string; list: string[] } | undefined;
function hourLabels(from: string, n: number): string[] {
  if (labels?.from !== from || labels.list.length < n) {
    const start = Date.parse(from);
    labels = { from, list: Array.from({ length: n }, (_, k) => isoBeijing(start + k * 3600_000)) };
  }
  return labels.list;
}

function expandHours(json: string): HourPoint[] {
  const c = JSON.parse(json) as CompactHours;
  const list = hourLabels(c.from, c.i.length);
  return c.i.map((incident, k) => ({ hour: list[k]!, incident, dispute: c.d[k]! }));
}

/**
 * A section as kept: as it was built, but the 48-hour series as its compact JSON (the same hour
 * labels in every room's series were most of a small room's state).
 */
const keep = (key: string, value: unknown) => (key === 'hourly' ? compactHours(value as HourPoint[]) : value);
const restore = (key: string, kept: unknown): unknown => (key === 'hourly' ? expandHours(kept as string) : kept);

/**
 * The parts of a snapshot that deltas carry (alerts travel as `alert` events, the problem digest
 * as the `problems` event: it has text a public screen must get masked), without what never
 * changes for a region: the region itself and its children's names (children are listed by code,
 * all of them, so a name never moves). Names are two-byte strings: they were half of a small room's
 * state, and nothing that can change is left out.
 */
function sections(s: Snapshot): Map<string, unknown> {
  const { asOf: _asOf, seq: _seq, alerts: _alerts, problems: _problems, region: _region, children, ...rest } = s;
  const out = new Map<string, unknown>(Object.entries(rest));
  out.set(
    'children',
    children.map(({ name: _name, ...c }) => c),
  );
  return out;
}

/** Sockets joining a room on one snapshot read (the hub's `join`). */
export interface JoinBatch {
  sockets: string[];
  /** The read has started: only joins before the room turns dirty again may still share it. */
  reading: boolean;
  /** The snapshot every socket of the batch gets, with the room's sequence number. */
  reply: Promise<JoinReply | undefined>;
  /**
   * Alerts heard while the read was in flight: perhaps too late for the snapshot and before the
   * sockets are in the room, so they are sent to the batch once it has joined.
   */
  alerts: AlertView[];
}

/** A join batch's reply, kept for screens that join the room soon after while nothing changed. */
interface KeptReply {
  reply: JoinReply;
  /** The room's generation once the batch's snapshot was its state. */
  generation: number;
  /** Alerts heard for the room when the batch's read began: one heard since may not be in it. */
  alertsHeard: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * What every socket of one room has been sent, and its sequence number. The state is the last
 * snapshot's sections as they were built (not tens of KB of flattened keys): a subscribed idle
 * screen's share of the server's live heap measured 28.3 KB with them against 29.4 KB when each
 * section was kept as JSON (docs/benchmarks.md, `fanout`, 2026-12-06 07:18).
 */
export class RoomState {
  seq = 0;
  dirty = false;
  /** Joins in progress: the room must not be dropped while a socket is on its way in. */
  joining = 0;
  /** Throttle bookkeeping of the hub: when the last read started, the pending timer, a read in flight. */
  lastRefresh = 0;
  /** When a notice last named the room: its place among the reads waiting for a slot. */
  lastNotice = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  refreshing = false;
  /** The joins waiting for (or on) the next snapshot read, shared by every socket that joins meanwhile. */
  joinBatch: JoinBatch | undefined;
  /** Raised whenever what the room's sockets were sent may have moved on (a snapshot taken, a new problem digest). */
  private generation = 0;
  /** Alerts heard for this room so far (they travel beside the snapshot, not in its deltas). */
  private alertsHeard = 0;
  private kept: KeptReply | undefined;
  private sent: Map<string, unknown> | undefined;
  private problemsSent: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Parts notices said changed since the last read; everything until the first one. */
  private owed = new Set<NoticePart>(NOTICE_PARTS);
  /** The last read's alert and problem parts, and when everything was last read afresh. */
  private parts: SnapshotReuse = {};
  private freshAt = 0;

  /** A notice named these parts of the room's snapshot as changed (undefined: any of them). */
  owe(parts: readonly NoticePart[] | undefined): void {
    for (const p of parts ?? NOTICE_PARTS) this.owed.add(p);
  }

  /**
   * Starts a read: what it may take from the last one instead of Redis (nothing when `all`, or
   * when the last full read is older than REUSE_PARTS_MS), and the parts owed until now, to owe
   * again if the read fails.
   */
  startRead(now: number, all = false): { reuse: SnapshotReuse; owed: NoticePart[] } {
    const owed = [...this.owed];
    this.owed.clear();
    if (all || now - this.freshAt > REUSE_PARTS_MS) return { reuse: {}, owed };
    const reuse: SnapshotReuse = {};
    if (!owed.includes('alerts') && this.parts.alerts) reuse.alerts = this.parts.alerts;
    if (!owed.includes('problems') && this.parts.problems) reuse.problems = this.parts.problems;
    return { reuse, owed };
  }

  /** A read is done: its parts serve the next reads; a read that reused nothing was a full one. */
  readDone(s: Snapshot, reused: SnapshotReuse, now: number): void {
    // A read that reused both parts has them as they were: nothing to take from it.
    if (!reused.alerts || !reused.problems) this.parts = reusableParts(s);
    if (!reused.alerts && !reused.problems) this.freshAt = now;
  }

  /** Runs `fn` after every earlier call for this room: reads and sends never interleave. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    // The chain keeps only the order, not the result: a join resolves with a whole snapshot, which
    // would otherwise stay in memory for as long as the room is quiet.
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** An alert on this room's path was sent to its sockets: a joining batch must send it too. */
  heardAlert(alert: AlertView): void {
    this.alertsHeard++;
    this.joinBatch?.alerts.push(alert);
  }

  /** What a batch's read must be compared with when it is done: the alerts heard before it began. */
  alertMark(): number {
    return this.alertsHeard;
  }

  /**
   * Keeps a join batch's reply for `ms` (real time): screens joining meanwhile get it without a
   * read, as long as `reusable` holds. Called once the reply is the room's state.
   */
  keep(reply: JoinReply, alertsHeard: number, ms: number): void {
    if (this.kept) clearTimeout(this.kept.timer);
    if (ms <= 0) return void (this.kept = undefined);
    const timer = setTimeout(() => {
      if (this.kept?.timer === timer) this.kept = undefined;
    }, ms);
    timer.unref();
    this.kept = { reply, generation: this.generation, alertsHeard, timer };
  }

  /**
   * The kept reply when a screen joining now may have it: the room's state has not moved since
   * (no delta, no new problem digest: a newcomer joining the room now gets every later delta,
   * numbered from the reply's `seq`) and no alert was heard since its read began (alerts are not
   * in deltas). A room marked dirty is still fine when a read of it is on its way: that read's
   * delta reaches the newcomer too.
   */
  reusable(): JoinReply | undefined {
    const k = this.kept;
    if (!k || k.generation !== this.generation || k.alertsHeard !== this.alertsHeard) return undefined;
    if (this.dirty && !this.timer && !this.refreshing) return undefined;
    return k.reply;
  }

  /**
   * The snapshot's problem digest when it differs from the one the room last had (the first one
   * only records: the sockets got it in their snapshot), else undefined.
   */
  problemsChange(s: Snapshot): Snapshot['problems'] {
    if (!s.problems) return undefined;
    const json = JSON.stringify(s.problems);
    const before = this.problemsSent;
    this.problemsSent = json;
    if (before !== json) this.generation++;
    return before !== undefined && before !== json ? s.problems : undefined;
  }

  /**
   * Takes a new snapshot as the room's state; returns the changes since the last one, or none. The
   * sections are compared as objects: at a busy room's four refreshes a second nearly every section
   * changes, and turning each into JSON to find which, then parsing the old ones back to compare,
   * cost twice the comparison itself.
   */
  advance(s: Snapshot): Changes | undefined {
    this.generation++;
    const now = sections(s);
    const kept = new Map([...now].map(([k, v]) => [k, keep(k, v)]));
    const before = this.sent;
    this.sent = kept;
    if (!before) return undefined;
    const changes: Changes = {};
    for (const [k, value] of kept) {
      const old = before.get(k);
      if (old !== value) diffValues(old === undefined ? undefined : restore(k, old), now.get(k), k, changes);
    }
    // A child where there was none (or another one) brings its name along.
    s.children.forEach((c, i) => {
      if (`children.${i}.code` in changes) changes[`children.${i}.name`] = c.name;
    });
    if (Object.keys(changes).length === 0) return undefined;
    this.seq++;
    return changes;
  }
}
