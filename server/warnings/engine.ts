import type { RedisClient } from '../redis/connection.ts';
import { ancestry } from '../../shared/regions.ts';
import { WARNING_LEVEL_LABELS } from '../../shared/vocab.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Keys } from '../redis/keys.ts';
import type { AfterAggregation } from '../aggregate/pipeline.ts';
import type { Entry, ApplyResult, SweepResult } from '../aggregate/apply.ts';
import { publishNotice } from '../notices.ts';
import type { Alerts } from '../alerts/service.ts';
import { raised, signLimitMs, tuningFor, type WarningsConfig } from './config.ts';
import { warningKeys } from './keys.ts';
import { RULE_MODULES } from './rules/index.ts';
import type { AppliedEvent, RuleEnv, RuleModule, Warning } from './types.ts';
import { streamTime } from '../aggregate/stream-time.ts';
import { arrivalsWhenAsked, replayedAt, type Arrivals } from './replayed.ts';
import type { EventCounter } from '../aggregate/apply.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

export interface WarningsDeps {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  alerts: Alerts;
  config: WarningsConfig;
  /** Region name below the province, e.g. 张掖市甘州区梁家墩镇. */
  place: (code: string) => string;
  /**
   * 上报及时率's counting (server/assessment/report-timeliness.ts), when enabled: the count of each
   * applied event, written in the aggregator's commit, and of each 失联 episode a rule finds.
   */
  reports?: {
    countEvent: EventCounter;
    episode(e: { id: string; region: string }, now: number): Promise<unknown>;
  };
}

export interface WarningsEngine extends AfterAggregation {
  /**
   * The checks that need no state (a 命案 marker's red alert), on events as they are appended: the
   * ingest's hook (IngestDeps.onAccepted). `onApplied` runs them again on every counted batch, for
   * an event whose hook a crash lost; the raise counts each evidence id once. `appended`: from the
   * hook (a warning's alert most likely does not exist yet).
   */
  atOnce(events: StoredEvent[], appended?: boolean): Promise<void>;
  /** Runs the periodic rules whose time has come (all of them with `force`). */
  tick(force?: boolean): Promise<void>;
  /** Starts the periodic timer; returns its teardown. */
  start(everyMs?: number): () => void;
  /** Drops what rules keep between batches (baselines read earlier), for a store emptied or rewritten. */
  forget(): void;
}

/** The alert a warning counts on: one per rule, region and subject (or case). */
const groupOf = (w: Warning) => `${w.rule}:${w.region}:${w.subject ?? w.caseId ?? ''}`;

/** The duty desk that signs first: the township of a village, else the region itself. */
export function deskFor(region: string): string {
  return region.length > 9 ? region.slice(0, 9) : region;
}

type AnyRule = RuleModule<unknown>;

/**
 * Runs the rules after each aggregated batch and each SLA sweep, and on a timer for what no event
 * announces; turns their warnings into alerts. A failing rule is logged and skipped: the batch is
 * already acknowledged, and the other rules and the screens' notices must still go out.
 */
export function createWarnings(deps: WarningsDeps): WarningsEngine {
  const { config, logger } = deps;
  const env: RuleEnv = {
    redis: deps.redis,
    keys: deps.keys,
    wkeys: warningKeys(deps.keys),
    clock: deps.clock,
    place: deps.place,
    tuning: (region, now) => tuningFor(config, region, now),
  };
  const rules = (RULE_MODULES as readonly AnyRule[])
    .map((m) => ({ m, cfg: (config.rules as Record<string, unknown>)[m.id] as { enabled: boolean } }))
    .filter((r) => r.cfg.enabled);
  const lastTick = new Map<string, number>();

  /**
   * Runs one hook of every rule and raises each rule's warnings as soon as that rule is done. The
   * rules are independent (each its own keys), so they run together: a red 命案风险 waits neither
   * for the other rules' Redis round trips nor for their warnings.
   */
  async function run(
    what: string,
    fn: (m: AnyRule, cfg: unknown) => Promise<Warning[]> | Warning[] | undefined,
    arrivals?: () => Arrivals,
    likelyNew = false,
  ): Promise<void> {
    await Promise.all(
      rules.map(async ({ m, cfg }) => {
        let warnings: Warning[];
        try {
          warnings = (await fn(m, cfg)) ?? [];
        } catch (err) {
          logger.error({ err, rule: m.id, what }, 'warning rule failed; its warnings for this batch are lost');
          return;
        }
        await raise(warnings, arrivals, likelyNew);
      }),
    );
  }

  /**
   * `arrivals`: the batch's events, for warnings an event hook found (replayed history is dated);
   * `likelyNew`: their groups most likely have no alert yet (RaiseInput.likelyNew).
   */
  async function raise(warnings: Warning[], arrivals?: () => Arrivals, likelyNew = false): Promise<void> {
    if (!warnings.length) return;
    const now = deps.clock.now();
    const touched = new Set<string>();
    // Warnings that may repeat what is counted ask first, in one round trip for the lot; those
    // likely new (at ingest, on the red alert's path) go straight to their raise.
    const groups = warnings.map(groupOf);
    const news = likelyNew
      ? undefined
      : await deps.alerts.store
          .uncounted(warnings.map((w, i) => ({ group: groups[i]!, evidenceIds: w.evidence.map((e) => e.id) })))
          .catch((err: unknown) => {
            logger.error({ err }, 'reading which warnings are counted failed; raising them all');
            return undefined;
          });
    // Raised together (one Redis round trip for the lot, not one per warning); the raise script is
    // atomic per alert group, so two warnings of one group still count twice, in some order.
    const one = async (w: Warning, i: number) => {
      // A 失联 episode counts against 上报及时率 whether or not an operator silenced its alerts:
      // the region did not report either way.
      if (w.episode && deps.reports) {
        await deps.reports
          .episode(w.episode, now)
          .catch((err: unknown) =>
            logger.error({ err, episode: w.episode }, 'counting a 失联 episode against 上报及时率 failed'),
          );
      }
      if (news && !news[i]) return;
      // A warning about replayed history is raised as it would have been then: created at its
      // event's arrival, under the sensitive periods and sign time of that moment.
      const at = arrivals ? replayedAt(w, arrivals(), now) : undefined;
      const then = at ?? now;
      const t = env.tuning(w.region, then);
      const level = t.raiseLevel ? raised(w.level) : w.level;
      const note = t.periods.length ? `（敏感时期「${t.periods.join('」「')}」：阈值收紧，签收时限缩短）` : '';
      try {
        const r = await deps.alerts.raise({
          rule: w.rule,
          level,
          region: w.region,
          desk: w.desk ?? deskFor(w.region),
          ...(w.caseId ? { caseId: w.caseId } : {}),
          group: groups[i]!,
          title: w.title,
          explanation: `【${WARNING_LEVEL_LABELS[level]}】${w.explanation}${note}`,
          signLimitMs: signLimitMs(config, level, w.region, then),
          evidence: w.evidence,
          ...(at === undefined ? {} : { at }),
          ...(likelyNew ? { likelyNew } : {}),
        });
        if (r.code === 'N' || r.code === 'U') for (const c of ancestry(r.alert.region)) touched.add(c);
      } catch (err) {
        logger.error({ err, rule: w.rule, region: w.region }, 'raising an alert failed');
      }
    };
    await Promise.all(warnings.map(one));
    // One notice per rule and batch, so the rooms refresh their alert counts once for the lot.
    if (touched.size)
      await publishNotice(deps.redis, deps.keys, { touched: [...touched], events: [], parts: ['alerts'] });
  }

  async function tick(force = false): Promise<void> {
    const now = deps.clock.now();
    await run('tick', (m, cfg) => {
      if (!m.onTick) return undefined;
      const every = m.tickEveryMs?.(cfg) ?? 60_000;
      if (!force && now - (lastTick.get(m.id) ?? -Infinity) < every) return undefined;
      lastTick.set(m.id, now);
      return m.onTick(env, now, cfg);
    });
  }

  /** The batch's counted events as the rules see them. */
  function appliedOf(entries: Entry[], result: ApplyResult): AppliedEvent[] {
    // Conflicting events are not counted, so no rule sees them; redeliveries are harmless (idempotent).
    const applied: AppliedEvent[] = [];
    const overdue = new Set(result.overdue);
    entries.forEach((e, i) => {
      const code = result.codes[i];
      if (!code || code === 'C') return;
      const receivedAt = e.event.receivedAt ?? streamTime(e.entryId);
      applied.push({
        event: e.event,
        code,
        ...(receivedAt === undefined ? {} : { receivedAt }),
        ...(overdue.has(e.event.caseId) ? { overdue: true as const } : {}),
      });
    });
    return applied;
  }

  async function atOnce(events: StoredEvent[], appended = false): Promise<void> {
    if (events.length)
      await run(
        'arrived',
        (m, cfg) => m.onEventsAtOnce?.(env, events, cfg),
        arrivalsWhenAsked(() => events),
        appended,
      );
  }

  return {
    atOnce,
    async onApplied(entries: Entry[], result: ApplyResult) {
      const again = atOnce(entries.map((e) => e.event));
      const applied = appliedOf(entries, result);
      if (!applied.length) return again;
      const counted = run(
        'events',
        (m, cfg) => m.onEvents?.(env, applied, cfg),
        arrivalsWhenAsked(() =>
          applied.map((a) => ({
            id: a.event.id,
            caseId: a.event.caseId,
            receivedAt: a.receivedAt,
            replayed: a.event.replayed,
          })),
        ),
      );
      await Promise.all([again, counted]);
    },
    ...(deps.reports ? { countEvent: deps.reports.countEvent } : {}),
    async onSwept(swept: SweepResult) {
      if (!swept.changed.length) return;
      await run('sweep', (m, cfg) => m.onSwept?.(env, swept, cfg));
    },
    tick,
    forget() {
      for (const { m } of rules) m.forget?.(env);
    },
    start(everyMs = 10_000) {
      const timer = setInterval(() => {
        tick().catch((err: unknown) => logger.error({ err }, 'warning tick failed'));
      }, everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
