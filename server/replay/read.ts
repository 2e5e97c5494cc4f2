import type { RedisClient } from '../redis/connection.ts';
import type { RegionInfo } from '../../shared/regions.ts';
import { isWithin } from '../../shared/regions.ts';
import type { Snapshot, LevelCounts } from '../../shared/schemas/snapshot.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { OPEN_ALERT_STATES } from '../../shared/alert-machine.ts';
import { WARNING_LEVELS } from '../../shared/vocab.ts';
import { REPLAY_EVENTS_CAP, type ReplayEvent } from '../../shared/schemas/replay.ts';
import type { Keys } from '../redis/keys.ts';
import type { CaseState } from '../aggregate/case-state.ts';
import { CounterDeltas } from '../aggregate/contribution.ts';
import { buildSnapshot, snapshotReads, type AlertDigest } from '../aggregate/snapshot.ts';
import { isLowLevel } from '../counters/read.ts';
import type { Hash } from '../counters/low-level.ts';
import { isoBeijing } from '../time/beijing.ts';
import { BASE_ALERTS } from './base.ts';
import { parseChange, touches } from './changes.ts';
import type { AlertRecord, TickerRecord } from './record.ts';

/**
 * Replay, read side: a region's snapshot as it was at a past moment, rebuilt from the last base
 * before it and the case changes committed between the two (through the aggregator's own
 * contribution code, so the numbers are those the live snapshot showed then), and the ticker's
 * events of a window.
 */

const HOUR_MS = 3_600_000;
/** As many alerts as the live snapshot carries (server/alerts/service.ts SNAPSHOT_ALERT_CAP). */
const SNAPSHOT_ALERTS = 50;
const LEVEL_RANK = new Map<string, number>(WARNING_LEVELS.map((l, i) => [l, i]));
const OPEN = new Set<string>(OPEN_ALERT_STATES);

/** No replay record reaches back to the moment asked for (`earliest`: where it begins, if anywhere). */
export class ReplayUnavailable extends Error {
  constructor(readonly earliest: number | undefined) {
    super('no replay record for that moment');
  }
}

export interface ReplayDeps {
  redis: RedisClient;
  keys: Keys;
  region: (code: string) => RegionInfo | undefined;
}

interface Epoch {
  id: string;
  at: number;
}

/** The latest epoch whose base is at or before `at`. */
async function epochAt(deps: ReplayDeps, at: number): Promise<Epoch> {
  const [latest] = await deps.redis.zrevrangebyscore(deps.keys.replayEpochs, String(at), '-inf', 'LIMIT', 0, 1);
  if (latest !== undefined) return { id: latest, at: Number(latest) };
  const [first] = await deps.redis.zrange(deps.keys.replayEpochs, '0', '0');
  throw new ReplayUnavailable(first === undefined ? undefined : Number(first));
}

/** Hours from one before the base (changes computed before the cut but committed after it) to `at`'s. */
function hoursOf(from: number, to: number): number[] {
  const out: number[] = [];
  for (let h = Math.floor(from / HOUR_MS) - 1; h <= Math.floor(to / HOUR_MS); h++) out.push(h);
  return out;
}

function addFields(base: Hash | null, delta: Map<string, number> | undefined): Hash {
  const out: Record<string, number> = {};
  for (const [f, v] of Object.entries(base ?? {})) out[f] = Number(v);
  if (delta) for (const [f, d] of delta) out[f] = (out[f] ?? 0) + d;
  const h: Hash = {};
  for (const [f, v] of Object.entries(out)) if (v !== 0) h[f] = String(v);
  return h;
}

const blank = (): LevelCounts => ({ red: 0, orange: 0, yellow: 0, blue: 0 });

/** The snapshot's alert part at `at`, as the live digest computes it (server/alerts/service.ts). */
function digestAt(open: AlertView[], info: RegionInfo): AlertDigest {
  const mine = open.filter((a) => isWithin(a.region, info.code));
  const counts = blank();
  const byChild: Record<string, LevelCounts> = {};
  for (const c of info.children) byChild[c.code] = blank();
  for (const a of mine) {
    counts[a.level]++;
    const child = info.children.find((c) => isWithin(a.region, c.code));
    if (child) byChild[child.code]![a.level]++;
  }
  const list = mine
    .sort(
      (a, b) =>
        (LEVEL_RANK.get(a.level) ?? 9) - (LEVEL_RANK.get(b.level) ?? 9) ||
        Date.parse(b.createdAt) - Date.parse(a.createdAt),
    )
    .slice(0, SNAPSHOT_ALERTS);
  return { list, counts, byChild };
}

/**
 * The alerts open at `at`: the base's open alerts (as of its instant), then every view published
 * after it up to `at`, the later publication of an alert winning.
 */
function alertsAt(baseJson: string | null, epoch: Epoch, records: string[], at: number): AlertView[] {
  const latest = new Map<string, { t: number; a: AlertView }>();
  for (const a of baseJson ? (JSON.parse(baseJson) as AlertView[]) : []) latest.set(a.id, { t: epoch.at, a });
  for (const line of records) {
    const r = JSON.parse(line) as AlertRecord;
    if (r.t > at) continue;
    const prev = latest.get(r.a.id);
    if (!prev || r.t >= prev.t) latest.set(r.a.id, { t: r.t, a: r.a });
  }
  return [...latest.values()].map((x) => x.a).filter((a) => OPEN.has(a.state));
}

/** The snapshot of `code` as it was at `at` (epoch ms); undefined for an unknown region. */
export async function replaySnapshot(deps: ReplayDeps, code: string, at: number): Promise<Snapshot | undefined> {
  const info = deps.region(code);
  if (!info) return undefined;
  const { redis, keys } = deps;
  const epoch = await epochAt(deps, at);
  const reads = snapshotReads(keys, info, at);
  const hours = hoursOf(epoch.at, at);
  const p = redis.pipeline();
  p.hmget(keys.replayBase(epoch.id), ...reads.keys, BASE_ALERTS);
  for (const h of hours) p.lrange(keys.replayLog(epoch.id, h), 0, -1);
  for (const h of hours) p.lrange(keys.replayAlerts(h), 0, -1);
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const base = replies[0]![1] as (string | null)[];
  const logs = replies.slice(1, 1 + hours.length).flatMap(([, v]) => v as string[]);
  const alertLines = replies.slice(1 + hours.length).flatMap(([, v]) => v as string[]);

  // Only changes inside the hashes read: the region's subtree (its township's, below the county).
  const prefix = isLowLevel(code) ? code.slice(0, 9) : code;
  const deltas = new CounterDeltas({ keys, minDay: 0, minMonth: '' });
  for (const line of logs) {
    const ch = parseChange(line);
    if (ch.t > at || !touches(ch, prefix)) continue;
    if (ch.before) deltas.contribute(ch.before as CaseState, -1);
    if (ch.after) deltas.contribute(ch.after as CaseState, 1);
  }
  const hashes = reads.keys.map((k, i) => {
    const json = base[i];
    return addFields(json ? (JSON.parse(json) as Hash) : null, deltas.hashes.get(k)?.fields);
  });
  const alerts = digestAt(alertsAt(base[reads.keys.length] ?? null, epoch, alertLines, at), info);
  return buildSnapshot(info, reads.decode(hashes), alerts, at);
}

/** The ticker's events of `code`'s subtree sent in (from, to], oldest first, capped. */
export async function replayEvents(
  deps: ReplayDeps & { regionName: (code: string) => string },
  code: string,
  from: number,
  to: number,
): Promise<{ events: ReplayEvent[]; truncated: boolean }> {
  const p = deps.redis.pipeline();
  for (let h = Math.floor(from / HOUR_MS); h <= Math.floor(to / HOUR_MS); h++)
    p.lrange(deps.keys.replayTicker(h), 0, -1);
  const replies = (await p.exec()) ?? [];
  const events: ReplayEvent[] = [];
  for (const [err, lines] of replies) {
    if (err) throw err;
    for (const line of lines as string[]) {
      const r = JSON.parse(line) as TickerRecord;
      if (r.t <= from || r.t > to || !isWithin(r.e.region, code)) continue;
      if (events.length >= REPLAY_EVENTS_CAP) return { events, truncated: true };
      const { ts, ...e } = r.e;
      events.push({
        ...e,
        regionName: deps.regionName(e.region),
        occurredAt: isoBeijing(ts),
        shownAt: isoBeijing(r.t),
      } as ReplayEvent);
    }
  }
  return { events, truncated: false };
}
