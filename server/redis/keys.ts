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
