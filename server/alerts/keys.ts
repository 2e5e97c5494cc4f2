import type { Keys } from '../redis/keys.ts';

/**
 * Redis keys of the alerts module, all under the province prefix (hash tag `{62}`), so every
 * alert script touches one cluster slot. The Lua scripts spell the same names from the prefix and
 * get each one in KEYS (script-keys.ts); the Lua key check of the test suite keeps the two in step.
 */
export interface AlertKeys {
  prefix: string;
  alert(id: string): string;
  /** Append-only history list (JSON lines). */
  history(id: string): string;
  /** Capped evidence list (JSON lines). */
  evidence(id: string): string;
  /** Departments hash: name → JSON. */
  departments(id: string): string;
  /** Alerts of a region's subtree in one bucket, scored level first then newest first. */
  index(region: string, bucket: 'open' | 'resolved' | 'closed'): string;
  /** Open alerts whose desk is this region. */
  desk(region: string): string;
  /** Open alert counts by level in a region's subtree. */
  counts(region: string): string;
  /** Sign deadlines (ms) of unsigned alerts, for the escalation timer. */
  due: string;
  /** The open alert of a group of warnings (its id). */
  group(group: string): string;
  /** An evidence id already counted on a group's alert. */
  evidenceMark(group: string, evidenceId: string): string;
  /** A rule silenced for a region's subtree (value JSON, expires with the silence). */
  silence(rule: string, region: string): string;
  /** Every silence by expiry, for listing. */
  silences: string;
  /** Alerts dispatched to a registry department (its tasks), by dispatch time. */
  tasks(department: string): string;
  /** Report-in deadlines (ms) of dispatched departments not yet reported, members `<alert id>\n<department key>`. */
  reportDue: string;
  /** Alerts a level supervises (挂牌督办), by deadline (ms; none: 2^53-1). */
  supervised(region: string): string;
  /** Alerts created in a Beijing month `YYYYMM` in a region's subtree, by creation time (the 督办考核 reads it). */
  created(region: string, month: string): string;
  /** Pub/sub channel the realtime hubs relay as the socket `alert` event (AlertView JSON). */
  channel: string;
}

export function alertKeys(keys: Pick<Keys, 'prefix'>): AlertKeys {
  const p = keys.prefix;
  return {
    prefix: p,
    alert: (id) => `${p}al:${id}`,
    history: (id) => `${p}al:${id}:h`,
    evidence: (id) => `${p}al:${id}:e`,
    departments: (id) => `${p}al:${id}:d`,
    index: (region, bucket) => `${p}alx:${region}:${bucket}`,
    desk: (region) => `${p}ald:${region}`,
    counts: (region) => `${p}alc:${region}`,
    due: `${p}aldue`,
    group: (group) => `${p}alg:${group}`,
    evidenceMark: (group, evidenceId) => `${p}wm:${group}:${evidenceId}`,
    silence: (rule, region) => `${p}asil:${rule}:${region}`,
    silences: `${p}asils`,
    tasks: (department) => `${p}altask:${department}`,
    reportDue: `${p}alrep`,
    supervised: (region) => `${p}alsup:${region}`,
    created: (region, month) => `${p}alm:${region}:${month}`,
    channel: `${p}alerts`,
  };
}
