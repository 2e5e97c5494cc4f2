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
    wall: (id) => `${prefix}wall:${id}`,
    walls: `${prefix}walls`,
    wallOrder: (id) => `${prefix}wallorder:${id}`,
    wallFollow: (wallId) => `${prefix}wallfollow:${wallId}`,
    wallPush: `${prefix}wallpush`,
  };
}
