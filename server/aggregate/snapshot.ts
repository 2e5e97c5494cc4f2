import type { Redis } from 'ioredis';
import type { ChildSummary, HourPoint, KindCounts, LevelCounts, Snapshot, WindowCounts } from '../../shared/schemas/snapshot.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { RegionInfo, RegionRef } from '../../shared/regions.ts';
import type { Keys } from '../redis/keys.ts';
import { buckets, dayNumber, dayStart, isoBeijing } from '../time/beijing.ts';

type Hash = Record<string, string>;

/** Open alerts as the snapshot needs them; provided by the alerts module. */
export interface AlertDigest {
  list: AlertView[];
  counts: LevelCounts;
  /** Open alert counts per direct child. */
  byChild: Record<string, LevelCounts>;
}

export const NO_ALERTS: AlertDigest = { list: [], counts: { red: 0, orange: 0, yellow: 0, blue: 0 }, byChild: {} };

export interface SnapshotDeps {
  redis: Redis;
  keys: Keys;
  region: (code: string) => RegionInfo | undefined;
  alerts?: (code: string, children: RegionRef[]) => Promise<AlertDigest>;
}

const num = (h: Hash, f: string) => Number(h[f] ?? 0);

function windowCounts(h: Hash): WindowCounts {
  const w: WindowCounts = { incident: num(h, 'i'), dispute: num(h, 'd'), byCategory: {}, byStatus: {}, byChannel: {} };
  for (const [f, v] of Object.entries(h)) {
    const n = Number(v);
    if (!n) continue;
    if (f.startsWith('c:')) (w.byCategory as Record<string, number>)[f.slice(2)] = n;
    else if (f.startsWith('s:')) (w.byStatus as Record<string, number>)[f.slice(2)] = n;
    else if (f.startsWith('ch:')) (w.byChannel as Record<string, number>)[f.slice(3)] = n;
  }
  return w;
}

/** Sum of the five-minute slots of the last `slots` slots, ending with the current one. */
function slidingWindow(today: Hash, yesterday: Hash, currentSlot: number, slots: number): KindCounts {
  const out = { incident: 0, dispute: 0 };
  for (let s = currentSlot - slots + 1; s <= currentSlot; s++) {
    const [h, slot] = s >= 0 ? [today, s] : [yesterday, s + 288];
    out.incident += num(h, `q:${slot}:i`);
    out.dispute += num(h, `q:${slot}:d`);
  }
  return out;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/**
 * Reads everything a screen shows for a region in one MULTI round trip, so the numbers of all
 * panels come from the same instant.
 */
export async function readSnapshot(deps: SnapshotDeps, code: string, now: number): Promise<Snapshot | undefined> {
  const info = deps.region(code);
  if (!info) return undefined;
  const { keys } = deps;
  const b = buckets(now);
  const day = dayNumber(now);
  const tx = deps.redis.multi();
  tx.hgetall(keys.day(code, day));
  tx.hgetall(keys.day(code, day - 1));
  tx.hgetall(keys.day(code, day - 2));
  tx.hgetall(keys.month(code, b.month));
  tx.hgetall(keys.open(code));
  for (const c of info.children) {
    tx.hmget(keys.day(c.code, day), 'i', 'd');
    tx.hmget(keys.open(c.code), 'i', 'd', 'od');
  }
  const [replies, alerts] = await Promise.all([
    tx.exec(),
    deps.alerts ? deps.alerts(code, info.children) : Promise.resolve(NO_ALERTS),
  ]);
  if (!replies) throw new Error('snapshot transaction aborted');
  for (const [err] of replies) if (err) throw err;
  const r = replies.map(([, v]) => v);
  const [today, yesterday, before, month, open] = r.slice(0, 5) as Hash[];

  const hourly: HourPoint[] = [];
  const days: Record<number, Hash> = { [day]: today!, [day - 1]: yesterday!, [day - 2]: before! };
  const currentHourStart = dayStart(day) + b.hour * 3600_000;
  for (let i = 47; i >= 0; i--) {
    const start = currentHourStart - i * 3600_000;
    const hb = buckets(start);
    const h = days[hb.day] ?? {};
    hourly.push({ hour: isoBeijing(start), incident: num(h, `h:${hb.hour}:i`), dispute: num(h, `h:${hb.hour}:d`) });
  }

  const children: ChildSummary[] = info.children.map((c, i) => {
    const [ti, td] = r[5 + i * 2] as (string | null)[];
    const [oi, od, ood] = r[6 + i * 2] as (string | null)[];
    return {
      code: c.code,
      name: c.name,
      counts: {
        today: { incident: Number(ti ?? 0), dispute: Number(td ?? 0) },
        open: { incident: Number(oi ?? 0), dispute: Number(od ?? 0) },
        overdue: { dispute: Number(ood ?? 0) },
      },
      alerts: alerts.byChild[c.code] ?? { red: 0, orange: 0, yellow: 0, blue: 0 },
    };
  });

  const monthCounts = windowCounts(month!);
  const openCounts = windowCounts(open!);
  const resolved = num(month!, 'o:resolved');
  const failed = num(month!, 'o:failed');
  return {
    region: { code: info.code, name: info.name, level: info.level, path: info.path },
    asOf: isoBeijing(now),
    seq: 0,
    counts: {
      today: windowCounts(today!),
      yesterday: { incident: num(yesterday!, 'i'), dispute: num(yesterday!, 'd') },
      month: monthCounts,
      last15m: slidingWindow(today!, yesterday!, b.slot, 3),
      last1h: slidingWindow(today!, yesterday!, b.slot, 12),
      last24h: slidingWindow(today!, yesterday!, b.slot, 288),
      open: { incident: openCounts.incident, dispute: openCounts.dispute, byStatus: openCounts.byStatus },
      overdue: { dispute: num(open!, 'od'), dispatch: num(open!, 'odd'), resolve: num(open!, 'odr') },
    },
    rates: { disputeResolution: rate(resolved, monthCounts.dispute), mediationSuccess: rate(resolved, resolved + failed) },
    hourly,
    children,
    alerts: alerts.list,
    alertCounts: alerts.counts,
  };
}
