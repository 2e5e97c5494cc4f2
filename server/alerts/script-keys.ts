import { ancestry, parentOf } from '../../shared/regions.ts';
import type { AlertKeys } from './keys.ts';

/**
 * The keys each alert script may touch, declared in KEYS before it runs (server/redis/lua.ts):
 * the scripts spell the same names from the prefix, and a name they build that is not here fails
 * the key check. Some names depend on the alert's state (its group's current alert, its desk), so
 * the caller reads those first and the script answers RETRY when they moved meanwhile.
 */

/** Every index, desk and count an alert of `region` at `desk` can be filed under. */
function placeKeys(k: AlertKeys, region: string, desks: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of ancestry(region)) {
    out.push(k.index(r, 'open'), k.index(r, 'resolved'), k.index(r, 'closed'), k.counts(r));
  }
  for (const d of desks) out.push(k.desk(d));
  return out;
}

function alertOwnKeys(k: AlertKeys, id: string): string[] {
  return [k.alert(id), k.history(id), k.evidence(id), k.departments(id)];
}

export interface RaiseKeyInput {
  rule: string;
  region: string;
  desk: string;
  group: string;
  newId: string;
  evidenceIds: readonly string[];
  /** The Beijing month `YYYYMM` a new alert is counted in (its `created` index). */
  month: string;
  /** The group's alert as read before the script: its id, desk and region. */
  current?: { id: string; desk: string; region: string };
}

export function raiseKeys(k: AlertKeys, w: RaiseKeyInput): string[] {
  const keys = [k.due, k.group(w.group)];
  for (const r of ancestry(w.region)) keys.push(k.silence(w.rule, r));
  for (const e of w.evidenceIds) keys.push(k.evidenceMark(w.group, e));
  keys.push(...alertOwnKeys(k, w.newId), ...placeKeys(k, w.region, [w.desk]));
  for (const r of ancestry(w.region)) keys.push(k.created(r, w.month));
  if (w.current) keys.push(...alertOwnKeys(k, w.current.id), ...placeKeys(k, w.current.region, [w.current.desk]));
  return [...new Set(keys)];
}

export interface TransitionKeyInput {
  id: string;
  /** The alert as read before the script (undefined: not found). */
  current?: { region: string; desk: string; group: string };
  /** Registry departments a dispatch names (their task lists). */
  departmentIds?: readonly string[];
  /** The supervising level of 挂牌督办. */
  supervisor?: string;
}

export function transitionKeys(k: AlertKeys, t: TransitionKeyInput): string[] {
  const keys = [k.due, k.reportDue, ...alertOwnKeys(k, t.id)];
  const c = t.current;
  if (c) {
    const up = parentOf(c.desk);
    keys.push(k.group(c.group), ...placeKeys(k, c.region, up ? [c.desk, up] : [c.desk]));
  }
  for (const d of t.departmentIds ?? []) keys.push(k.tasks(d));
  if (t.supervisor !== undefined) keys.push(k.supervised(t.supervisor));
  return [...new Set(keys)];
}
