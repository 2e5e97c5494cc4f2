import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import type { AlertView, RuleId } from '../../shared/schemas/alert.ts';
import type { LevelCounts } from '../../shared/schemas/snapshot.ts';
import { TRANSITIONS, type AlertAction, type AlertDetail, type AlertEvidence } from '../../shared/alert-machine.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import type { Clock } from '../clock.ts';
import { RETENTION } from '../counters/retention.ts';
import { buckets } from '../time/beijing.ts';
import type { AlertKeys } from './keys.ts';
import { runLua } from '../redis/lua.ts';
import { hashesBySlot } from '../redis/by-slot.ts';
import { RAISE_SCRIPT, TRANSITION_SCRIPT } from './scripts.ts';
import { raiseKeys, transitionKeys } from './script-keys.ts';
import { pairs, toHistory, toView, type Hash } from './view.ts';

/** Evidence kept per alert for the detail view; `count` keeps the full number. */
export const EVIDENCE_CAP = 50;

export interface RaiseInput {
  rule: RuleId;
  level: WarningLevel;
  region: string;
  /** The duty desk that must sign first. */
  desk: string;
  caseId?: string;
  /** Warnings with the same group land on the same open alert. */
  group: string;
  title: string;
  explanation: string;
  signLimitMs: number;
  evidence: AlertEvidence[];
  /**
   * For a warning about replayed history (the simulator's backfill): when it would have been
   * raised (its triggering event's arrival). The alert is created then, counted in that month,
   * and kept out of the sign timer (raise.lua says why). Unset: now.
   */
  at?: number;
  /**
   * The group most likely has no alert yet (a case's first 命案 marker, checked as it is appended):
   * the first try assumes so instead of reading the group, a round trip less on the red alert's
   * path; if it has one after all, the script answers RETRY and the group is read.
   */
  likelyNew?: boolean;
}

export type RaiseResult = { code: 'N' | 'U'; alert: AlertView } | { code: 'D' | 'S' };

/** One department named at dispatch, resolved against the registry by the route. */
export interface DispatchTarget {
  /** Its field in the departments hash: the registry id, or the name of an ad-hoc one. */
  key: string;
  name: string;
  id?: string;
  adhoc?: boolean;
  /** Report-in deadline, ms. */
  reportBy: number;
}

/** checkin / feedback / assist / late: which department, and what it says. */
export interface TaskStep {
  key: string;
  onBehalf?: boolean;
  reason?: string;
  text?: string;
  result?: string;
}

export interface ActInput {
  /** `late` is the report-in sweep's step (history only, no user posts it). */
  action: AlertAction | 'late';
  actor: string;
  note?: string;
  /** dispatch: names for the audit trail, and the resolved targets. */
  departments?: string[];
  targets?: DispatchTarget[];
  /** checkin, feedback, assist, late */
  department?: string;
  step?: TaskStep;
  /** supervise: the supervising level, deadline (ms) and requirement. */
  supervision?: { region: string; deadline?: number; requirement?: string };
  /** resolve: why, although dispatched departments have not checked in. */
  override?: string;
  /** escalate: the new desk's time to sign. */
  signLimitMs?: number;
  /** escalate by the timer: only when the deadline has really passed. */
  auto?: boolean;
  /** The actor's home region: the desk must be inside it when the script runs (none for the timer). */
  scope?: string;
  /**
   * When the step happened, for the simulator's desks settling replayed history's alerts
   * (settle-history.ts); never from a request. Unset: now.
   */
  at?: number;
}

export type RefusalReason =
  | 'state'
  | 'top'
  | 'not_due'
  | 'already_dispatched'
  | 'no_department'
  | 'checked_in'
  | 'not_checked_in'
  | 'supervised'
  | 'dep_not_checked_in'
  | 'fed_back'
  | 'out_of_scope';
export type ActResult =
  | { ok: true; alert: AlertView }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: RefusalReason; alert: AlertView };

export interface IndexPage {
  alerts: AlertView[];
  counts: LevelCounts;
  byChild: Record<string, LevelCounts>;
}

const LEVEL_FIELDS = ['red', 'orange', 'yellow', 'blue'] as const;

function levelCounts(h: Hash | undefined): LevelCounts {
  return {
    red: Number(h?.red ?? 0),
    orange: Number(h?.orange ?? 0),
    yellow: Number(h?.yellow ?? 0),
    blue: Number(h?.blue ?? 0),
  };
}

/** Tries of a script whose keys moved between the read and the script (another process acted). */
const MAX_ATTEMPTS = 10;

/** The sweep's step: it flags a department still unreported on a dispatched alert. */
const LATE = { from: ['dispatched'] as const, to: undefined };

/** The script's tenth argument, per action (server/alerts/scripts/transition.lua says the shapes). */
function scriptArgument(input: ActInput): string {
  switch (input.action) {
    case 'dispatch':
      // Without resolved targets (callers inside the server), names are taken as they are, with no deadline.
      return JSON.stringify(
        (input.targets ?? (input.departments ?? []).map((name) => ({ key: name, name }) as DispatchTarget)).map(
          (t) => ({
            k: t.key,
            nm: t.name,
            ...(t.reportBy ? { rb: Math.round(t.reportBy) } : {}),
            ...(t.id ? { id: t.id } : {}),
            ...(t.adhoc ? { ah: 1 } : {}),
          }),
        ),
      );
    case 'checkin':
    case 'feedback':
    case 'assist':
    case 'late': {
      const s = input.step ?? { key: input.department ?? '' };
      return JSON.stringify({
        k: s.key,
        ...(s.onBehalf ? { ob: 1 } : {}),
        ...(s.reason ? { r: s.reason } : {}),
        ...(s.text ? { t: s.text } : {}),
        ...(s.result ? { res: s.result } : {}),
      });
    }
    case 'supervise': {
      const v = input.supervision;
      return JSON.stringify({
        reg: v?.region ?? '',
        ...(v?.deadline ? { dl: v.deadline } : {}),
        ...(v?.requirement ? { req: v.requirement } : {}),
      });
    }
    case 'resolve':
      return input.override ?? '';
    default:
      return input.auto ? 'auto' : '';
  }
}

/** Short, sortable, unguessable enough to show on a console: `al-m3k2x9qa-7f3a1c`. */
export function newAlertId(now: number): string {
  return `al-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Alerts in Redis: every change goes through one atomic script; reads in one round trip. */
export class AlertStore {
  constructor(
    private readonly redis: RedisClient,
    readonly keys: AlertKeys,
    private readonly clock: Clock,
  ) {}

  /**
   * For each group and its evidence ids: whether raising would count anything, i.e. some id is not
   * yet marked on the group (raise.lua sets the marks). One round trip for the lot; a warning that
   * fires again on what it already counted (a spike window still high, a batch's checks run again
   * after ingest ran them) is then left out before its group lookup and its 48-key script.
   * An unreadable answer says yes: the raise decides, as before.
   */
  async uncounted(items: readonly { group: string; evidenceIds: readonly string[] }[]): Promise<boolean[]> {
    const asked = items.filter((it) => it.evidenceIds.length);
    if (!asked.length) return items.map(() => true);
    // Every mark is under the alerts' one hash tag, so the lot is one pipeline on a cluster too.
    const p = this.redis.pipeline();
    for (const it of asked) p.exists(...it.evidenceIds.map((id) => this.keys.evidenceMark(it.group, id)));
    const replies = (await p.exec()) ?? [];
    let i = 0;
    return items.map((it) => {
      if (!it.evidenceIds.length) return true;
      const [err, marked] = replies[i++] ?? [new Error('no reply')];
      return err !== null || Number(marked) < it.evidenceIds.length;
    });
  }

  async raise(w: RaiseInput): Promise<RaiseResult> {
    for (let attempt = 1; ; attempt++) {
      const now = w.at ?? this.clock.now();
      const newId = newAlertId(now);
      // What the script's keys depend on: the group's alert now (RETRY below if it moves meanwhile).
      const currentId = attempt === 1 && w.likelyNew ? '' : ((await this.redis.get(this.keys.group(w.group))) ?? '');
      const [desk, region] = currentId ? await this.redis.hmget(this.keys.alert(currentId), 'desk', 'region') : [];
      const keys = raiseKeys(this.keys, {
        rule: w.rule,
        region: w.region,
        desk: w.desk,
        group: w.group,
        newId,
        evidenceIds: w.evidence.map((e) => e.id),
        month: buckets(now).month,
        ...(currentId ? { current: { id: currentId, desk: desk ?? '', region: region ?? w.region } } : {}),
      });
      const args: (string | number)[] = [
        this.keys.prefix,
        now,
        newId,
        w.rule,
        w.level,
        w.region,
        w.desk,
        w.caseId ?? '',
        w.group,
        w.title,
        w.explanation,
        Math.round(w.signLimitMs),
        RETENTION.eventMarkTtlS,
        EVIDENCE_CAP,
        w.evidence.length,
        buckets(now).month,
        currentId,
        desk ?? '',
        w.at === undefined ? '' : '1',
      ];
      for (const e of w.evidence) args.push(e.id, JSON.stringify(e));
      const reply = await runLua<[string, string[]?, string[]?]>(this.redis, RAISE_SCRIPT, keys, args);
      const code = reply[0] as 'N' | 'U' | 'D' | 'S' | 'RETRY';
      if (code === 'RETRY') {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`alert group ${w.group} kept changing; raise not applied`);
        continue;
      }
      if (code === 'D' || code === 'S') return { code };
      return { code, alert: toView(pairs(reply[1]), pairs(reply[2]), this.clock.now()) };
    }
  }

  async act(id: string, input: ActInput): Promise<ActResult> {
    const t = input.action === 'late' ? LATE : TRANSITIONS[input.action];
    const arg = scriptArgument(input);
    for (let attempt = 1; ; attempt++) {
      // The desk decides which keys the step may touch: read it, and RETRY if it moved meanwhile.
      const [region, desk, group] = await this.redis.hmget(this.keys.alert(id), 'region', 'desk', 'g');
      const keys = transitionKeys(this.keys, {
        id,
        ...(region && desk ? { current: { region, desk, group: group ?? '' } } : {}),
        departmentIds: (input.targets ?? []).flatMap((d) => (d.id ? [d.id] : [])),
        ...(input.action === 'supervise' ? { supervisor: input.supervision?.region ?? '' } : {}),
      });
      const reply = await runLua<[string, ...unknown[]]>(this.redis, TRANSITION_SCRIPT, keys, [
        this.keys.prefix,
        input.at ?? this.clock.now(),
        id,
        input.action,
        input.actor,
        input.note ?? '',
        t.from.join(','),
        t.to ?? '',
        Math.round(input.signLimitMs ?? 0),
        arg,
        input.scope ?? '',
        desk ?? '',
        input.at === undefined ? '' : '1',
      ]);
      if (reply[0] === 'RETRY') {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`alert ${id} kept moving; ${input.action} not applied`);
        continue;
      }
      if (reply[0] === 'NOTFOUND') return { ok: false, reason: 'not_found' };
      const flat = (reply[0] === 'OK' ? reply[1] : reply[2]) as string[];
      const h = pairs(flat);
      const alert = toView(h, await this.redis.hgetall(this.keys.departments(id)), this.clock.now());
      if (reply[0] === 'OK') return { ok: true, alert };
      return { ok: false, reason: reply[1] as RefusalReason, alert };
    }
  }

  /**
   * A page of an index (level first, newest first), with open counts of `region` and its children:
   * the page's ids, then every alert and count in one script per slot (hashesBySlot: one command
   * where a transaction of one per hash cost a county's snapshot ≈ 40).
   */
  async read(index: string, cap: number, region = '', children: readonly string[] = []): Promise<IndexPage> {
    const ids = await this.redis.zrange(index, 0, String(cap - 1));
    const counted = region ? [region, ...children] : [...children];
    const keys = [
      ...ids.flatMap((id) => [this.keys.alert(id), this.keys.departments(id)]),
      ...counted.map((c) => this.keys.counts(c)),
    ];
    const reads = [...ids.flatMap(() => [undefined, undefined]), ...counted.map(() => LEVEL_FIELDS)];
    const hashes = keys.length ? await hashesBySlot(this.redis, keys, reads) : [];
    const list = ids.map((_, i) => [hashes[2 * i]!, hashes[2 * i + 1]!] as const);
    const counts = hashes.slice(2 * ids.length);
    const mine = region ? counts.shift() : undefined;
    const byChild: Record<string, LevelCounts> = {};
    children.forEach((c, i) => (byChild[c] = levelCounts(counts[i])));
    return {
      // An id left in an index by an expired alert has no fields: skip it rather than show a husk.
      alerts: list.filter(([h]) => h.id !== undefined).map(([h, d]) => toView(h, d, this.clock.now())),
      counts: levelCounts(mine),
      byChild,
    };
  }

  /** The alert as screens see it, or undefined. */
  async view(id: string): Promise<AlertView | undefined> {
    const [h, d] = await Promise.all([
      this.redis.hgetall(this.keys.alert(id)),
      this.redis.hgetall(this.keys.departments(id)),
    ]);
    return h.id ? toView(h, d, this.clock.now()) : undefined;
  }

  /** The alert with its explanation, full history and evidence, read in one transaction. */
  async detail(id: string): Promise<AlertDetail | undefined> {
    const tx = this.redis.multi();
    tx.hgetall(this.keys.alert(id));
    tx.hgetall(this.keys.departments(id));
    tx.lrange(this.keys.history(id), 0, -1);
    tx.lrange(this.keys.evidence(id), 0, -1);
    const replies = await tx.exec();
    if (!replies) throw new Error('alert read aborted');
    for (const [err] of replies) if (err) throw err;
    const [h, d, hist, ev] = replies.map(([, v]) => v) as [Hash, Hash, string[], string[]];
    if (!h.id) return undefined;
    return {
      alert: toView(h, d, this.clock.now()),
      explanation: h.x ?? '',
      history: hist.map(toHistory),
      events: ev.map((e) => JSON.parse(e) as AlertEvidence),
    };
  }

  /** Whether the alert was raised from replayed history (created at its event's time, no sign timer). */
  async replayed(id: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.alert(id), 'hist')) === '1';
  }

  /** The injected clock's time (routes check deadlines against the same clock as the scripts). */
  now(): number {
    return this.clock.now();
  }

  /** Alert ids of a department's tasks, newest dispatch first. */
  async taskIds(department: string, cap: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.tasks(department), 0, cap - 1);
  }

  /** Departments whose report-in deadline has passed without a report: `[alert id, department key]`. */
  async lateReports(now: number, limit = 100): Promise<[string, string][]> {
    const members = await this.redis.zrangebyscore(this.keys.reportDue, '-inf', now, 'LIMIT', 0, limit);
    return members.map((m) => {
      const i = m.indexOf('\n');
      return [m.slice(0, i), m.slice(i + 1)];
    });
  }

  /** Alert ids a level supervises with their deadlines (ms; none is 2^53-1), soonest first. */
  async supervisedBy(region: string, cap: number): Promise<string[]> {
    return this.redis.zrange(this.keys.supervised(region), '0', String(cap - 1));
  }

  /** Ids of supervised alerts of a level whose deadline has passed. */
  async overdueSupervisedBy(region: string, now: number, cap: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.supervised(region), '-inf', now, 'LIMIT', 0, cap);
  }

  /** Ids of the alerts created in a Beijing month `YYYYMM` in a region's subtree, oldest first. */
  async createdIn(region: string, month: string): Promise<string[]> {
    return this.redis.zrange(this.keys.created(region, month), '0', '-1');
  }

  /** Ids of unsigned alerts whose deadline has passed. */
  async overdueForSigning(now: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.due, '-inf', now, 'LIMIT', 0, limit);
  }
}
