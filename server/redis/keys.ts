/**
 * Every Redis key name, from small pure functions. All keys of one province share the hash tag
 * `{62}`, so a province is one Redis Cluster slot: its multi-key scripts stay atomic, and a
 * country's provinces spread over the cluster's nodes.
 */
export interface Keys {
  /** Prefix the Lua scripts build their own keys from (they get it as an argument). */
  prefix: string;
  /** The log of record. */
  events: string;
  /** Where systems that speak Redis may XADD events directly; validated like HTTP ingest. */
  inbound: string;
  /** Dedupe marker of one event id, set when the event enters the log of record. */
  eventMark(id: string): string;
  case(caseId: string): string;
  day(region: string, day: number): string;
  month(region: string, month: string): string;
  open(region: string): string;
  /** Township and village counts of one township and day, one field per combination (see server/aggregate/contribution.ts). */
  lowDay(township: string, day: number): string;
  lowMonth(township: string, month: string): string;
  lowOpen(township: string): string;
  /** Open disputes by their next SLA deadline (ms). */
  slaQueue: string;
  /** Pub/sub channel of change notices from the aggregator to the realtime hubs. */
  notices: string;
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
}

export const AGGREGATOR_GROUP = 'aggregator';

export function createKeys(root: string, app = 'pa'): Keys {
  const prefix = `${app}:{${root.slice(0, 2)}}:`;
  return {
    prefix,
    events: `${prefix}events`,
    inbound: `${prefix}inbound`,
    eventMark: (id) => `${prefix}ev:${id}`,
    case: (caseId) => `${prefix}case:${caseId}`,
    day: (region, day) => `${prefix}day:${region}:${day}`,
    month: (region, month) => `${prefix}mon:${region}:${month}`,
    open: (region) => `${prefix}open:${region}`,
    lowDay: (township, day) => `${prefix}lday:${township}:${day}`,
    lowMonth: (township, month) => `${prefix}lmon:${township}:${month}`,
    lowOpen: (township) => `${prefix}lopen:${township}`,
    slaQueue: `${prefix}sla`,
    notices: `${prefix}notices`,
    replayEpoch: `${prefix}rp:epoch`,
    replayEpochs: `${prefix}rp:epochs`,
    replayBase: (epoch) => `${prefix}rp:base:${epoch}`,
    replayLog: (epoch, hour) => `${prefix}rp:log:${epoch}:${hour}`,
    replayAlerts: (hour) => `${prefix}rp:al:${hour}`,
    replayTicker: (hour) => `${prefix}rp:tk:${hour}`,
  };
}
