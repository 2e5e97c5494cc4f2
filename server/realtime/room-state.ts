import { diffValues, type Changes } from '../../shared/delta.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

/** The parts of a snapshot that deltas carry (alerts travel as `alert` events). */
function sections(s: Snapshot): Map<string, unknown> {
  const { asOf: _asOf, seq: _seq, alerts: _alerts, ...rest } = s;
  return new Map(Object.entries(rest));
}

/**
 * What every socket of one room has been sent, and its sequence number. The state is kept as one
 * JSON string per section (a few KB per room, not tens of KB of flattened keys); only sections
 * whose JSON changed are parsed and compared.
 */
export class RoomState {
  seq = 0;
  dirty = false;
  /** Joins in progress: the room must not be dropped while a socket is on its way in. */
  joining = 0;
  /** Throttle bookkeeping of the hub: when the last read started, the pending timer, a read in flight. */
  lastRefresh = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  refreshing = false;
  private sent: Map<string, string> | undefined;
  private chain: Promise<void> = Promise.resolve();

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

  /** Takes a new snapshot as the room's state; returns the changes since the last one, or none. */
  advance(s: Snapshot): Changes | undefined {
    const now = sections(s);
    const json = new Map([...now].map(([k, v]) => [k, JSON.stringify(v)]));
    const before = this.sent;
    this.sent = json;
    if (!before) return undefined;
    const changes: Changes = {};
    for (const [k, text] of json) {
      const old = before.get(k);
      if (old !== text) diffValues(old === undefined ? undefined : JSON.parse(old), now.get(k), k, changes);
    }
    if (Object.keys(changes).length === 0) return undefined;
    this.seq++;
    return changes;
  }
}
