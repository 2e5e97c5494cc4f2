import type { Keys } from '../redis/keys.ts';

/** Redis keys of the warning rules' own state, under the province prefix (hash tag `{62}`). */
export interface WarningKeys {
  /** The rules' small records as fields of bucket hashes (rule-buckets.ts). */
  ruleBucket(n: number): string;
  /** The lease of the rule buckets' sweep. */
  ruleSweep: string;
  /** Before 2026-12-06: a party's cases as a sorted set of its own (now a field of its rule bucket). */
  legacyParty(kind: 'd' | 'p', party: string): string;
  /** Petition cases of a village, scored by time. */
  villagePetitions(village: string): string;
  /** Before 2026-12-06: a dispute case's first severity as a hash of its own (now a rule bucket's field). */
  legacyCaseSeverity(caseId: string): string;
  /** Incident positions of one category in one hour bucket (GEO set). */
  geo(category: string, hourBucket: number): string;
  /** Last time each county and township (and the whole province) reported (ms), for the silence rule. */
  lastSeen: string;
  /** When events came back after the whole province had been quiet (the system was down). */
  resumedAt: string;
  /** Disputes found overdue when applied, by when to judge them (ms): after their backlog. */
  overdueCheck: string;
  /** Last time each source system reported (ms), for the silence rule's source check. */
  sourceSeen: string;
  /** New cases a source system reported per hour of one Beijing day (fields `0`–`23`, `n` the day), by time received. */
  sourceHours(source: string, day: number): string;
  /** The smallest region holding everything a source system reported (its area when no key binds it). */
  sourceArea: string;
}

export function warningKeys(keys: Pick<Keys, 'prefix'>): WarningKeys {
  const p = keys.prefix;
  return {
    ruleBucket: (n) => `${p}wb:${n}`,
    ruleSweep: `${p}wbsweep`,
    legacyParty: (kind, party) => `${p}wp:${kind}:${party}`,
    villagePetitions: (village) => `${p}wv:${village}`,
    legacyCaseSeverity: (caseId) => `${p}wsev:${caseId}`,
    geo: (category, hourBucket) => `${p}wg:${category}:${hourBucket}`,
    lastSeen: `${p}wseen`,
    resumedAt: `${p}wresumed`,
    overdueCheck: `${p}wodcheck`,
    sourceSeen: `${p}wsrcseen`,
    sourceHours: (source, day) => `${p}wsrc:${day}:${source}`,
    sourceArea: `${p}wsrcarea`,
  };
}
