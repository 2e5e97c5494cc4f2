/**
 * The 督办考核 service: live for the current month (computed, kept a minute), frozen for the months
 * before (computed once and stored: the monthly timer freezes every region at 00:05 on the 1st,
 * and a request for a finished month not yet frozen freezes that region's first).
 */
import type { RedisClient } from '../redis/connection.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import type { Department } from '../../shared/schemas/department.ts';
import type { Clock } from '../clock.ts';
import type { Alerts } from '../alerts/service.ts';
import type { DepartmentRegistry } from '../departments/registry.ts';
import type { HistoryFill } from '../history-fill.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { DISPUTES, INCIDENTS } from '../counters/fields.ts';
import { readCounterSums } from '../counters/read.ts';
import type { RegionTree } from '../regions/tree.ts';
import { currentMonth, oldestKept } from '../safety-index/months.ts';
import { TtlCache } from '../safety-index/ttl-cache.ts';
import { resolveLimitMs, type WarningsConfig } from '../warnings/config.ts';
import { readAlertRecords, type AlertRecord } from './alert-records.ts';
import { computeAssessment, type ComputeDeps, type MonthAssessment } from './compute.ts';
import type { ProblemSource } from './problem-source.ts';
import { freezeReplies, readFrozen } from './store.ts';

export interface AssessmentDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring (frozen months under its root's keys). */
  keys: Keys | KeyRing;
  tree: RegionTree;
  clock: Clock;
  alerts: Pick<Alerts, 'keys' | 'store'>;
  departments: Pick<DepartmentRegistry, 'callable'>;
  rules: Pick<WarningsConfig, 'resolveMinutes'>;
  /** The 重点问题 register's reader; absent: 重点问题台账未启用. */
  problems?: ProblemSource;
  liveTtlMs?: number;
  /** History still arriving: a finished month it reaches is computed, not frozen, meanwhile. */
  historyFill?: Pick<HistoryFill, 'filling'>;
}

/**
 * Levels with an assessment of their own (上报及时率, like the desks that are assessed, stops at the
 * township); the nation's desks are its provinces.
 */
const ASSESSED = ['nation', 'province', 'city', 'county', 'township'] as const;
const FREEZE_BATCH = 100;

export class Assessment {
  private readonly compute: ComputeDeps;
  private readonly live: TtlCache<MonthAssessment>;
  /** Where frozen months live: the deployment's root (`{00}` for the nation). */
  private readonly root: Keys;

  constructor(private readonly deps: AssessmentDeps) {
    this.root = asKeyRing(deps.keys).root;
    this.compute = {
      redis: deps.redis,
      keys: deps.keys,
      resolveLimitMs: (l) => resolveLimitMs(deps.rules, l),
      ...(deps.problems ? { problems: deps.problems } : {}),
    };
    this.live = new TtlCache(64, () => deps.clock.now());
  }

  get problemRegister(): boolean {
    return this.deps.problems !== undefined;
  }

  /** The months that may be asked for (`YYYYMM`): those whose counters are kept, up to the current one. */
  offered(): { oldest: string; current: string } {
    const now = this.deps.clock.now();
    return { oldest: oldestKept(now), current: currentMonth(now) };
  }

  /** Whether a region has an assessment of its own (the nation or a province down to township). */
  assessed(code: string): boolean {
    const level = this.deps.tree.get(code)?.level;
    return level !== undefined && (ASSESSED as readonly string[]).includes(level);
  }

  async reply(code: string, month: string): Promise<AssessmentReply> {
    if (month !== this.offered().current) {
      const [frozen] = await readFrozen(this.deps.redis, this.root, month, [code]);
      if (frozen) return frozen;
    }
    return (await this.month(code, month)).reply;
  }

  /**
   * The reply and the month's judged alerts (the 通报 lists them): live for the current month;
   * for a finished one the frozen reply (frozen now if it was not yet) with its alerts as they are.
   */
  async month(code: string, month: string): Promise<MonthAssessment> {
    if (month === this.offered().current)
      return this.live.get(`${code}:${month}`, this.deps.liveTtlMs ?? 60_000, () => this.computeFor(code, month, true));
    const [frozen] = await readFrozen(this.deps.redis, this.root, month, [code]);
    // Its history still on the way: figures as they stand, marked provisional, and nothing frozen.
    if (!frozen && (await this.filling(month))) return this.computeFor(code, month, true);
    const computed = await this.computeFor(code, month, false);
    if (frozen) return { ...computed, reply: frozen };
    await freezeReplies(this.deps.redis, this.root, month, [computed.reply]);
    // Read back: another process may have frozen it first, and its numbers count.
    const [stored] = await readFrozen(this.deps.redis, this.root, month, [code]);
    return { ...computed, reply: stored ?? computed.reply };
  }

  /**
   * Freezes every assessed region's `month` (a finished one) that is not frozen yet, reading the
   * month's alerts once for the whole tree. Idempotent: returns how many regions it wrote (0 the
   * second time).
   */
  async freezeMonth(month: string): Promise<number> {
    const { tree, redis } = this.deps;
    const keys = this.root;
    if (month >= this.offered().current) throw new Error(`month ${month} has not ended`);
    if (await this.filling(month)) return 0;
    // Root first (the nation, or the province), then every level below it down to the township.
    const codes = ASSESSED.flatMap((l) => tree.codesAt(l)).filter((c) => this.assessed(c));
    const missing: string[] = [];
    for (let i = 0; i < codes.length; i += 500) {
      const part = codes.slice(i, i + 500);
      const frozen = await readFrozen(redis, keys, month, part);
      part.forEach((c, j) => {
        if (!frozen[j]) missing.push(c);
      });
    }
    if (missing.length === 0) return 0;
    const all = await this.alertsOf(tree.root, month);
    let written = 0;
    for (let i = 0; i < missing.length; i += FREEZE_BATCH) {
      const replies = await Promise.all(
        missing.slice(i, i + FREEZE_BATCH).map(async (code) => {
          const alerts = all.filter((a) => a.region.startsWith(code));
          return (await this.computeFor(code, month, false, alerts)).reply;
        }),
      );
      written += await freezeReplies(redis, keys, month, replies);
    }
    return written;
  }

  /** Whether history is still arriving for `month` (server/history-fill.ts): then it is not frozen. */
  filling(month: string): Promise<boolean> {
    return this.deps.historyFill?.filling(month) ?? Promise.resolve(false);
  }

  /** Whether anything was counted in `month` at all: cases at the root (the nation: its provinces), or alerts. */
  async hasData(month: string): Promise<boolean> {
    const { redis, keys, tree } = this.deps;
    const [sums, alerts] = await Promise.all([
      readCounterSums(redis, keys, [tree.root], { month }),
      redis.zcard(this.deps.alerts.keys.created(tree.root, month)),
    ]);
    const h = sums.get(tree.root) ?? {};
    return Number(h[INCIDENTS] ?? 0) + Number(h[DISPUTES] ?? 0) + alerts > 0;
  }

  private async alertsOf(code: string, month: string): Promise<AlertRecord[]> {
    const ids = await this.deps.alerts.store.createdIn(code, month);
    return readAlertRecords(this.deps.redis, this.deps.alerts.keys, ids);
  }

  private async ownDepartments(code: string): Promise<Department[]> {
    return (await this.deps.departments.callable(code)).filter((d) => d.region === code);
  }

  private async computeFor(
    code: string,
    month: string,
    provisional: boolean,
    alerts?: AlertRecord[],
  ): Promise<MonthAssessment> {
    const info = this.deps.tree.info(code);
    if (!info) throw new Error(`unknown region ${code}`);
    const [records, departments] = await Promise.all([alerts ?? this.alertsOf(code, month), this.ownDepartments(code)]);
    return computeAssessment(this.compute, {
      region: { code: info.code, name: info.name, level: info.level },
      // The children the screens show: a city whose only county bears its name (嘉峪关) lists its townships.
      children: info.children,
      departments,
      month,
      now: this.deps.clock.now(),
      provisional,
      alerts: records,
    });
  }
}
