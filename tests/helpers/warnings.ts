import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { RedisClient } from '../../server/redis/connection.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Category, Kind, Status } from '../../shared/vocab.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { ManualClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { createKeys, type Keys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { applyBatch, sweepOverdue, type ApplyResult } from '../../server/aggregate/apply.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { loadRulesConfig, parseRulesConfig, type WarningsConfig } from '../../server/warnings/config.ts';
import { setupAlerting, type Alerting } from '../../server/warnings/setup.ts';
import { reportsOption } from '../../server/assessment/report-timeliness.ts';
import { alertsFromRules } from '../../server/alerts/service.ts';
import { startTestRedis, type TestRedis } from './redis.ts';

export const MIN = 60_000;
export const HOUR = 3600_000;
export const DAY = 86_400_000;

/** Beijing wall-clock time as epoch ms: `bj('2026-11-24T08:50')`. */
export const bj = (local: string) => Date.parse(`${local}:00+08:00`);

/** Fields of a test event; kind, category and status loose so one helper makes both kinds. */
export type EventOver = Partial<Omit<StoredEvent, 'kind' | 'category' | 'status'>> & {
  ts: number;
  kind?: Kind;
  category?: Category;
  status?: Status;
};

let seq = 0;
/** A stored event with sensible defaults: a new incident in a Zhangye village, now. */
export function ev(over: EventOver): StoredEvent {
  seq++;
  const id = over.id ?? `ev-${seq}`;
  return {
    id,
    caseId: over.caseId ?? `case-${id}`,
    kind: 'incident',
    category: 'public_order',
    status: 'reported',
    severity: 1,
    region: '620702001001',
    occurredAt: new Date(over.ts).toISOString(),
    channel: 'police_110',
    summary: '测试事件',
    source: 'test',
    ...over,
  } as StoredEvent;
}

export interface RulesHarness {
  redis: RedisClient;
  keys: Keys;
  clock: ManualClock;
  tree: RegionTree;
  alerting: Alerting;
  /** Aggregates a batch the way the pipeline does, then runs the rules on it. */
  feed(events: StoredEvent[]): Promise<ApplyResult>;
  /** Only aggregates (history the rules should not see as new). */
  backfill(events: StoredEvent[]): Promise<void>;
  /** The SLA sweep and the rules on its result. */
  sweep(): Promise<void>;
  open(region?: string): Promise<AlertView[]>;
  stop(): Promise<void>;
}

/** Deep-merges `patch` into the default rules file, then validates, as the server would at start. */
export function rulesWith(patch: Record<string, unknown>): WarningsConfig {
  const base = JSON.parse(JSON.stringify(loadRulesConfig())) as Record<string, unknown>;
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      if (v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object')
        merge(a[k] as Record<string, unknown>, v as Record<string, unknown>);
      else a[k] = v;
    }
  };
  merge(base, patch);
  return parseRulesConfig(base);
}

/** A real redis-server, the real aggregation scripts and the real rules, with a clock the test moves. */
export async function startRulesHarness(
  now: number,
  rules?: WarningsConfig,
): Promise<RulesHarness & { testRedis: TestRedis }> {
  const testRedis = await startTestRedis({ appendonly: false });
  const redis = testRedis.client();
  const keys = createKeys('62');
  const clock = new ManualClock(now);
  const tree = await loadRegionTree('62');
  const config = rules ?? loadRulesConfig();
  const alerting = setupAlerting({
    redis,
    keys,
    clock,
    logger: createLogger('silent', false),
    tree,
    rules: config,
    alerts: alertsFromRules({ redis, keys, clock }, config),
    // As the composition roots wire it: 上报及时率 counts where events are aggregated.
    ...reportsOption(redis, keys, config.timeliness),
  });
  // As the pipeline wires it: the rules' event counts (上报及时率) go into the aggregation's commit.
  const countEvent = alerting.warnings.countEvent;
  const ctx = { redis, keys, sla: slaTable(), ...(countEvent ? { countEvent } : {}) };
  const entries = (events: StoredEvent[]) => events.map((event) => ({ entryId: '', event }));
  return {
    testRedis,
    redis,
    keys,
    clock,
    tree,
    alerting,
    async feed(events) {
      const es = entries(events);
      // As the pipeline does: the rules (the stateless checks among them) once counted.
      const result = await applyBatch(ctx, es, clock.now(), false);
      await alerting.warnings.onApplied(es, result);
      return result;
    },
    async backfill(events) {
      for (let i = 0; i < events.length; i += 1000)
        await applyBatch(ctx, entries(events.slice(i, i + 1000)), clock.now(), false);
    },
    async sweep() {
      const r = await sweepOverdue(ctx, clock.now());
      if (r.touched.length) await alerting.warnings.onSwept(r);
    },
    open: (region = '62') => alerting.alerts.list(region, 'open'),
    stop: () => testRedis.stop(),
  };
}

/**
 * One harness for a test file: started before its tests, its Redis emptied and its clock set back to
 * `now` before each, stopped after all. `use` receives it once started.
 */
export function useRulesHarness(now: number, use: (h: RulesHarness) => void): void {
  let h: (RulesHarness & { testRedis: TestRedis }) | undefined;
  beforeAll(async () => {
    h = await startRulesHarness(now);
    use(h);
  });
  afterAll(async () => h?.stop());
  beforeEach(async () => {
    await h!.redis.flushdb();
    h!.alerting.warnings.forget();
    h!.clock.set(now);
  });
}
