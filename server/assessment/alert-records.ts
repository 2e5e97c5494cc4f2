/**
 * The alerts of a month as the assessment reads them: each alert's hash, departments and history,
 * in one pipeline per few hundred alerts. The alerts module owns these shapes (server/alerts/);
 * this is a reader that keeps only what the figures and the 通报 need, in milliseconds.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { AlertState } from '../../shared/schemas/alert.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import type { AlertKeys } from '../alerts/keys.ts';

export interface AlertStep {
  at: number;
  by: string;
  action: string;
  /** ack: the signing deadline it met or missed; late: the report-in deadline. */
  deadline?: number;
}

export interface DepartmentRecord {
  /** Registry id; absent for an ad-hoc department (not assessed). */
  id?: string;
  name: string;
  dispatchedAt: number;
  /** Report-in deadline. */
  reportBy?: number;
  checkedInAt?: number;
  feedback?: { at: number; result: string };
}

export interface AlertRecord {
  id: string;
  level: WarningLevel;
  rule: string;
  region: string;
  desk: string;
  state: AlertState;
  title: string;
  createdAt: number;
  /** Current signing deadline (absent once signed). */
  due?: number;
  supervision?: { region: string; deadline?: number };
  departments: DepartmentRecord[];
  /** Oldest first. */
  history: AlertStep[];
}

const CHUNK = 300;
const ms = (v: string | undefined) => (v ? Number(v) : undefined);

interface StoredDepartment {
  at: number;
  o?: number;
  nm?: string;
  id?: string;
  rb?: number;
  ci?: number;
  fb?: { res: string; at: number };
}

function decode(h: Record<string, string>, d: Record<string, string>, hist: string[]): AlertRecord | undefined {
  if (!h.id) return undefined;
  const departments = Object.entries(d)
    .map(([key, raw]) => ({ key, v: JSON.parse(raw) as StoredDepartment }))
    .sort((a, b) => (a.v.o ?? 0) - (b.v.o ?? 0))
    .map(({ key, v }) => ({
      ...(v.id ? { id: v.id } : {}),
      name: v.nm ?? key,
      dispatchedAt: v.at,
      ...(v.rb ? { reportBy: Number(v.rb) } : {}),
      ...(v.ci ? { checkedInAt: Number(v.ci) } : {}),
      ...(v.fb ? { feedback: { at: Number(v.fb.at), result: v.fb.res } } : {}),
    }));
  const history = hist.map((raw) => {
    const e = JSON.parse(raw) as { at: number; by: string; action: string; deadline?: number | string };
    return { at: Number(e.at), by: e.by, action: e.action, ...(e.deadline ? { deadline: Number(e.deadline) } : {}) };
  });
  const due = ms(h.due);
  const supDeadline = ms(h.supDl);
  return {
    id: h.id,
    level: h.level as WarningLevel,
    rule: h.rule ?? '',
    region: h.region!,
    desk: h.desk ?? h.region!,
    state: h.state as AlertState,
    title: h.title ?? '',
    createdAt: Number(h.ca),
    ...(due ? { due } : {}),
    ...(h.supR ? { supervision: { region: h.supR, ...(supDeadline ? { deadline: supDeadline } : {}) } } : {}),
    departments,
    history,
  };
}

/** The records of these alerts (an id whose alert has expired is left out). */
export async function readAlertRecords(
  redis: RedisClient,
  keys: AlertKeys,
  ids: readonly string[],
): Promise<AlertRecord[]> {
  const out: AlertRecord[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const p = redis.pipeline();
    for (const id of chunk) {
      p.hgetall(keys.alert(id));
      p.hgetall(keys.departments(id));
      p.lrange(keys.history(id), 0, -1);
    }
    const replies = (await p.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    for (let j = 0; j < chunk.length; j++) {
      const [h, d, hist] = replies.slice(j * 3, j * 3 + 3).map(([, v]) => v) as [
        Record<string, string>,
        Record<string, string>,
        string[],
      ];
      const r = decode(h, d, hist);
      if (r) out.push(r);
    }
  }
  return out;
}
