import type { AlertState, AlertView, DepartmentView, RuleId } from '../../shared/schemas/alert.ts';
import type { AlertHistoryEntry } from '../../shared/alert-machine.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import { isoBeijing } from '../time/beijing.ts';

export type Hash = Record<string, string>;

/** `[k1, v1, k2, v2…]` (a Lua HGETALL) as an object. */
export function pairs(flat: readonly string[] | null | undefined): Hash {
  const out: Hash = {};
  if (!flat) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

const iso = (ms: string | undefined) => (ms ? isoBeijing(Number(ms)) : undefined);

/** Departments in the order they were named (`o`, kept by the transition script). */
function departments(d: Hash): DepartmentView[] {
  return Object.entries(d)
    .map(([name, raw]) => ({
      name,
      v: JSON.parse(raw) as { at: number; by: string; o?: number; ci?: number; cb?: string },
    }))
    .sort((a, b) => (a.v.o ?? 0) - (b.v.o ?? 0))
    .map(({ name, v }) => ({
      name,
      dispatchedAt: isoBeijing(v.at),
      dispatchedBy: v.by,
      ...(v.ci ? { checkedInAt: isoBeijing(v.ci), checkedInBy: v.cb ?? '' } : {}),
    }));
}

/** The alert hash written by the Lua scripts, as screens see it. */
export function toView(h: Hash, d: Hash = {}): AlertView {
  const depts = departments(d);
  const v: AlertView = {
    id: h.id!,
    level: h.level as WarningLevel,
    rule: h.rule as RuleId,
    region: h.region!,
    state: h.state as AlertState,
    title: h.title ?? '',
    createdAt: iso(h.ca)!,
    updatedAt: iso(h.ua)!,
    count: Number(h.n ?? 1),
    desk: h.desk!,
  };
  if (h.sup === '1') v.supervised = true;
  if (h.by) v.actor = h.by;
  if (h.caseId) v.caseId = h.caseId;
  if (h.sb) v.signedBy = h.sb;
  if (h.sa) v.signedAt = iso(h.sa)!;
  if (h.due) v.signBy = iso(h.due)!;
  if (depts.length) v.departments = depts;
  return v;
}

/** A history line as stored by the scripts (times in ms), for the API. */
export function toHistory(raw: string): AlertHistoryEntry {
  const e = JSON.parse(raw) as Omit<AlertHistoryEntry, 'at'> & { at: number };
  return { ...e, at: isoBeijing(e.at) };
}
