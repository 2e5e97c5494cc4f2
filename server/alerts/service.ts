import type { RedisClient } from '../redis/connection.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { OPEN_ALERT_STATES } from '../../shared/alert-machine.ts';
import { ancestry, type RegionRef } from '../../shared/regions.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import type { Clock } from '../clock.ts';
import type { Keys } from '../redis/keys.ts';
import { recordAlert } from '../replay/record.ts';
import type { AlertDigest } from '../aggregate/snapshot.ts';
import { publishNotice } from '../notices.ts';
import { alertKeys, type AlertKeys } from './keys.ts';
import { AlertStore, type ActInput, type ActResult, type RaiseInput, type RaiseResult } from './store.ts';
import { Silences } from './silences.ts';
import type { SilenceView } from '../../shared/alert-machine.ts';
import type { AuditLog } from '../audit/log.ts';
import { signLimitMs } from '../warnings/config.ts';
import { publish as publishMessage } from '../redis/pubsub.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { LocalAlertFeed } from './local-feed.ts';

/** Open alerts a snapshot carries; the console lists more through the API. */
export const SNAPSHOT_ALERT_CAP = 50;
/** The most a list request returns. */
export const LIST_CAP = 500;

export type ListBucket = 'open' | 'resolved' | 'closed';

export interface AlertsDeps {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  /** Time to sign at a desk for an alert of this level in this region (sensitive periods shorten it). */
  signLimitMs: (level: WarningLevel, region: string, now: number) => number;
  /** The tamper-evident trail: every action on an alert and every silence goes there too. */
  audit?: Pick<AuditLog, 'append'>;
  /** This process's hub, which hears what is published here before pub/sub brings it back. */
  local?: LocalAlertFeed;
}

export interface Alerts {
  readonly keys: AlertKeys;
  readonly store: AlertStore;
  readonly silences: Silences;
  /**
   * Stores a warning and tells the screens (no change notice: the caller sends one per batch). One
   * about replayed history (`at`) is not pushed as news: a console would beep for a red alert of
   * last month; the screens see it on their next read, and the caller's change notice triggers one.
   */
  raise(w: RaiseInput): Promise<RaiseResult>;
  /** One officer's (or the timer's) action; the screens hear of it and refresh their counts. */
  act(id: string, input: ActInput): Promise<ActResult>;
  /** A region subtree's alerts in one bucket, or those at one desk. */
  list(region: string, bucket: ListBucket, cap?: number): Promise<AlertView[]>;
  atDesk(desk: string, cap?: number): Promise<AlertView[]>;
  /** Alerts the level `region` supervises whose deadline has passed (not yet resolved ones are overdue). */
  overdueSupervised(region: string, cap?: number): Promise<AlertView[]>;
  /** Every alert the level `region` supervises, soonest deadline first. */
  supervisedBy(region: string, cap?: number): Promise<AlertView[]>;
  /** A department's tasks, newest dispatch first. */
  tasks(department: string, cap?: number): Promise<AlertView[]>;
  /** The snapshot's alert part (readSnapshot's `alerts` provider), in one round trip. */
  digest(code: string, children: RegionRef[]): Promise<AlertDigest>;
  /** Tells the screens about a changed alert: the alert itself, then a change notice for counts. */
  publish(alert: AlertView, notice?: boolean): Promise<void>;
  silence(s: { rule: string; region: string; reason: string; by: string; minutes: number }): Promise<SilenceView>;
  unsilence(rule: string, region: string, by: string): Promise<boolean>;
}

/** The alerts service as the composition roots build it: sign times from the validated rules file. */
export function alertsFromRules(o: Omit<AlertsDeps, 'signLimitMs'>, rules: Parameters<typeof signLimitMs>[0]): Alerts {
  return createAlerts({ ...o, signLimitMs: (l, r, t) => signLimitMs(rules, l, r, t) });
}

export function createAlerts(deps: AlertsDeps): Alerts {
  const keys = alertKeys(deps.keys);
  const store = new AlertStore(deps.redis, keys, deps.clock);
  const silences = new Silences(deps.redis, keys, deps.clock);

  async function publish(alert: AlertView, notice = true): Promise<void> {
    // Store before push: the alert is in Redis already, so a snapshot read after this has it.
    const message = JSON.stringify(alert);
    deps.local?.publishing(message);
    await publishMessage(deps.redis, keys.channel, message);
    // Replay shows the alerts of a past moment from these (server/replay/).
    await recordAlert(deps.redis, deps.keys, deps.clock.now(), alert);
    if (notice)
      await publishNotice(deps.redis, deps.keys, { touched: ancestry(alert.region), events: [], parts: ['alerts'] });
  }

  async function views(ids: string[]): Promise<AlertView[]> {
    // Closed alerts expire after a long retention: an id left behind has no alert and is skipped.
    return (await Promise.all(ids.map((id) => store.view(id)))).filter((a): a is AlertView => a !== undefined);
  }

  return {
    keys,
    store,
    silences,
    async raise(w) {
      const r = await store.raise(w);
      if ((r.code === 'N' || r.code === 'U') && w.at === undefined) await publish(r.alert, false);
      return r;
    },
    async act(id, input) {
      let signLimitMs = input.signLimitMs;
      if (input.action === 'escalate' && signLimitMs === undefined) {
        const a = await store.view(id);
        if (!a) return { ok: false, reason: 'not_found' };
        signLimitMs = deps.signLimitMs(a.level, a.region, deps.clock.now());
      }
      const r = await store.act(id, { ...input, ...(signLimitMs === undefined ? {} : { signLimitMs }) });
      if (r.ok) {
        await deps.audit?.append({
          actor: input.actor,
          action: `alert.${input.action}`,
          target: id,
          region: r.alert.region,
          detail: {
            state: r.alert.state,
            desk: r.alert.desk,
            note: input.note ?? null,
            ...(input.departments ? { departments: input.departments.join('、') } : {}),
            ...(input.department ? { department: input.department } : {}),
            ...(input.override ? { override: input.override } : {}),
            // A step of replayed history is recorded now, saying when it happened.
            ...(input.at === undefined ? {} : { at: isoBeijing(input.at) }),
          },
        });
        await publish(r.alert);
      }
      return r;
    },
    async list(region, bucket, cap = LIST_CAP) {
      return (await store.read(keys.index(region, bucket), cap)).alerts;
    },
    async atDesk(desk, cap = LIST_CAP) {
      return (await store.read(keys.desk(desk), cap)).alerts;
    },
    async overdueSupervised(region, cap = LIST_CAP) {
      return views(await store.overdueSupervisedBy(region, deps.clock.now(), cap));
    },
    async supervisedBy(region, cap = LIST_CAP) {
      return views(await store.supervisedBy(region, cap));
    },
    async tasks(department, cap = LIST_CAP) {
      return views(await store.taskIds(department, cap));
    },
    async digest(code, children) {
      const page = await store.read(
        keys.index(code, 'open'),
        SNAPSHOT_ALERT_CAP,
        code,
        children.map((c) => c.code),
      );
      return {
        list: page.alerts.filter((a) => OPEN_ALERT_STATES.includes(a.state)),
        counts: page.counts,
        byChild: page.byChild,
      };
    },
    publish,
    async silence(s) {
      const v = await silences.set(s);
      await deps.audit?.append({
        actor: s.by,
        action: 'alert.silence',
        target: s.rule,
        region: s.region,
        detail: { reason: s.reason, until: v.until },
      });
      return v;
    },
    async unsilence(rule, region, by) {
      const done = await silences.clear(rule, region);
      if (done) await deps.audit?.append({ actor: by, action: 'alert.unsilence', target: rule, region });
      return done;
    },
  };
}
