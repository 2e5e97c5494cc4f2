import type { AlertState, AlertView, DepartmentView, RuleId } from '../../shared/schemas/alert.ts';
import { OPEN_ALERT_STATES, type AlertHistoryEntry } from '../../shared/alert-machine.ts';
import type { FeedbackResult } from '../../shared/schemas/department.ts';
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

interface StoredDepartment {
  at: number;
  by: string;
  o?: number;
  nm?: string;
  id?: string;
  ah?: number;
  rb?: number;
  late?: number;
  ci?: number;
  cb?: string;
  /** Checked in on behalf by a desk: the reason ('' when none was given). */
  ob?: string;
  fb?: { t: string; res: FeedbackResult; at: number; by: string; ob?: string };
  as?: { t: string; at: number; by: string };
}

const reason = (r: string) => (r ? { reason: r } : {});

/** Departments in the order they were named (`o`, kept by the transition script). */
function departments(d: Hash): DepartmentView[] {
  return Object.entries(d)
    .map(([key, raw]) => ({ key, v: JSON.parse(raw) as StoredDepartment }))
    .sort((a, b) => (a.v.o ?? 0) - (b.v.o ?? 0))
    .map(({ key, v }) => ({
      // Dispatches before the registry stored the name as the field itself.
      name: v.nm ?? key,
      ...(v.id ? { id: v.id } : {}),
      ...(v.ah ? { adhoc: true } : {}),
      dispatchedAt: isoBeijing(v.at),
      dispatchedBy: v.by,
      ...(v.rb ? { reportBy: isoBeijing(v.rb) } : {}),
      ...(v.late ? { lateAt: isoBeijing(v.late) } : {}),
      ...(v.ci ? { checkedInAt: isoBeijing(v.ci), checkedInBy: v.cb ?? '' } : {}),
      ...(v.ob !== undefined ? { checkinOnBehalf: reason(v.ob) } : {}),
      ...(v.fb
        ? {
            feedback: {
              text: v.fb.t,
              result: v.fb.res,
              at: isoBeijing(v.fb.at),
              by: v.fb.by,
              ...(v.fb.ob !== undefined ? { onBehalf: reason(v.fb.ob) } : {}),
            },
          }
        : {}),
      ...(v.as ? { assist: { text: v.as.t, at: isoBeijing(v.as.at), by: v.as.by } } : {}),
    }));
}

/** The alert hash written by the Lua scripts, as screens see it. */
/** `now` decides whether a supervised alert is overdue. */
export function toView(h: Hash, d: Hash = {}, now = 0): AlertView {
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
  if (h.supR) {
    const deadline = h.supDl ? Number(h.supDl) : undefined;
    v.supervision = {
      by: h.supBy ?? '',
      region: h.supR,
      at: iso(h.supAt)!,
      ...(deadline ? { deadline: isoBeijing(deadline) } : {}),
      ...(h.supReq ? { requirement: h.supReq } : {}),
      overdue: deadline !== undefined && deadline < now && OPEN_ALERT_STATES.includes(v.state),
    };
  }
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
  const e = JSON.parse(raw) as Omit<AlertHistoryEntry, 'at' | 'deadline'> & { at: number; deadline?: number };
  const { deadline, ...rest } = e;
  return { ...rest, at: isoBeijing(e.at), ...(deadline ? { deadline: isoBeijing(Number(deadline)) } : {}) };
}
