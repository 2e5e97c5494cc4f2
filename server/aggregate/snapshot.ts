import type { RedisClient } from '../redis/connection.ts';
import type {
  ChildSummary,
  HourPoint,
  KindCounts,
  LevelCounts,
  Snapshot,
  WindowCounts,
} from '../../shared/schemas/snapshot.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { ProblemDigest } from '../../shared/schemas/problem.ts';
import type { LocalCases } from '../../shared/schemas/case.ts';
import type { RegionInfo, RegionRef } from '../../shared/regions.ts';
import { planHashReads, readPlanned, type HashRead, type HashReadPlan } from '../redis/by-slot.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { levelOf } from '../../shared/regions.ts';
import { buckets, dayNumber, dayStart, isoBeijing } from '../time/beijing.ts';
import { asHash, lowKindTotalsByRegion, villagePrefixes, type Hash } from '../counters/low-level.ts';
import { counterKey, decodeCounters, isLowLevel, totalsRead, type Bucket } from '../counters/read.ts';
import {
  CATEGORY,
  CHANNEL,
  DISPUTES,
  hourField,
  INCIDENTS,
  OVERDUE,
  OVERDUE_DISPATCH,
  OVERDUE_RESOLVE,
  outcomeField,
  SLOT,
  STATUS,
} from '../counters/fields.ts';

/** Open alerts as the snapshot needs them; provided by the alerts module. */
export interface AlertDigest {
  list: AlertView[];
  counts: LevelCounts;
  /** Open alert counts per direct child. */
  byChild: Record<string, LevelCounts>;
}

export const NO_ALERTS: AlertDigest = { list: [], counts: { red: 0, orange: 0, yellow: 0, blue: 0 }, byChild: {} };

/** The problem register's part of a snapshot; provided by server/problems/. */
export interface ProblemPart {
  digest: ProblemDigest;
  byChild: Map<string, { open: number; stars: number }>;
}

export interface SnapshotDeps {
  redis: RedisClient;
  /** One province's keys, or a national deployment's ring (each province's counters under its own keys). */
  keys: Keys | KeyRing;
  region: (code: string) => RegionInfo | undefined;
  alerts?: (code: string, children: RegionRef[]) => Promise<AlertDigest>;
  problems?: (code: string, children: RegionRef[]) => Promise<ProblemPart>;
  /** A township's or village's latest cases and open disputes (case-list.ts). */
  cases?: (code: string, now: number) => Promise<LocalCases>;
  /** 久拖: how many open cases are older than the stale bound (stale-cases.ts). */
  stale?: (code: string, now: number) => Promise<StaleCounts>;
}

export type StaleCounts = NonNullable<Snapshot['stale']>;

/** The levels whose snapshot lists cases: below the county a wall has few enough to show them. */
const CASE_LEVELS: ReadonlySet<string> = new Set(['township', 'village']);

/** The hashes one snapshot is built from, whatever layout they were stored in. */
export interface RegionHashes {
  days: Map<number, Hash>;
  month: Hash;
  open: Hash;
  children: Map<string, { today: Hash; open: Hash }>;
}

const num = (h: Hash, f: string) => Number(h[f] ?? 0);
const kinds = (h: Hash): KindCounts => ({ incident: num(h, INCIDENTS), dispute: num(h, DISPUTES) });

function windowCounts(h: Hash): WindowCounts {
  const w: WindowCounts = { ...kinds(h), byCategory: {}, byStatus: {}, byChannel: {} };
  for (const [f, v] of Object.entries(h)) {
    const n = Number(v);
    if (!n) continue;
    if (f.startsWith(CATEGORY)) (w.byCategory as Record<string, number>)[f.slice(CATEGORY.length)] = n;
    else if (f.startsWith(STATUS)) (w.byStatus as Record<string, number>)[f.slice(STATUS.length)] = n;
    else if (f.startsWith(CHANNEL)) (w.byChannel as Record<string, number>)[f.slice(CHANNEL.length)] = n;
  }
  return w;
}

/**
 * The sliding windows ending now (15 min, 1 h, 24 h), from the five-minute slot fields (`q:<slot>:<k>`)
 * of today's and yesterday's hashes, in one pass over each: building the name of every slot of the
 * last day instead made ~45 KB of garbage per snapshot.
 */
function slidingWindows(today: Hash, yesterday: Hash, currentSlot: number): Record<'m15' | 'h1' | 'h24', KindCounts> {
  const w = {
    m15: { incident: 0, dispute: 0 },
    h1: { incident: 0, dispute: 0 },
    h24: { incident: 0, dispute: 0 },
  };
  const add = (h: Hash, dayOffset: number) => {
    for (const f in h) {
      if (!f.startsWith(SLOT)) continue;
      const sep = f.indexOf(':', SLOT.length);
      // How many slots before the current one; yesterday's slots are 288 further back.
      const age = currentSlot - Number(f.slice(SLOT.length, sep)) + dayOffset;
      if (age < 0 || age >= 288) continue;
      const n = Number(h[f]);
      const kind = f.endsWith(`:${INCIDENTS}`) ? 'incident' : 'dispute';
      w.h24[kind] += n;
      if (age < 12) w.h1[kind] += n;
      if (age < 3) w.m15[kind] += n;
    }
  };
  add(today, 0);
  add(yesterday, 288);
  return w;
}

interface HourSlot {
  /** Start of the hour, ISO 8601 with +08:00. */
  label: string;
  day: number;
  incidentField: string;
  disputeField: string;
}

/** The 48 hours ending with the current one, computed once per hour rather than per snapshot. */
let hourAxis: { start: number; slots: HourSlot[] } | undefined;
function hoursEnding(currentHourStart: number): HourSlot[] {
  if (hourAxis?.start !== currentHourStart) {
    const slots: HourSlot[] = [];
    for (let i = 47; i >= 0; i--) {
      const start = currentHourStart - i * 3600_000;
      const hb = buckets(start);
      slots.push({
        label: isoBeijing(start),
        day: hb.day,
        incidentField: hourField(hb.hour, INCIDENTS),
        disputeField: hourField(hb.hour, DISPUTES),
      });
    }
    hourAxis = { start: currentHourStart, slots };
  }
  return hourAxis.slots;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

type ChildHashes = Map<string, { today: Hash; open: Hash }>;
const CHILD_BUCKETS = ['today', 'open'] as const;
/** What a parent's ranking reads of a child's hash above the township (buildSnapshot's children). */
const CHILD_FIELDS = { today: [INCIDENTS, DISPUTES], open: [INCIDENTS, DISPUTES, OVERDUE] } as const;

/** The buckets a snapshot reads of a region itself: today, the two days before, the month, the open backlog. */
function ownBuckets(now: number): Bucket[] {
  const day = dayNumber(now);
  return [{ day }, { day: day - 1 }, { day: day - 2 }, { month: buckets(now).month }, 'open'];
}

/** The hashes of ownBuckets' order (today, the two days before, the month, open) as a RegionHashes. */
function hashesOf(day: number, [t, y, d2, month, open]: Hash[], children: ChildHashes): RegionHashes {
  return {
    days: new Map([
      [day, t!],
      [day - 1, y!],
      [day - 2, d2!],
    ]),
    month: month!,
    open: open!,
    children,
  };
}

function addInto(into: Hash, h: Hash | null): void {
  for (const f in h) into[f] = String(Number(into[f] ?? 0) + Number(h[f]));
}

/**
 * The nation has no counters of its own (nothing per event is written for it): its hashes are the
 * field-by-field sums of its provinces' hashes, each read under its province's keys, and its
 * children's figures are those provinces' own hashes.
 */
function nationReads(ring: KeyRing, info: RegionInfo, now: number): SnapshotReads {
  const day = dayNumber(now);
  const own = ownBuckets(now);
  const names = info.children.flatMap((c) => own.map((bucket) => counterKey(ring.of(c.code), c.code, bucket)));
  const decode = (r: (Hash | null)[]): RegionHashes => {
    const sums: Hash[] = own.map(() => ({}));
    const kids: ChildHashes = new Map();
    info.children.forEach((c, i) => {
      const replies = own.map((_, j) => r[i * own.length + j] ?? {});
      replies.forEach((h, j) => addInto(sums[j]!, h));
      kids.set(c.code, { today: replies[0]!, open: replies[4]! });
    });
    return hashesOf(day, sums, kids);
  };
  return { keys: names, decode };
}

/**
 * The counter hashes a snapshot of one region reads at `now` (the region's own buckets, then each
 * child's today and open), and the decoder of their contents in that order. The live path reads
 * them from Redis; replay rebuilds the same hashes as they were (server/replay/read.ts).
 */
export function snapshotReads(keyring: Keys | KeyRing, info: RegionInfo, now: number): SnapshotReads {
  const ring = asKeyRing(keyring);
  if (levelOf(info.code) === 'nation') return nationReads(ring, info, now);
  const keys = ring.of(info.code);
  const day = dayNumber(now);
  const { code, children } = info;
  // The region's own hashes, whatever its level: below the county they are its township's, which
  // hold its villages too, so a township's children need no read of their own.
  const own = ownBuckets(now);
  const childBucket = (which: 'today' | 'open'): Bucket => (which === 'open' ? 'open' : { day });
  const names = own.map((bucket) => counterKey(keys, code, bucket));
  // A village's hashes are its township's: only the fields of the village are read.
  const how: (HashRead | undefined)[] = own.map(() =>
    levelOf(code) === 'village' ? { prefixes: villagePrefixes(code) } : undefined,
  );
  if (!isLowLevel(code))
    for (const c of children)
      for (const w of CHILD_BUCKETS) {
        names.push(counterKey(keys, c.code, childBucket(w)));
        // A ranking needs two or three figures of a child's hash of hundreds of fields (a
        // township's totals are not fields of their own: Redis sums them).
        how.push(totalsRead(c.code, childBucket(w), CHILD_FIELDS[w]));
      }

  const decode = (r: (Hash | null)[]): RegionHashes => {
    const replies = own.map((_, i) => r[i] ?? {});
    const [t, y, d2, month, open] = own.map((bucket, i) => decodeCounters(code, bucket, replies[i]!));
    const kids: ChildHashes = new Map();
    if (isLowLevel(code)) {
      // Villages: their totals from the township's replies, in one pass over each.
      const todayBy = lowKindTotalsByRegion(replies[0]!, false, code);
      const openBy = lowKindTotalsByRegion(replies[4]!, true, code);
      for (const c of children)
        kids.set(c.code, { today: asHash(todayBy.get(c.code) ?? {}), open: asHash(openBy.get(c.code) ?? {}) });
    } else {
      children.forEach((c, i) => {
        const [today, op] = CHILD_BUCKETS.map((_, j) => r[own.length + i * 2 + j] ?? {});
        kids.set(c.code, { today: today!, open: op! });
      });
    }
    return hashesOf(day, [t!, y!, d2!, month!, open!], kids);
  };
  return { keys: names, how, decode };
}

export interface SnapshotReads {
  /** Counter keys, in the order `decode` expects their hashes. */
  keys: string[];
  /**
   * How each key is read (undefined: whole): `decode` expects each hash as read so. A reader that
   * has the hashes whole (replay) gives each through readAs.
   */
  how?: (HashRead | undefined)[];
  decode(replies: (Hash | null)[]): RegionHashes;
}

/** Live reads by keyring, region and day: at most this many regions are kept per keyring. */
const liveReadsKept = new WeakMap<Keys | KeyRing, Map<string, LiveReads>>();
const LIVE_READS_MAX = 20_000;

interface LiveReads {
  day: number;
  reads: SnapshotReads;
  plan: HashReadPlan;
}

/**
 * snapshotReads and their read plan for the live path, kept for the day: a room is read up to
 * four times a second, and its keys (and how each is read) change only when the day does.
 */
function liveReads(keys: Keys | KeyRing, info: RegionInfo, now: number): LiveReads {
  let kept = liveReadsKept.get(keys);
  if (!kept) liveReadsKept.set(keys, (kept = new Map()));
  const day = dayNumber(now);
  const known = kept.get(info.code);
  if (known?.day === day) return known;
  if (kept.size >= LIVE_READS_MAX) kept.clear();
  const reads = snapshotReads(keys, info, now);
  const live = { day, reads, plan: planHashReads(reads.keys, reads.how) };
  kept.set(info.code, live);
  return live;
}

/**
 * Reads everything a screen shows for a region in one MULTI round trip per province (the nation
 * reads each province's in one), so the numbers of all panels come from the same instant.
 */
export async function readSnapshot(
  deps: SnapshotDeps,
  code: string,
  now: number,
  /** Parts known not to have changed since they were read (the hub's notices say which did). */
  reuse: SnapshotReuse = {},
): Promise<Snapshot | undefined> {
  const info = deps.region(code);
  if (!info) return undefined;
  const { reads, plan } = liveReads(deps.keys, info, now);
  const [replies, alerts, problems, cases, stale] = await Promise.all([
    readPlanned(deps.redis, plan),
    reuse.alerts ?? (deps.alerts ? deps.alerts(code, info.children) : Promise.resolve(NO_ALERTS)),
    reuse.problems ?? (deps.problems ? deps.problems(code, info.children) : Promise.resolve(undefined)),
    deps.cases && CASE_LEVELS.has(info.level) ? deps.cases(code, now) : Promise.resolve(undefined),
    deps.stale ? deps.stale(code, now) : Promise.resolve(undefined),
  ]);
  return buildSnapshot(info, reads.decode(replies), alerts, now, { problems, cases, stale });
}

/** Parts of a region's snapshot read earlier and still current, taken as they are. */
export interface SnapshotReuse {
  alerts?: AlertDigest;
  problems?: ProblemPart;
}

/** The alert and problem parts of a built snapshot, for a later read of the same region to reuse. */
export function reusableParts(s: Snapshot): Required<SnapshotReuse> | { alerts: AlertDigest } {
  const alerts: AlertDigest = {
    list: s.alerts,
    counts: s.alertCounts,
    byChild: Object.fromEntries(s.children.map((c) => [c.code, c.alerts])),
  };
  if (!s.problems) return { alerts };
  const byChild = new Map(s.children.map((c) => [c.code, c.problems ?? { open: 0, stars: 0 }]));
  return { alerts, problems: { digest: s.problems, byChild } };
}

/** A region's snapshot at `now` from its counter hashes and alerts (live, or rebuilt by replay). */
export function buildSnapshot(
  info: RegionInfo,
  h: RegionHashes,
  alerts: AlertDigest,
  now: number,
  /** The live parts replay does not rebuild: the problem register's digest and a low level's cases. */
  extras: { problems?: ProblemPart | undefined; cases?: LocalCases | undefined; stale?: StaleCounts | undefined } = {},
): Snapshot {
  const { problems, cases, stale } = extras;
  const b = buckets(now);
  const day = dayNumber(now);
  const today = h.days.get(day) ?? {};
  const yesterday = h.days.get(day - 1) ?? {};

  const hourly: HourPoint[] = hoursEnding(dayStart(day) + b.hour * 3600_000).map((slot) => {
    const dh = h.days.get(slot.day) ?? {};
    return { hour: slot.label, incident: num(dh, slot.incidentField), dispute: num(dh, slot.disputeField) };
  });

  const children: ChildSummary[] = info.children.map((c) => {
    const k = h.children.get(c.code) ?? { today: {}, open: {} };
    return {
      code: c.code,
      name: c.name,
      counts: {
        today: kinds(k.today),
        open: kinds(k.open),
        overdue: { dispute: num(k.open, OVERDUE) },
      },
      alerts: alerts.byChild[c.code] ?? { red: 0, orange: 0, yellow: 0, blue: 0 },
      ...(problems ? { problems: problems.byChild.get(c.code) ?? { open: 0, stars: 0 } } : {}),
    };
  });

  const windows = slidingWindows(today, yesterday, b.slot);
  const monthCounts = windowCounts(h.month);
  const openCounts = windowCounts(h.open);
  const resolved = num(h.month, outcomeField('resolved'));
  const failed = num(h.month, outcomeField('failed'));
  return {
    region: { code: info.code, name: info.name, level: info.level, path: info.path },
    asOf: isoBeijing(now),
    seq: 0,
    counts: {
      today: windowCounts(today),
      yesterday: kinds(yesterday),
      month: monthCounts,
      last15m: windows.m15,
      last1h: windows.h1,
      last24h: windows.h24,
      open: { incident: openCounts.incident, dispute: openCounts.dispute, byStatus: openCounts.byStatus },
      overdue: {
        dispute: num(h.open, OVERDUE),
        dispatch: num(h.open, OVERDUE_DISPATCH),
        resolve: num(h.open, OVERDUE_RESOLVE),
      },
    },
    rates: {
      disputeResolution: rate(resolved, monthCounts.dispute),
      mediationSuccess: rate(resolved, resolved + failed),
    },
    rateCounts: {
      disputeResolution: { num: resolved, den: monthCounts.dispute },
      mediationSuccess: { num: resolved, den: resolved + failed },
    },
    hourly,
    children,
    alerts: alerts.list,
    alertCounts: alerts.counts,
    ...(problems ? { problems: problems.digest } : {}),
    ...(stale ? { stale } : {}),
    ...(cases ? { cases } : {}),
  };
}
