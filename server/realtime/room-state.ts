import { diff, flatten, type Changes, type Leaf } from '../../shared/delta.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

/** Parts of a snapshot that travel by other means than deltas. */
function deltaView(s: Snapshot): Record<string, Leaf> {
  const { asOf: _asOf, seq: _seq, alerts: _alerts, ...rest } = s;
  return flatten(rest);
}

/**
 * What every socket of one room has been sent: the flat state and its sequence number. All
 * updates go through `advance`, which returns the changes to broadcast (if any) and moves on.
 */
export class RoomState {
  seq = 0;
  dirty = false;
  /** Joins in progress: the room must not be dropped while a socket is on its way in. */
  joining = 0;
  private flat: Record<string, Leaf> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier call for this room: reads and sends never interleave. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Takes a new snapshot as the room's state; returns the changes since the last one, or none. */
  advance(s: Snapshot): Changes | undefined {
    const flat = deltaView(s);
    const before = this.flat;
    this.flat = flat;
    if (!before) return undefined;
    const changes = diff(before, flat);
    if (Object.keys(changes).length === 0) return undefined;
    this.seq++;
    return changes;
  }
}
