import type { RedisClient } from '../redis/connection.ts';
import type { z } from 'zod';
import type { AlertEvidence } from '../../shared/alert-machine.ts';
import type { RuleId } from '../../shared/schemas/alert.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import type { Clock } from '../clock.ts';
import type { Keys } from '../redis/keys.ts';
import type { ApplyCode, SweepResult } from '../aggregate/apply.ts';
import type { WarningKeys } from './keys.ts';

/** What a rule found: one warning, grouped by the alerts module into an alert with a count. */
export interface Warning {
  rule: RuleId;
  level: WarningLevel;
  region: string;
  /** The duty desk that must sign first; by default the region's township (or county). */
  desk?: string;
  caseId?: string;
  /** What groups warnings besides rule and region: the case, a party, a category. */
  subject?: string;
  title: string;
  /** Chinese, for a person: which events, which threshold, which baseline. */
  explanation: string;
  /** Each counts once per alert, however often the rule sees it again. */
  evidence: AlertEvidence[];
  /**
   * A 失联 episode this warning reports: counted once (by `id`, however often the rule sees it
   * again) against `region`'s 上报及时率 (server/assessment/report-timeliness.ts).
   */
  episode?: { id: string; region: string };
}

/** How a sensitive period (重大活动、敏感节点) changes the rules for a region while it lasts. */
export interface Tuning {
  /** Multiplies count thresholds (< 1 fires sooner). */
  thresholdFactor: number;
  /** Multiplies the time to sign. */
  timeFactor: number;
  /** Raises each warning one level. */
  raiseLevel: boolean;
  /** Names of the active periods, for the explanation. */
  periods: string[];
}

export interface RuleEnv {
  redis: RedisClient;
  keys: Keys;
  wkeys: WarningKeys;
  clock: Clock;
  /** 张掖市甘州区梁家墩镇 — the region's name below the province. */
  place(code: string): string;
  tuning(region: string, now: number): Tuning;
}

export interface AppliedEvent {
  event: StoredEvent;
  /** N new case, U case updated, D redelivered (rules are idempotent, so it is seen again harmlessly). */
  code: ApplyCode;
  /**
   * When ingest took it (epoch ms): the event's `receivedAt`, else its stream entry's time;
   * undefined when neither is known (an event applied outside the stream).
   */
  receivedAt?: number;
  /** Its case, a dispute, is flagged overdue once the batch is applied (ApplyResult.overdue). */
  overdue?: true;
}

/** One rule: its config schema (a part of the rules file) and the hooks it needs. */
export interface RuleModule<C> {
  id: RuleId;
  schema: z.ZodType<C>;
  onEvents?(env: RuleEnv, events: AppliedEvent[], cfg: C): Promise<Warning[]>;
  /**
   * Checks of single events that need no stored state (a weapon in a dispute): run as soon as the
   * aggregator has read the events, beside their counting and ahead of the rules of earlier
   * batches, so such an alert waits for nothing. They see every event read, also one the counts
   * will refuse (a kind contradicting its case): a threat to kill is a threat even then. Pure and
   * idempotent (a redelivered event raises nothing new); anything that reads Redis belongs in onEvents.
   */
  onEventsAtOnce?(env: RuleEnv, events: StoredEvent[], cfg: C): Warning[];
  onSwept?(env: RuleEnv, swept: SweepResult, cfg: C): Promise<Warning[]>;
  /** Periodic checks for what no event announces (silence). */
  onTick?(env: RuleEnv, now: number, cfg: C): Promise<Warning[]>;
  /** How often (clock time) onTick wants to run. */
  tickEveryMs?(cfg: C): number;
  /** Drops anything the rule keeps in memory between batches. */
  forget?(env: RuleEnv): void;
}

/** Scales a count threshold by a sensitive period's factor; never below 1. */
export function scaled(n: number, t: Tuning): number {
  return Math.max(1, Math.round(n * t.thresholdFactor));
}
