import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import type { Ack } from '../../shared/ack.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { Delta } from '../../shared/delta.ts';
import { applyChanges } from '../../shared/delta.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(url: string, token: string): TestSocket {
  return io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 100,
    forceNew: true,
  });
}

export function subscribe(s: TestSocket, code: string): Promise<Ack<Snapshot>> {
  return new Promise((resolve) => s.emit('subscribe', code, resolve));
}

/**
 * A region view as a screen keeps it: snapshot, then deltas in sequence; a gap or a reconnect
 * asks for a fresh snapshot. Counts how it got there, so tests can tell.
 */
export class RegionView {
  state: Snapshot | undefined;
  deltas = 0;
  resyncs = 0;
  private readonly socket: TestSocket;

  constructor(
    socket: TestSocket,
    readonly code: string,
  ) {
    this.socket = socket;
    socket.on('delta', (d) => this.onDelta(d));
    socket.io.on('reconnect', () => void this.resync());
  }

  async start(): Promise<Ack<Snapshot>> {
    const r = await subscribe(this.socket, this.code);
    if (r.ok) this.state = r.data;
    return r;
  }

  private onDelta(d: Delta): void {
    if (d.region !== this.code || !this.state) return;
    if (d.seq <= this.state.seq) return;
    if (d.seq !== this.state.seq + 1) {
      void this.resync();
      return;
    }
    this.state = { ...applyChanges(structuredClone(this.state), d.changes), seq: d.seq, asOf: d.asOf };
    this.deltas++;
  }

  private async resync(): Promise<void> {
    this.resyncs++;
    const r = await subscribe(this.socket, this.code);
    if (r.ok) this.state = r.data;
  }
}

export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
