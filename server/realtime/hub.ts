import type { RedisClient } from '../redis/connection.ts';
import type { Server, Socket } from 'socket.io';
import {
  regionRoom,
  type ClientToServerEvents,
  type InterServerEvents,
  type PipelineStatus,
  type ServerToClientEvents,
  type SocketData,
  type TickerItem,
} from '../../shared/events.ts';
import { ancestry, isWithin, parentOf } from '../../shared/regions.ts';
import type { Delta } from '../../shared/delta.ts';
import { wallRoom } from '../../shared/events.ts';
import { parseWallPush } from '../walls/push.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { departmentRoom } from '../../shared/events.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { isoBeijing } from '../time/beijing.ts';
import { parseNotice } from '../notices.ts';
import { subscribe } from '../redis/pubsub.ts';
import { RoomState, type JoinBatch } from './room-state.ts';
import { JoinReply } from './join-reply.ts';
import { publicRoom } from './rooms.ts';
import { ReadSlots } from './read-slots.ts';
import { maskAlert, maskChanges, maskDigest, maskProblem, maskTickerItem } from '../privacy/mask.ts';
import type { ProblemView } from '../../shared/schemas/problem.ts';
import type { PipelineReading } from '../aggregate/lag-watch.ts';
import type { SnapshotReuse } from '../aggregate/snapshot.ts';
import type { LocalAlertFeed } from '../alerts/local-feed.ts';

export type IO = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ServerSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface HubOptions {
  io: IO;
  /** A connection of its own, for (S)SUBSCRIBE (opened with `subscriber: true`). */
  subscriber: RedisClient;
  /** Change notices: one channel per province served (and the deployment's, for alert changes). */
  noticeChannels: readonly string[];
  alertChannel: string;
  /** Alerts published by this process, heard before their pub/sub copy (which is then dropped). */
  localAlerts?: LocalAlertFeed;
  /** Changed problems (ProblemView JSON), relayed as the `problem` event. */
  problemChannel?: string;
  /** Wall orders and releases (一键上墙), from whichever server took them. */
  wallChannel?: string;
  /** A region's snapshot, taking `reuse`'s parts as they are instead of reading them. */
  readSnapshot: (code: string, reuse?: SnapshotReuse) => Promise<Snapshot | undefined>;
  regionName: (code: string) => string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Delta frequency per room; 4 Hz by default (DESIGN: ≤ 4 Hz). */
  maxHz?: number;
  /** Snapshot reads in flight at once (default 8). */
  maxConcurrentReads?: number;
  /**
   * How long a joining batch's snapshot serves later screens joining the same room while nothing
   * changed (default 5 s; real time). A screen that arrives after it gets a fresh read.
   */
  reuseJoinMs?: number;
  /** Ticker items per room per flush. */
  tickerPerFlush?: number;
  /**
   * How often each room's ticker sample goes out (default a second): a feed that scrolls across
   * a wall needs a sample a second, and four a second were a tenth of a busy hub's thread.
   */
  tickerEveryMs?: number;
}

export interface Hub {
  /** The snapshot for a socket joining `code`, with the room's sequence number, as its reply. */
  join(socketId: string, code: string): Promise<JoinReply | undefined>;
  leave(socketId: string, code: string): Promise<void>;
  /**
   * A new reading of the pipeline: sent to every screen here when its state changed, and on every
   * reading while not ok (the delay they show keeps counting); a screen that connects gets the last one.
   */
  pipeline(reading: PipelineReading): void;
  stop(): Promise<void>;
}

function tickerItem(e: StoredEvent, regionName: (code: string) => string): TickerItem {
  return {
    id: e.id,
    kind: e.kind,
    category: e.category,
    status: e.status,
    severity: e.severity,
    region: e.region,
    regionName: regionName(e.region),
    occurredAt: isoBeijing(e.ts),
    channel: e.channel,
    summary: e.summary,
    ...(e.location ? { location: e.location } : {}),
  };
}

/**
 * The only module that sends to sockets. Change notices (from every aggregator, over pub/sub) mark
 * rooms dirty; each dirty room's snapshot is read at most `maxHz` times a second — at once when
 * the room has been quiet (leading edge), else when its interval is up — and the difference goes
 * to the room's local sockets with the room's next sequence number. Alerts go out at once. Every
 * process serves its own sockets (io.local), so each room's sequence is that of the process the
 * socket is connected to.
 */
export async function startHub(opts: HubOptions): Promise<Hub> {
  const { io, logger } = opts;
  const rooms = new Map<string, RoomState>();
  const ticker = new Map<string, TickerItem[]>();
  const perFlush = opts.tickerPerFlush ?? 12;

  const localSize = (room: string) => io.of('/').adapter.rooms.get(room)?.size ?? 0;
  const localRoomSize = (code: string) => localSize(regionRoom(code));

  function onNotice(message: string): void {
    const notice = parseNotice(message);
    if (!notice) return;
    // A notice names what an aggregator wrote: a province and below. The province's parent (the
    // nation) is a sum read from them, so it changed too.
    const touched = new Set(notice.touched);
    for (const code of notice.touched) {
      const parent = parentOf(code);
      if (parent && !touched.has(parent)) touched.add(parent);
    }
    for (const code of touched) {
      const room = rooms.get(code);
      if (room) {
        room.lastNotice = Date.now();
        room.owe(notice.parts);
        room.dirty = true;
        schedule(code, room);
      }
    }
    for (const e of notice.events) {
      // History handed over again (the demo's backfill of earlier days) is counted, but it is not
      // news: 实时动态 scrolling yesterday's 22:16 as it is applied would tell the wall otherwise.
      if (e.replayed) continue;
      // One item per event, shared by every room on its path (each room sends its own list).
      let item: TickerItem | undefined;
      for (const code of ancestry(e.region)) {
        if (!rooms.has(code)) continue;
        let buf = ticker.get(code);
        if (!buf) ticker.set(code, (buf = []));
        buf.push((item ??= tickerItem(e, opts.regionName)));
        if (buf.length > perFlush) buf.shift();
      }
    }
  }

  function onAlert(message: string): void {
    let alert: AlertView;
    try {
      alert = JSON.parse(message) as AlertView;
    } catch {
      return;
    }
    // A department hears the changes of its own tasks in its room, subscribed or not.
    const deptRooms = (alert.departments ?? []).flatMap((d) => (d.id ? [departmentRoom(d.id)] : []));
    if (deptRooms.length) io.local.to(deptRooms).emit('alert', alert);
    // Alerts are never coalesced: every room on the alert's path hears it now.
    const codes = ancestry(alert.region).filter((c) => rooms.has(c));
    if (!codes.length) return;
    for (const c of codes) rooms.get(c)!.heardAlert(alert);
    // Public-mode sockets sit in both rooms of a region: they get the masked copy only.
    const publics = codes.map(publicRoom);
    io.local.to(codes.map(regionRoom)).except(publics).emit('alert', alert);
    if (publics.some((r) => localSize(r) > 0)) io.local.to(publics).emit('alert', maskAlert(alert));
  }

  function onProblem(message: string): void {
    let problem: ProblemView;
    try {
      problem = JSON.parse(message) as ProblemView;
    } catch {
      return;
    }
    const involved = new Set([
      problem.lead.id,
      ...problem.partners.map((d) => d.id),
      ...problem.milestones.map((m) => m.owner.id),
    ]);
    io.local.to([...involved].map(departmentRoom)).emit('problem', problem);
    const codes = ancestry(problem.region).filter((c) => rooms.has(c));
    if (!codes.length) return;
    const publics = codes.map(publicRoom);
    io.local.to(codes.map(regionRoom)).except(publics).emit('problem', problem);
    if (publics.some((r) => localSize(r) > 0)) io.local.to(publics).emit('problem', maskProblem(problem));
  }

  /** A room's changed problem digest, whole; public screens get it masked. */
  function sendProblems(code: string, room: RoomState, snap: Snapshot): void {
    const digest = room.problemsChange(snap);
    if (!digest) return;
    io.local.to(regionRoom(code)).except(publicRoom(code)).emit('problems', { region: code, digest });
    if (localSize(publicRoom(code)) > 0)
      io.local.to(publicRoom(code)).emit('problems', { region: code, digest: maskDigest(digest) });
  }

  /** A delta to a room; its public screens get the free text in it (case summaries) masked. */
  function emitDelta(delta: Delta): void {
    const masked = maskChanges(delta.changes);
    if (masked === delta.changes) {
      io.local.to(regionRoom(delta.region)).emit('delta', delta);
      return;
    }
    const pub = publicRoom(delta.region);
    io.local.to(regionRoom(delta.region)).except(pub).emit('delta', delta);
    if (localSize(pub) > 0) io.local.to(pub).emit('delta', { ...delta, changes: masked });
  }

  /**
   * An order reaches each wall it names, on whichever process holds the wall's socket, and only
   * when that socket's viewer may see the target: the order was checked when it was given, but
   * the viewer of a wall may have changed since (another account logged in on the screen).
   */
  function onWallPush(message: string): void {
    const push = parseWallPush(message);
    if (!push) return;
    if (push.kind === 'release') {
      for (const r of push.releases) io.local.to(wallRoom(r.wall)).emit('wall:release', { order: r.order });
      return;
    }
    const { order } = push;
    for (const id of order.walls) {
      for (const sid of io.of('/').adapter.rooms.get(wallRoom(id)) ?? []) {
        const socket = io.sockets.sockets.get(sid);
        if (!socket) continue;
        if (isWithin(order.target.region, socket.data.region)) socket.emit('wall:focus', order);
        else
          logger.warn(
            { order: order.id, wall: id, viewer: socket.data.username, target: order.target.region },
            'wall order outside its viewer’s area not delivered',
          );
      }
    }
  }

  async function refresh(code: string, room: RoomState): Promise<void> {
    await room.serialize(async () => {
      if (!room.dirty) return;
      room.dirty = false;
      const { reuse, owed } = room.startRead(Date.now());
      const snap = await read(code, 'refresh', reuse).catch((err: unknown) => {
        // Redis did not answer: the change is still owed to the room; it is read again shortly.
        room.dirty = true;
        room.owe(owed);
        throw err;
      });
      if (!snap) return;
      // A room's diff and send wait for their turn: one room per turn of the event loop, so the
      // replies a burst of reads brings at once do not hold an ingest or an alert behind them all.
      await turn();
      room.readDone(snap, reuse, Date.now());
      const changes = room.advance(snap);
      if (changes) {
        emitDelta({ region: code, seq: room.seq, asOf: snap.asOf, changes });
        opts.metrics.deltas.inc();
      }
      sendProblems(code, room, snap);
    });
  }

  /**
   * Rooms whose read is done, waiting to diff and send. One is let go per turn of the event loop
   * (an immediate set from inside an immediate waits for the next turn), and every turn polls
   * for I/O first: an alert's or an ingest's reply waits for one room's send, not for every room
   * whose reply came in the same read from the socket.
   */
  const turns: (() => void)[] = [];
  let turning: NodeJS.Immediate | undefined;
  const nextTurn = () => {
    turning = undefined;
    turns.shift()?.();
    if (turns.length) turning = setImmediate(nextTurn);
  };
  const turn = () =>
    new Promise<void>((resolve) => {
      turns.push(resolve);
      turning ??= setImmediate(nextTurn);
    });

  const intervalMs = Math.round(1000 / (opts.maxHz ?? 4));

  const slots = new ReadSlots(opts.maxConcurrentReads ?? 8, opts.metrics);
  /** A snapshot read, timed. */
  const read = async (code: string, what: 'refresh' | 'join', reuse?: SnapshotReuse) => {
    const end = opts.metrics.snapshotRead.startTimer({ for: what });
    try {
      return await opts.readSnapshot(code, reuse);
    } finally {
      end();
    }
  };
  const release = () => slots.release();

  /** One read per room at a time, and at most one per interval; a slow Redis never piles reads up. */
  function schedule(code: string, room: RoomState): void {
    if (room.timer || room.refreshing) return;
    // Pacing is real elapsed time, not the injected clock: a simulated clock that stands still
    // must not stop the screens' updates.
    const wait = Math.max(0, room.lastRefresh + intervalMs - Date.now());
    room.timer = setTimeout(() => {
      room.timer = undefined;
      room.refreshing = true;
      void slots
        .take('refresh', room.lastNotice)
        .then(() => {
          room.lastRefresh = Date.now();
          return refresh(code, room).finally(release);
        })
        .catch((err: unknown) => logger.error({ err, code }, 'room refresh failed'))
        .finally(() => {
          room.refreshing = false;
          if (room.dirty && rooms.get(code) === room) schedule(code, room);
        });
    }, wait);
  }

  /**
   * Rooms' ticker samples are sent this many rooms per turn of the event loop: one callback that
   * encoded and wrote several hundred rooms' lists held the loop (and an alert arriving meanwhile)
   * for tens of milliseconds.
   */
  const TICKER_ROOMS_PER_TURN = 32;
  let tickerSending: NodeJS.Immediate | undefined;

  function sendTickers(due: [string, TickerItem[]][], from: number): void {
    tickerSending = undefined;
    const end = Math.min(due.length, from + TICKER_ROOMS_PER_TURN);
    try {
      for (let i = from; i < end; i++) {
        const [code, items] = due[i]!;
        // Leaving out a room's public screens costs a set of its sockets per send: only when it has any.
        if (localSize(publicRoom(code)) === 0) io.local.to(regionRoom(code)).volatile.emit('ticker', items);
        else {
          io.local.to(regionRoom(code)).except(publicRoom(code)).volatile.emit('ticker', items);
          io.local.to(publicRoom(code)).volatile.emit('ticker', items.map(maskTickerItem));
        }
      }
    } catch (err) {
      logger.error({ err }, 'hub ticker failed');
    }
    if (end < due.length) tickerSending = setImmediate(() => sendTickers(due, end));
  }

  /** Drops rooms nobody here watches any more. */
  function dropIdleRooms(): void {
    try {
      for (const [code, room] of rooms) {
        if (localRoomSize(code) === 0 && room.joining === 0) {
          clearTimeout(room.timer);
          rooms.delete(code);
          ticker.delete(code);
        }
      }
    } catch (err) {
      logger.error({ err }, 'dropping idle rooms failed');
    }
  }

  /** Sends the rooms' ticker samples. */
  function flushTickers(): void {
    // The last samples still going out: these wait for the next flush.
    if (tickerSending) return;
    const due = [...ticker].filter(([, items]) => items.length);
    ticker.clear();
    if (due.length) sendTickers(due, 0);
  }

  let pipeline: PipelineStatus | undefined;
  const greet = (socket: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>) => {
    if (pipeline) socket.emit('pipeline', pipeline);
  };
  io.on('connection', greet);

  const timer = setInterval(dropIdleRooms, intervalMs);
  const tickerTimer = setInterval(flushTickers, opts.tickerEveryMs ?? 1000);
  opts.localAlerts?.listen(onAlert);
  const noticeChannels = new Set(opts.noticeChannels);
  const subscription = await subscribe(
    opts.subscriber,
    [
      ...noticeChannels,
      opts.alertChannel,
      ...(opts.problemChannel ? [opts.problemChannel] : []),
      ...(opts.wallChannel ? [opts.wallChannel] : []),
    ],
    (channel, message) => {
      if (noticeChannels.has(channel)) onNotice(message);
      else if (channel === opts.alertChannel) {
        if (!opts.localAlerts?.echo(message)) onAlert(message);
      } else if (channel === opts.problemChannel) onProblem(message);
      else if (channel === opts.wallChannel) onWallPush(message);
    },
    // Notices published while the subscription was down (a Redis restart, a failover) are lost:
    // every room reads its snapshot again, and its screens get the difference as a delta.
    () => {
      logger.info({ rooms: rooms.size }, 'notices subscription back; refreshing every room');
      for (const [code, room] of rooms) {
        room.owe(undefined);
        room.dirty = true;
        schedule(code, room);
      }
    },
  );

  /**
   * One snapshot read for a batch of joining sockets. Joins take a read slot too (before the room's
   * lock, in the same order as refreshes, so the two never wait on each other in a cycle): a
   * thousand screens subscribing at once are read a few rooms at a time instead of holding a
   * thousand snapshots in memory together.
   */
  function readForJoins(code: string, r: RoomState): JoinBatch {
    const batch: JoinBatch = { sockets: [], reading: false, reply: Promise.resolve(undefined), alerts: [] };
    batch.reply = slots.take('join', Date.now()).then(() =>
      r
        .serialize(async () => {
          batch.reading = true;
          const alertsHeard = r.alertMark();
          // Cleared before the read, so a notice that arrives while it is in flight leaves the room
          // dirty and its change reaches these sockets as the next delta.
          r.dirty = false;
          const { owed } = r.startRead(Date.now(), true);
          let snap: Snapshot | undefined;
          try {
            snap = await read(code, 'join');
          } catch (err) {
            // Redis did not answer: a change already owed to the room's sockets is still owed.
            r.dirty = true;
            r.owe(owed);
            throw err;
          } finally {
            if (r.joinBatch === batch) r.joinBatch = undefined;
          }
          if (!snap) return undefined;
          r.readDone(snap, {}, Date.now());
          // Bring the sockets already in the room to this snapshot first, so the newcomers and they
          // share one state and one sequence from here on.
          const changes = r.advance(snap);
          if (changes) emitDelta({ region: code, seq: r.seq, asOf: snap.asOf, changes });
          // Before the newcomers join: they have this digest in their snapshot already.
          sendProblems(code, r, snap);
          for (const id of batch.sockets) {
            const socket = io.sockets.sockets.get(id);
            if (!socket) continue;
            enter(socket, code);
            for (const a of batch.alerts) socket.emit('alert', socket.data.publicMode ? maskAlert(a) : a);
          }
          const reply = new JoinReply({ ...snap, seq: r.seq });
          r.keep(reply, alertsHeard, reuseJoinMs);
          return reply;
        })
        .finally(release),
    );
    return batch;
  }

  const reuseJoinMs = opts.reuseJoinMs ?? 5000;
  const enter = (socket: ServerSocket, code: string) =>
    void socket.join(socket.data.publicMode ? [publicRoom(code), regionRoom(code)] : regionRoom(code));

  return {
    async join(socketId, code) {
      let room = rooms.get(code);
      if (!room) rooms.set(code, (room = new RoomState()));
      const r = room;
      // A screen joining soon after others, while nothing changed, gets their snapshot (it is
      // the room's state: the next delta continues from its sequence number) and enters at once.
      const kept = r.reusable();
      const socket = kept && io.sockets.sockets.get(socketId);
      if (kept && socket) {
        enter(socket, code);
        return kept;
      }
      r.joining++;
      try {
        // Screens joining a room together (a reconnect storm) share one read: a batch takes
        // newcomers until its read has started, and while it reads as long as no notice has made
        // the room dirty since (then the next batch reads the newer state). Every socket of a
        // batch joins the room in the same step, after the read, with the same sequence number.
        let batch = r.joinBatch;
        if (!batch || (batch.reading && r.dirty)) batch = r.joinBatch = readForJoins(code, r);
        batch.sockets.push(socketId);
        return await batch.reply;
      } finally {
        r.joining--;
      }
    },
    async leave(socketId, code) {
      const socket = io.sockets.sockets.get(socketId);
      await socket?.leave(publicRoom(code));
      await socket?.leave(regionRoom(code));
    },
    pipeline(reading) {
      const changed = pipeline?.state !== reading.state;
      pipeline = {
        state: reading.state,
        lagEntries: reading.lagEntries,
        oldestAgeSeconds: reading.oldestAgeSeconds,
        at: isoBeijing(opts.clock.now()),
      };
      if (changed || reading.state !== 'ok') io.local.emit('pipeline', pipeline);
    },
    async stop() {
      io.off('connection', greet);
      clearInterval(timer);
      clearInterval(tickerTimer);
      clearImmediate(tickerSending);
      for (const room of rooms.values()) clearTimeout(room.timer);
      await subscription.stop();
    },
  };
}
