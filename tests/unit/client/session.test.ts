import { describe, expect, it, vi } from 'vitest';
import { ok, fail, type Ack } from '../../../shared/ack.ts';
import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import type { WallSocket } from '../../../client/src/lib/socket.ts';
import { WallSession } from '../../../client/src/lib/state/session.svelte.ts';
import { alert, snapshot, tick } from './fixtures.ts';

type Handler = (...args: never[]) => void;

/** A socket stand-in with the surface the session uses: on/off/emit, connect, and the manager's heartbeat. */
class FakeSocket {
  connected = false;
  handlers = new Map<string, Set<Handler>>();
  managerHandlers = new Map<string, Set<Handler>>();
  emitted: Array<{ event: string; args: unknown[] }> = [];
  /** Answers subscribe acks; undefined leaves them hanging. */
  answer: ((code: string) => Ack<Snapshot> | undefined) | undefined = (code) =>
    ok(snapshot({ region: { code, name: 'x', level: 'province', path: [code] } }));
  connectCalls = 0;
  io = {
    on: (e: string, fn: Handler) => add(this.managerHandlers, e, fn),
    off: (e: string, fn: Handler) => this.managerHandlers.get(e)?.delete(fn),
  };

  on(e: string, fn: Handler) {
    add(this.handlers, e, fn);
    return this;
  }
  off(e: string, fn: Handler) {
    this.handlers.get(e)?.delete(fn);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    this.emitted.push({ event, args });
    const ack = args.at(-1);
    if (event === 'subscribe' && typeof ack === 'function') {
      const reply = this.answer?.(args[0] as string);
      if (reply) queueMicrotask(() => (ack as (r: Ack<Snapshot>) => void)(reply));
    }
    return this;
  }
  connect() {
    this.connectCalls++;
    return this;
  }
  /** Server → client. */
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }
  up() {
    this.connected = true;
    this.fire('connect');
  }
  down() {
    this.connected = false;
    this.fire('disconnect', 'transport close');
  }
  listenerCount() {
    let n = 0;
    for (const s of [...this.handlers.values(), ...this.managerHandlers.values()]) n += s.size;
    return n;
  }
  subscribes() {
    return this.emitted.filter((e) => e.event === 'subscribe').map((e) => e.args[0]);
  }
}

function add(map: Map<string, Set<Handler>>, e: string, fn: Handler) {
  let s = map.get(e);
  if (!s) map.set(e, (s = new Set()));
  s.add(fn);
}

function setup() {
  const socket = new FakeSocket();
  const frames: Array<() => void> = [];
  const onAuthLost = vi.fn();
  let now = Date.parse('2026-11-22T10:30:00+08:00');
  const session = new WallSession(socket as unknown as WallSocket, {
    onAuthLost,
    now: () => now,
    schedule: (fn) => {
      frames.push(fn);
      return () => frames.splice(frames.indexOf(fn), 1);
    },
    staleAfterMs: 10_000,
  });
  const stop = session.start();
  return {
    socket,
    session,
    stop,
    onAuthLost,
    frame: () => frames.splice(0).forEach((f) => f()),
    setNow: (t: number) => (now = t),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('WallSession', () => {
  it('connects, subscribes to the selected region and shows its snapshot', async () => {
    const t = setup();
    t.session.select('62');
    expect(t.socket.connectCalls).toBe(1);
    expect(t.socket.subscribes()).toEqual([]); // not before the connection is up
    t.socket.up();
    await settle();
    expect(t.socket.subscribes()).toEqual(['62']);
    expect(t.session.region.snapshot?.region.code).toBe('62');
    expect(t.session.connection.status).toBe('live');
    t.stop();
  });

  it('applies the next delta, and answers a gap with a fresh subscription', async () => {
    const t = setup();
    t.session.select('62');
    t.socket.up();
    await settle();
    t.socket.fire('delta', {
      region: '62',
      seq: 11,
      asOf: '2026-11-22T10:30:01+08:00',
      changes: { 'counts.today.incident': 41 },
    });
    t.frame();
    expect(t.session.region.snapshot?.counts.today.incident).toBe(41);
    t.socket.fire('delta', { region: '62', seq: 15, asOf: '2026-11-22T10:30:02+08:00', changes: {} });
    t.frame();
    await settle();
    expect(t.socket.subscribes()).toEqual(['62', '62']);
    t.stop();
  });

  it('re-subscribes after every reconnect and reports the gap while away', async () => {
    const t = setup();
    t.session.select('62');
    t.socket.up();
    await settle();
    const heardAt = t.session.connection.lastHeard!;
    t.socket.down();
    t.setNow(heardAt + 3000);
    expect(t.session.connection.status).toBe('reconnecting');
    t.setNow(heardAt + 12_000);
    expect(t.session.connection.status).toBe('stale');
    expect(t.session.connection.label).toBe('数据已过期 12秒');
    t.socket.up();
    await settle();
    expect(t.socket.subscribes()).toEqual(['62', '62']);
    expect(t.session.connection.status).toBe('live');
    t.stop();
  });

  it('moves to another region: leaves the old room and clears the old lists', async () => {
    const t = setup();
    t.session.select('62');
    t.socket.up();
    await settle();
    t.socket.fire('ticker', [tick('a')]);
    expect(t.session.ticker.items).toHaveLength(1);
    t.session.select('6207');
    await settle();
    expect(t.socket.emitted.filter((e) => e.event === 'unsubscribe').map((e) => e.args[0])).toEqual(['62']);
    expect(t.socket.subscribes()).toEqual(['62', '6207']);
    expect(t.session.ticker.items).toHaveLength(0);
    t.stop();
  });

  it('keeps the alert list from the snapshot and alert events, newest per id, capped at 50', async () => {
    const t = setup();
    t.socket.answer = () => ok(snapshot({ alerts: [alert('s1', { level: 'red' })] }));
    t.session.select('62');
    t.socket.up();
    await settle();
    expect(t.session.alerts.items.map((a) => a.id)).toEqual(['s1']);
    t.socket.fire('alert', alert('s1', { level: 'red', state: 'acknowledged' }));
    expect(t.session.alerts.items).toHaveLength(1);
    expect(t.session.alerts.items[0]!.state).toBe('acknowledged');
    for (let i = 0; i < 60; i++)
      t.socket.fire('alert', alert(`n${i}`, { createdAt: `2026-11-22T10:${String(i).padStart(2, '0')}:00+08:00` }));
    expect(t.session.alerts.items).toHaveLength(50);
    expect(t.session.alerts.items[0]!.id).toBe('s1'); // red before yellow
    expect(t.session.alerts.items[1]!.id).toBe('n59'); // then newest
    t.socket.fire('alert', alert('s1', { level: 'red', state: 'closed' }));
    expect(t.session.alerts.items.some((a) => a.id === 's1')).toBe(false);
    t.socket.fire('alert', alert('elsewhere', { region: '630102' }));
    expect(t.session.alerts.items.some((a) => a.id === 'elsewhere')).toBe(false);
    t.stop();
  });

  it('keeps the last 30 ticker items and turns located ones into map ripples', async () => {
    const t = setup();
    t.session.select('62');
    t.socket.up();
    await settle();
    t.socket.fire(
      'ticker',
      Array.from({ length: 40 }, (_, i) => tick(`t${i}`, i % 2 ? { location: { lng: 100.4, lat: 38.9 } } : {})),
    );
    t.socket.fire('ticker', [tick('t39')]); // a repeat is not shown twice
    expect(t.session.ticker.items).toHaveLength(30);
    expect(t.session.ticker.items.at(-1)!.id).toBe('t39');
    expect(t.session.ripples.points).toHaveLength(20);
    t.stop();
  });

  it('sends the user to log in again when the server refuses the token', async () => {
    const t = setup();
    t.socket.fire('connect_error', new Error('unauthenticated'));
    expect(t.onAuthLost).toHaveBeenCalledTimes(1);
    t.socket.fire('session:ended', 'revoked');
    expect(t.onAuthLost).toHaveBeenCalledTimes(2);
    t.socket.answer = () => fail('unauthenticated', 'expired');
    t.session.select('62');
    t.socket.up();
    await settle();
    expect(t.onAuthLost).toHaveBeenCalledTimes(3);
    t.stop();
  });

  it('dials again after the server closes the connection, which Socket.IO does not do by itself', async () => {
    vi.useFakeTimers();
    try {
      const t = setup();
      t.socket.up();
      t.socket.connected = false;
      t.socket.fire('disconnect', 'io server disconnect');
      expect(t.socket.connectCalls).toBe(1);
      await vi.advanceTimersByTimeAsync(3000);
      expect(t.socket.connectCalls).toBe(2);
      t.socket.fire('disconnect', 'transport close'); // the client reconnects by itself here
      await vi.advanceTimersByTimeAsync(5000);
      expect(t.socket.connectCalls).toBe(2);
      t.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('removes every listener it added when stopped', () => {
    const t = setup();
    expect(t.socket.listenerCount()).toBeGreaterThan(0);
    t.stop();
    expect(t.socket.listenerCount()).toBe(0);
  });

  it('counts heartbeats as signs of life', async () => {
    const t = setup();
    t.session.select('62');
    t.socket.up();
    await settle();
    const before = t.session.connection.lastHeard!;
    vi.useFakeTimers({ now: before + 20_000 });
    try {
      for (const fn of t.socket.managerHandlers.get('ping') ?? []) (fn as () => void)();
      expect(t.session.connection.lastHeard).toBe(before + 20_000);
    } finally {
      vi.useRealTimers();
    }
    t.stop();
  });
});
