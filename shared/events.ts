import type { Ack } from './ack.ts';
import type { Delta } from './delta.ts';
import type { Snapshot } from './schemas/snapshot.ts';
import type { AlertView } from './schemas/alert.ts';
import type { ProblemDigest, ProblemView } from './schemas/problem.ts';
import type { WallDrillReply, WallOrder, WallRelease, WallView } from './schemas/wall.ts';
import type { Category, Channel, Kind, Status } from './vocab.ts';

/** One live event for the scrolling ticker and the map ripple. `summary` is plain text. */
export interface TickerItem {
  id: string;
  kind: Kind;
  category: Category;
  status: Status;
  severity: number;
  region: string;
  regionName: string;
  occurredAt: string;
  channel: Channel;
  summary: string;
  location?: { lng: number; lat: number };
}

/** ok: the aggregate keeps up with ingest; lagging / stalled: its oldest unprocessed event is older than the configured bounds. */
export const PIPELINE_STATES = ['ok', 'lagging', 'stalled'] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

/**
 * How far the numbers on screen trail what was ingested: a property of the events stream, read by
 * every server node, not of one aggregator or of the socket.
 */
export interface PipelineStatus {
  state: PipelineState;
  /** Events ingested but not yet applied to the aggregate (undelivered plus delivered-unacknowledged). */
  lagEntries: number;
  /** Age in whole seconds of the oldest of those events; 0 when there are none. */
  oldestAgeSeconds: number;
  /** When the server read this (ISO 8601, +08:00). */
  at: string;
}

export interface ServerToClientEvents {
  /** Coalesced changes to a subscribed region (≤ 4 per second per room). */
  delta: (delta: Delta) => void;
  /**
   * A new or changed alert in a subscribed region's subtree; never coalesced. A `department`
   * socket gets, without subscribing, every change of an alert dispatched to its department.
   */
  alert: (alert: AlertView) => void;
  /**
   * A registered, changed or struck-off 重点问题 in a subscribed region's subtree; never coalesced.
   * A `department` socket gets, without subscribing, every change of a problem its department
   * leads, partners in or owns a milestone of.
   */
  problem: (problem: ProblemView) => void;
  /**
   * A subscribed region's 重点问题 digest (the snapshot's `problems`) after it changed, whole: it
   * is small, and a public screen gets it masked, which a delta could not do.
   */
  problems: (update: { region: string; digest: ProblemDigest }) => void;
  /** A sample of live events in a subscribed region; volatile (may be dropped when slow). */
  ticker: (items: TickerItem[]) => void;
  /** The pipeline's state: at connection, on every change, and every few seconds while not ok. */
  pipeline: (status: PipelineStatus) => void;
  /** The session ended on the server (token revoked, user disabled); the client must log in again. */
  'session:ended': (reason: string) => void;
  /**
   * A wall socket (handshake `wall`): whether it is registered under its name, once after
   * connecting. A refusal (a bad name) leaves the screen working as an unnamed wall.
   */
  'wall:registered': (reply: Ack<WallView>) => void;
  /** An order this wall follows now (一键上墙), sent again after a reconnect while it is in force. */
  'wall:focus': (order: WallOrder) => void;
  /** The order was released: the wall returns to its own region or rotation if it still follows it. */
  'wall:release': (release: WallRelease) => void;
}

export interface ClientToServerEvents {
  subscribe: (region: string, ack: (reply: Ack<Snapshot>) => void) => void;
  unsubscribe: (region: string, ack?: (reply: Ack<null>) => void) => void;
  /** A main wall drilled to `region`: the walls of its group follow (in step) when its viewer may command them. */
  'wall:drill': (region: string, ack: (reply: Ack<WallDrillReply>) => void) => void;
}

export interface InterServerEvents {
  ping: () => void;
}

export interface SocketData {
  username: string;
  role: string;
  region: string;
  tokenId: string;
  /**
   * Personal data (names, phone and ID numbers in ticker summaries and alert titles) is masked
   * for this socket. On when the account is set to public mode (an admin setting, which the
   * screen cannot turn off) or when the client asks for it in the handshake: `auth: {token, public: true}`.
   */
  publicMode: boolean;
  /** When the token expires (epoch seconds): the socket is ended then. */
  expiresAt: number;
  /** Role `department`: its registry id; the socket is in `departmentRoom(id)` from the start. */
  department?: string;
  /** A named wall: its registered id, once the registration succeeded. */
  wall?: string;
}

/** Room name of a region; the only place a room name is spelled. */
export function regionRoom(code: string): string {
  return `region:${code}`;
}

/**
 * Room of a department's tasks. A `department` socket joins it at connection (it subscribes to no
 * region: `subscribe` answers `out_of_scope`) and hears there the `alert` changes of its tasks.
 */
export function departmentRoom(id: string): string {
  return `dept:${id}`;
}

/** Room of one named wall: its socket (on whichever server process) hears its orders there. */
export function wallRoom(id: string): string {
  return `wall:${id}`;
}
