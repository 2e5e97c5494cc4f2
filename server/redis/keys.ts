/**
 * Every Redis key name, from small pure functions. All keys of one province share the hash tag
 * `{62}`, so a province is one Redis Cluster slot: its multi-key scripts stay atomic, and a
 * country's provinces spread over the cluster's nodes.
 */
export interface Keys {
  /** Prefix the Lua scripts build their own keys from (they get it as an argument). */
  prefix: string;
  /** The hash tag's two digits: the province whose keys these are (`00` for the nation's). */
  tag: string;
  /** The log of record. */
  events: string;
  /** Where systems that speak Redis may XADD events directly; validated like HTTP ingest. */
  inbound: string;
  /**
   * Dedupe mark of one event id as a key of its own, as versions before the mark buckets wrote it
   * (still checked until they have all expired: server/ingest/marks.ts).
   */
  legacyEventMark(id: string): string;
  /** One bucket of event-id dedupe marks (server/ingest/marks.ts), a hash of id → day. */
  eventMarks(bucket: number): string;
  /** The mark buckets' layout: their count and the legacy keys' end. */
  eventMarkLayout: string;
  /** The lease of the aggregator sweeping the mark buckets this period. */
  eventMarkSweep: string;
  /** The answer of one ingest script call, kept briefly so a re-sent call gets the same answer. */
  ingestReceipt(token: string): string;
  /** One bucket of case states (server/aggregate/case-store.ts owns the shape), a hash of case id → state. */
  caseBucket(bucket: number): string;
  /** The case buckets' count, written at first use and checked at every start. */
  caseBucketLayout: string;
  /** The lease of the aggregator sweeping the case buckets this period. */
  caseSweep: string;
  /** A case as a key of its own, as versions before the case buckets wrote it (moved at start). */
  legacyCase(caseId: string): string;
  /**
   * The case index (server/aggregate/case-index.ts): a county's open cases of one kind (`i`/`d`),
   * scored by the time of their earliest event (ms), members carrying the case's place below the
   * county. `c`: its closed cases in one set, as written before 2026-12-06 (now only converted).
   */
  caseIndex(county: string, kind: 'i' | 'd', state: 'o' | 'c'): string;
  /** A county's closed cases of one kind whose earliest event was on Beijing day `day`. */
  caseIndexDay(county: string, kind: 'i' | 'd', day: number): string;
  /** The case index's layout this Redis holds (server/aggregate/legacy-case-index.ts converts older ones once). */
  caseIndexLayout: string;
  day(region: string, day: number): string;
  month(region: string, month: string): string;
  open(region: string): string;
  /** Township and village counts of one township and day, one field per combination (see server/aggregate/contribution.ts). */
  lowDay(township: string, day: number): string;
  lowMonth(township: string, month: string): string;
  /** Lease of the run that packs the townships' closed months (server/counters/month-pack.ts). */
  monthPackLease: string;
  lowOpen(township: string): string;
  /** Open disputes by their next SLA deadline (ms). */
  slaQueue: string;
  /**
   * The history import's ledger of one file (server/import/ledger.ts): its reference time and the
   * chunks of it this province has committed, by the file's SHA-256.
   */
  importLedger(digest: string): string;
  /** Pub/sub channel of change notices from the aggregator to the realtime hubs. */
  notices: string;
  /** 重点问题 (server/problems/ owns what they hold). */
  problems: ProblemKeys;
  /** 上报及时率 counters of a region and Beijing month `YYYYMM` (server/assessment/report-timeliness.ts). */
  timeliness(region: string, month: string): string;
  /** Marks a 失联 episode as counted against 上报及时率. */
  timelinessEpisode(id: string): string;
  /** A region's frozen 督办考核 of a finished month `YYYYMM` (server/assessment/store.ts), written once. */
  assessment(region: string, month: string): string;
  /** Set once every region's assessment and 平安指数 of month `YYYYMM` were frozen by the monthly timer. */
  monthFrozen(month: string): string;
  /** Held by the one process running the monthly freeze of `YYYYMM`, so two do not do the work twice. */
  monthFreezeLock(month: string): string;
  /**
   * Set while a source is still delivering history (server/history-fill.ts): the epoch ms its
   * history starts from. Months from there on are not frozen until it is gone.
   */
  historyFill: string;
  /** A wall that is up (hash; expires unless its socket's server refreshes it). See server/walls/registry.ts. */
  wall(id: string): string;
  /** Ids of the walls that are up, scored by when their record expires (ms): the list to read them from. */
  walls: string;
  /** One 上墙 order (JSON), kept a day past its end so a late release is told it expired. */
  wallOrder(id: string): string;
  /** The order a wall follows (its id), expiring with the order. */
  wallFollow(wallId: string): string;
  /** Pub/sub channel of wall orders and releases, heard by every server's hub. */
  wallPush: string;
  /**
   * Replay (server/replay/): the current epoch's id (ms of its base); the commit script reads it to
   * pick the log a batch's case changes go to.
   */
  replayEpoch: string;
  /** Every replay epoch: member and score its base's time (ms). */
  replayEpochs: string;
  /** One epoch's base: counter key → that hash as JSON at the base's instant; `~alerts` the open alerts. */
  replayBase(epoch: string): string;
  /** Case changes committed during one epoch, one list per hour (ms / 3,600,000) of their commit time. */
  replayLog(epoch: string, hour: number): string;
  /** Alert views as published, one list per hour of publication. */
  replayAlerts(hour: number): string;
  /** Ticker events as sent to the screens, one list per hour of sending. */
  replayTicker(hour: number): string;
  /** A closed hour of one epoch's log, its records newline-joined and raw-deflated (server/replay/pack.ts). */
  replayLogPacked(epoch: string, hour: number): string;
  /** A closed hour of the ticker, packed as the log's. */
  replayTickerPacked(hour: number): string;
  /** The last hour whose log and ticker lists have been packed (server/replay/pack.ts). */
  replayPackedUpTo: string;
}

/** Keys of the problem register (降星销号); the shapes are spelled in server/problems/store.ts. */
export interface ProblemKeys {
  /** Hash `{v, doc}`: the problem as one JSON document and its version. */
  problem(id: string): string;
  /** Append-only history list (JSON lines). */
  history(id: string): string;
  /** Problems of a region's subtree: `all` by registration, `open` by registration, `closed` by 销号 time. */
  index(region: string, bucket: 'all' | 'open' | 'closed'): string;
  /** Open problems and their stars in a region's subtree (hash `open`, `stars`), for the map. */
  stars(region: string): string;
  /** Problems a department leads, partners in or owns a milestone of, by registration. */
  department(id: string): string;
  /** Deadlines (ms) of milestones not done and not yet flagged, members `<id>\n<n>`. */
  due: string;
  /** Problems a level supervises (挂牌督办), by deadline (ms; none: 2^53-1). */
  supervised(region: string): string;
  /** Pub/sub channel the realtime hubs relay as the socket `problem` event. */
  channel: string;
}

export const AGGREGATOR_GROUP = 'aggregator';

export function createKeys(root: string, app = 'pa'): Keys {
  const prefix = `${app}:{${root.slice(0, 2)}}:`;
  return {
    prefix,
    events: `${prefix}events`,
    inbound: `${prefix}inbound`,
    tag: root.slice(0, 2),
    legacyEventMark: (id) => `${prefix}ev:${id}`,
    eventMarks: (bucket) => `${prefix}evm:${bucket}`,
    eventMarkLayout: `${prefix}evmlayout`,
    eventMarkSweep: `${prefix}evmsweep`,
    ingestReceipt: (token) => `${prefix}rcpt:${token}`,
    caseBucket: (bucket) => `${prefix}cs:${bucket}`,
    caseBucketLayout: `${prefix}cslayout`,
    caseSweep: `${prefix}cssweep`,
    legacyCase: (caseId) => `${prefix}case:${caseId}`,
    caseIndex: (region, kind, state) => `${prefix}cx:${region}:${kind}${state}`,
    caseIndexDay: (county, kind, day) => `${prefix}cx:${county}:${kind}c:${day}`,
    caseIndexLayout: `${prefix}cxlayout`,
    day: (region, day) => `${prefix}day:${region}:${day}`,
    month: (region, month) => `${prefix}mon:${region}:${month}`,
    open: (region) => `${prefix}open:${region}`,
    lowDay: (township, day) => `${prefix}lday:${township}:${day}`,
    lowMonth: (township, month) => `${prefix}lmon:${township}:${month}`,
    monthPackLease: `${prefix}lmonpack`,
    lowOpen: (township) => `${prefix}lopen:${township}`,
    slaQueue: `${prefix}sla`,
    importLedger: (digest) => `${prefix}imp:${digest}`,
    notices: `${prefix}notices`,
    problems: {
      problem: (id) => `${prefix}pr:${id}`,
      history: (id) => `${prefix}pr:${id}:h`,
      index: (region, bucket) => `${prefix}prx:${region}:${bucket}`,
      stars: (region) => `${prefix}prs:${region}`,
      department: (id) => `${prefix}prd:${id}`,
      due: `${prefix}prdue`,
      supervised: (region) => `${prefix}prsup:${region}`,
      channel: `${prefix}problems`,
    },
    // `wtl:`/`wtlep:` are the names these counters had under server/warnings/: kept, so a running
    // system's months stay readable after the move.
    timeliness: (region, month) => `${prefix}wtl:${region}:${month}`,
    timelinessEpisode: (id) => `${prefix}wtlep:${id}`,
    assessment: (region, month) => `${prefix}asm:${region}:${month}`,
    monthFrozen: (month) => `${prefix}asmdone:${month}`,
    monthFreezeLock: (month) => `${prefix}asmlock:${month}`,
    historyFill: `${prefix}histfill`,
    wall: (id) => `${prefix}wall:${id}`,
    walls: `${prefix}walls`,
    wallOrder: (id) => `${prefix}wallorder:${id}`,
    wallFollow: (wallId) => `${prefix}wallfollow:${wallId}`,
    wallPush: `${prefix}wallpush`,
    replayEpoch: `${prefix}rp:epoch`,
    replayEpochs: `${prefix}rp:epochs`,
    replayBase: (epoch) => `${prefix}rp:base:${epoch}`,
    replayLog: (epoch, hour) => `${prefix}rp:log:${epoch}:${hour}`,
    replayAlerts: (hour) => `${prefix}rp:al:${hour}`,
    replayTicker: (hour) => `${prefix}rp:tk:${hour}`,
    replayLogPacked: (epoch, hour) => `${prefix}rp:logz:${epoch}:${hour}`,
    replayTickerPacked: (hour) => `${prefix}rp:tkz:${hour}`,
    replayPackedUpTo: `${prefix}rp:packed`,
  };
}

/**
 * The keys of a deployment: `root` for what it has once (users, secrets, ingest keys, the audit
 * trail: `{00}` for the nation), and one `Keys` per province served for everything written per
 * event (its stream, cases, counters, alerts), so an event never leaves its province's slot.
 * A province deployment has one province and its root keys are that province's.
 */
export interface KeyRing {
  root: Keys;
  provinces: readonly string[];
  /** The keys of the province `code` lies in (the root's for the nation itself). */
  of(code: string): Keys;
}

export function createKeyRing(root: string, provinces: readonly string[] = [root], app = 'pa'): KeyRing {
  const rootKeys = createKeys(root, app);
  const byProvince = new Map(provinces.map((p) => [p, p === root ? rootKeys : createKeys(p, app)]));
  return {
    root: rootKeys,
    provinces,
    of: (code) => byProvince.get(code.slice(0, 2)) ?? rootKeys,
  };
}

/** A single province's keys as a ring of one, for callers that take either. */
export function asKeyRing(k: Keys | KeyRing): KeyRing {
  return 'of' in k ? k : { root: k, provinces: [], of: () => k };
}
