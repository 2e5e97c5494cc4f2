import type { RedisClient } from '../redis/connection.ts';
import type { RegionInfo } from '../../shared/regions.ts';
import { isWithin } from '../../shared/regions.ts';
import type { Snapshot, LevelCounts } from '../../shared/schemas/snapshot.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import { OPEN_ALERT_STATES } from '../../shared/alert-machine.ts';
import { WARNING_LEVELS } from '../../shared/vocab.ts';
import { REPLAY_EVENTS_CAP, type ReplayEvent } from '../../shared/schemas/replay.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { execBySlot, readAs } from '../redis/by-slot.ts';
import type { CaseState } from '../aggregate/case-state.ts';
import { CounterDeltas } from '../aggregate/contribution.ts';
import { buildSnapshot, snapshotReads, type AlertDigest } from '../aggregate/snapshot.ts';
import { isLowLevel } from '../counters/read.ts';
import type { Hash } from '../counters/low-level.ts';
import { isoBeijing } from '../time/beijing.ts';
import { BASE_ALERTS } from './base.ts';
import { parseChange, touches } from './changes.ts';
import { hourRecords } from './pack.ts';
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
  /**
   * One province's keys, or a national ring: each province's bases, change logs and ticker under
   * its own keys, the alert views under the root's (where the deployment's alerts live).
   */
  keys: Keys | KeyRing;
  region: (code: string) => RegionInfo | undefined;
}

interface Epoch {
  id: string;
  at: number;
}

/** The latest epoch of one province whose base is at or before `at`. */
async function epochAt(redis: RedisClient, keys: Keys, at: number): Promise<Epoch> {
  const [latest] = await redis.zrevrangebyscore(keys.replayEpochs, String(at), '-inf', 'LIMIT', 0, 1);
  if (latest !== undefined) return { id: latest, at: Number(latest) };
  const [first] = await redis.zrange(keys.replayEpochs, '0', '0');
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

/** One province's part of a moment: its base's open alerts and its epoch. */
interface BaseAlerts {
  json: string | null;
  epoch: Epoch;
}

/**
 * The alerts open at `at`: each base's open alerts (as of its instant), then every view published
 * after it up to `at`, the later publication of an alert winning.
 */
function alertsAt(bases: readonly BaseAlerts[], records: string[], at: number): AlertView[] {
  const latest = new Map<string, { t: number; a: AlertView }>();
  for (const b of bases)
    for (const a of b.json ? (JSON.parse(b.json) as AlertView[]) : []) latest.set(a.id, { t: b.epoch.at, a });
  for (const line of records) {
    const r = JSON.parse(line) as AlertRecord;
    if (r.t > at) continue;
    const prev = latest.get(r.a.id);
    if (!prev || r.t >= prev.t) latest.set(r.a.id, { t: r.t, a: r.a });
  }
  return [...latest.values()].map((x) => x.a).filter((a) => OPEN.has(a.state));
}

/**
 * One province's counter hashes `names` (all under its keys) as they were at `at`: its base then
 * its log's changes within `prefix` (the subtree read) up to `at`.
 */
async function provinceAt(
  redis: RedisClient,
  keys: Keys,
  names: readonly string[],
  prefix: string,
  at: number,
): Promise<{ hashes: Hash[]; alerts: BaseAlerts }> {
  const epoch = await epochAt(redis, keys, at);
  const hours = hoursOf(epoch.at, at);
  // One slot (the province's tag): a pipeline works on a cluster too.
  const p = redis.pipeline();
  p.hmget(keys.replayBase(epoch.id), ...names, BASE_ALERTS);
  for (const h of hours) p.getBuffer(keys.replayLogPacked(epoch.id, h)).lrange(keys.replayLog(epoch.id, h), 0, -1);
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const base = replies[0]![1] as (string | null)[];
  const deltas = new CounterDeltas({ keys, minDay: 0, minMonth: '' });
  for (let i = 1; i < replies.length; i += 2)
    for (const line of hourRecords(replies[i]![1] as Buffer | null, replies[i + 1]![1] as string[])) {
      const ch = parseChange(line);
      if (ch.t > at || !touches(ch, prefix)) continue;
      if (ch.before) deltas.contribute(ch.before as CaseState, -1);
      if (ch.after) deltas.contribute(ch.after as CaseState, 1);
    }
  const hashes = names.map((k, i) => {
    const json = base[i];
    return addFields(json ? (JSON.parse(json) as Hash) : null, deltas.hashes.get(k)?.fields);
  });
  return { hashes, alerts: { json: base[names.length] ?? null, epoch } };
}

/**
 * The provinces a region's replay reads, each with the subtree prefix its changes are kept by:
 * the nation's are its provinces (each province's own record; nothing of the nation is written
 * per event), any other region's is its own province.
 */
function parts(info: RegionInfo): { province: string; prefix: string }[] {
  if (info.level === 'nation') return info.children.map((c) => ({ province: c.code, prefix: c.code }));
  // Below the county the hashes read are the township's: its changes are the ones that count.
  return [{ province: info.code.slice(0, 2), prefix: isLowLevel(info.code) ? info.code.slice(0, 9) : info.code }];
}

/**
 * The snapshot of `code` as it was at `at` (epoch ms); undefined for an unknown region. The
 * nation's is its provinces' rebuilt one by one and summed by the live snapshot's own decoder; a
 * moment before any of them has a record is unavailable (`earliest`: when all of them have one).
 */
export async function replaySnapshot(deps: ReplayDeps, code: string, at: number): Promise<Snapshot | undefined> {
  const info = deps.region(code);
  if (!info) return undefined;
  const { redis } = deps;
  const ring = asKeyRing(deps.keys);
  const reads = snapshotReads(ring, info, at);
  const wanted = parts(info);
  const settled = await Promise.allSettled(
    wanted.map(({ province, prefix }) => {
      const keys = ring.of(province);
      return provinceAt(
        redis,
        keys,
        reads.keys.filter((k) => k.startsWith(keys.prefix)),
        prefix,
        at,
      );
    }),
  );
  const missing = settled.filter((s) => s.status === 'rejected').map((s) => s.reason as unknown);
  if (missing.length) {
    const other = missing.find((e) => !(e instanceof ReplayUnavailable));
    if (other) throw other;
    const firsts = (missing as ReplayUnavailable[]).map((e) => e.earliest);
    throw new ReplayUnavailable(firsts.includes(undefined) ? undefined : Math.max(...(firsts as number[])));
  }
  const done = settled.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof provinceAt>>>).value);
  const byKey = new Map<string, Hash>();
  wanted.forEach(({ province }, i) => {
    const prefix = ring.of(province).prefix;
    const names = reads.keys.filter((k) => k.startsWith(prefix));
    names.forEach((k, j) => byKey.set(k, done[i]!.hashes[j]!));
  });
  const bases = done.map((d) => d.alerts);
  const from = Math.min(...bases.map((b) => b.epoch.at));
  const alertLines = (
    await execBySlot(
      redis,
      hoursOf(from, at).map((h) => ring.root.replayAlerts(h)),
      (p, k) => p.lrange(k, 0, -1),
    )
  ).flat() as string[];
  const alerts = digestAt(alertsAt(bases, alertLines, at), info);
  const hashes = reads.keys.map((k, i) => readAs(reads.how?.[i], byKey.get(k) ?? {}));
  return buildSnapshot(info, reads.decode(hashes), alerts, at);
}

/**
 * The ticker's events of `code`'s subtree sent in (from, to], oldest first, capped: the nation's
 * from each of its provinces' ticker records, merged by when they were sent.
 */
export async function replayEvents(
  deps: ReplayDeps & { regionName: (code: string) => string },
  code: string,
  from: number,
  to: number,
): Promise<{ events: ReplayEvent[]; truncated: boolean }> {
  const ring = asKeyRing(deps.keys);
  const info = deps.region(code);
  const provinces = info?.level === 'nation' ? info.children.map((c) => c.code) : [code.slice(0, 2)];
  // Each hour's packed string then its list (pack.ts), read side by side.
  const names: string[] = [];
  for (const province of provinces)
    for (let h = Math.floor(from / HOUR_MS); h <= Math.floor(to / HOUR_MS); h++)
      names.push(ring.of(province).replayTickerPacked(h), ring.of(province).replayTicker(h));
  const replies = await execBySlot(deps.redis, names, (p, k, i) => (i % 2 ? p.lrange(k, 0, -1) : p.getBuffer(k)));
  const records: TickerRecord[] = [];
  for (let i = 0; i < replies.length; i += 2)
    for (const line of hourRecords(replies[i] as Buffer | null, replies[i + 1] as string[])) {
      const r = JSON.parse(line) as TickerRecord;
      if (r.t <= from || r.t > to || !isWithin(r.e.region, code)) continue;
      records.push(r);
    }
  // Stable: within one province the lists are already in the order they were sent.
  if (provinces.length > 1) records.sort((a, b) => a.t - b.t);
  const events = records.slice(0, REPLAY_EVENTS_CAP).map((r) => {
    const { ts, ...e } = r.e;
    return {
      ...e,
      regionName: deps.regionName(e.region),
      occurredAt: isoBeijing(ts),
      shownAt: isoBeijing(r.t),
    } as ReplayEvent;
  });
  return { events, truncated: records.length > REPLAY_EVENTS_CAP };
}
