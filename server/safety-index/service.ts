/**
 * The 平安指数 service: scores a whole peer group at once (a rank needs every peer's score anyway),
 * live for the current month and published for the months before. A published month is computed
 * the first time anyone asks for it after it ended (a wall asks every few minutes, so in practice
 * just after midnight on the 1st) and then read back from Redis, never recomputed.
 */
import type { RedisClient } from '../redis/connection.ts';
import { levelOf } from '../../shared/regions.ts';
import type { SafetyIndexReply } from '../../shared/schemas/safety-index.ts';
import type { Clock } from '../clock.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import type { HistoryFill } from '../history-fill.ts';
import type { RegionTree } from '../regions/tree.ts';
import { isoBeijing, shiftMonth } from '../time/beijing.ts';
import { fieldsRead, loadIndexConfig, type IndexConfig } from './config.ts';
import { Coverage } from './coverage.ts';
import { PeerGroups, type PeerGroup } from './groups.ts';
import { baselineMonths, currentMonth, DAY_MS, monthEnd, monthRange, oldestKept, toWire } from './months.ts';
import { readGroupMonth, readGroupOpen, type GroupRows, type ReadDeps } from './read.ts';
import { scoreGroup, type Counters, type MemberInput } from './score.ts';
import { freeze, readFrozen, readFrozenMonths, type ScoredRegion } from './store.ts';
import { TtlCache } from './ttl-cache.ts';

export interface SafetyIndexDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring (published records under its root's keys). */
  keys: Keys | KeyRing;
  tree: RegionTree;
  clock: Clock;
  config?: IndexConfig;
  /** How long live scores are reused before they are computed again. */
  liveTtlMs?: number;
  /** History still arriving: a month it reaches is computed, not published, meanwhile. */
  historyFill?: Pick<HistoryFill, 'filling'>;
}

type Scores = Map<string, ScoredRegion>;

const TREND_MONTHS = 12;
/** Published months never change; kept in memory a while only to spare Redis the reads. */
const PUBLISHED_TTL_MS = 10 * 60_000;

function addInto(into: Record<string, number>, c: Counters): void {
  for (const [k, v] of Object.entries(c)) into[k] = (into[k] ?? 0) + v;
}

export class SafetyIndex {
  readonly config: IndexConfig;
  private readonly groups: PeerGroups;
  private readonly coverage: Coverage;
  private readonly cache: TtlCache<Scores>;
  /** Raw counters per group and month, shared by the months of a trend computed together. */
  private readonly rows: TtlCache<GroupRows>;
  private readonly reads: ReadDeps;
  private readonly fields: { month: string[]; open: string[] };
  private readonly liveTtlMs: number;
  /** Where published months are kept: the deployment's root keys. */
  private readonly published_: Keys;

  constructor(private readonly deps: SafetyIndexDeps) {
    this.config = deps.config ?? loadIndexConfig();
    this.fields = fieldsRead(this.config);
    this.groups = new PeerGroups(deps.tree, this.config.communityWeight);
    const now = () => deps.clock.now();
    this.coverage = new Coverage({ redis: deps.redis, keys: deps.keys, roots: deps.tree.provinces, now });
    this.cache = new TtlCache(128, now);
    this.rows = new TtlCache(256, now);
    this.reads = {
      redis: deps.redis,
      keys: deps.keys,
      townships: (c) => deps.tree.children(c).map((t) => t.code),
      parts: (c) => (levelOf(c) === 'nation' ? deps.tree.provinces : [c]),
    };
    this.published_ = asKeyRing(deps.keys).root;
    this.liveTtlMs = deps.liveTtlMs ?? 60_000;
  }

  /** The months that may be asked for (`YYYYMM`): those whose counters are kept, up to the current one. */
  offered(): { oldest: string; current: string } {
    const now = this.deps.clock.now();
    return { oldest: oldestKept(now), current: currentMonth(now) };
  }

  /** The route's reply, or undefined when the month has no data at all (before the system ran). */
  async reply(code: string, month: string): Promise<SafetyIndexReply | undefined> {
    const ref = this.deps.tree.get(code);
    const group = this.groups.of(code);
    if (!ref || !group) return undefined;
    const { oldest, current } = this.offered();
    // The children the screens show: a city whose only county bears its name (嘉峪关) ranks its townships.
    const children = this.deps.tree.info(code)?.children ?? [];
    const childGroup = children[0] ? this.groups.of(children[0].code) : undefined;
    const [own, childScores, trend, filling] = await Promise.all([
      this.groupScores(group, month).then((s) => s.get(code)),
      childGroup ? this.groupScores(childGroup, month) : Promise.resolve<Scores>(new Map()),
      this.trend(code, group, monthRange(maxMonth(shiftMonth(month, 1 - TREND_MONTHS), oldest), month), current),
      month !== current && this.filling(month),
    ]);
    if (!own) return undefined;
    return {
      region: { code: ref.code, name: ref.name, level: ref.level },
      month: toWire(month),
      provisional: month === current || filling,
      score: own.score,
      coverage: own.coverage,
      rank: own.rank,
      indicators: own.indicators,
      trend,
      children: children.map((c) => {
        const s = childScores.get(c.code);
        return {
          code: c.code,
          name: c.name,
          score: s?.score ?? null,
          coverage: s?.coverage ?? { scored: 0, total: this.config.indicators.length },
        };
      }),
      asOf: isoBeijing(own.at),
    };
  }

  /**
   * Publishes a finished month for every peer group of the tree (the monthly timer's job, at 00:05
   * on the 1st); groups published before keep their records. Returns how many groups it went through.
   */
  async publishMonth(month: string): Promise<number> {
    if (month >= currentMonth(this.deps.clock.now())) throw new Error(`month ${month} has not ended`);
    const { tree } = this.deps;
    const seeds = [
      tree.root,
      ...['city', 'county'].map((l) => tree.codesAt(l as 'city' | 'county')[0]),
      ...tree.codesAt('county').flatMap((c) => {
        const town = tree.children(c)[0];
        return town ? [town.code, tree.children(town.code)[0]?.code] : [];
      }),
    ].filter((c): c is string => c !== undefined);
    const groups = new Map<string, PeerGroup>();
    for (const c of seeds) {
      const g = this.groups.of(c);
      if (g) groups.set(g.id, g);
    }
    for (const g of groups.values()) await this.groupScores(g, month);
    return groups.size;
  }

  /** Every member's scores for a month: computed (live month) or published (earlier months). */
  async groupScores(group: PeerGroup, month: string): Promise<Scores> {
    const live = month === currentMonth(this.deps.clock.now());
    // A finished month whose history is still arriving is scored as it stands, briefly kept.
    const filling = !live && (await this.filling(month));
    // Keyed by live/published too: just after midnight on the 1st, last month's live scores must not
    // stand in for its publication.
    return this.cache.get(
      `${group.id}:${month}:${live ? 'live' : filling ? 'filling' : 'published'}`,
      live || filling ? this.liveTtlMs : PUBLISHED_TTL_MS,
      () => (live || filling ? this.compute(group, month, live) : this.published(group, month)),
    );
  }

  /**
   * Drops every score, row and coverage kept in memory: the monthly timer calls it before it
   * publishes, so a month is published from Redis as it is, not from a minute-old read of it.
   */
  forget(): void {
    this.cache.clear();
    this.rows.clear();
    this.coverage.forget();
  }

  private filling(month: string): Promise<boolean> {
    return this.deps.historyFill?.filling(month) ?? Promise.resolve(false);
  }

  private async trend(code: string, group: PeerGroup, months: string[], current: string) {
    const past = months.filter((m) => m !== current);
    const frozen = await readFrozenMonths(this.deps.redis, this.published_, code, past, this.config);
    const points = await Promise.all(
      months.map(async (m) => {
        const s = frozen.get(m) ?? (await this.groupScores(group, m)).get(code);
        return s ? { month: toWire(m), score: s.score, provisional: m === current } : null;
      }),
    );
    return points.filter((p) => p !== null);
  }

  /** Published records of a group; the first call after the month ended computes and freezes them. */
  private async published(group: PeerGroup, month: string): Promise<Scores> {
    const { redis } = this.deps;
    const keys = this.published_;
    const stored = await readFrozen(redis, keys, month, group.members, this.config);
    if (stored.size === group.members.length) return stored;
    const computed = await this.compute(group, month, false);
    if (computed.size === 0) return stored;
    await freeze(redis, keys, month, [...computed.values()]);
    // Read back: another server process may have published the group first, and its numbers count.
    return readFrozen(redis, keys, month, group.members, this.config);
  }

  /**
   * A group's counters of one month, kept a while: a trend publishing eleven months reads each of
   * the eighteen months behind it once, not up to seven times, and the baseline months (only late
   * events change them) are not read again every minute.
   */
  private async monthRows(group: PeerGroup, month: string): Promise<GroupRows> {
    const live = month === currentMonth(this.deps.clock.now()) || (await this.filling(month));
    return this.rows.get(`${rowsKey(group)}:${month}`, live ? this.liveTtlMs : PUBLISHED_TTL_MS, () =>
      readGroupMonth(this.reads, group, month, this.fields.month),
    );
  }

  private async compute(group: PeerGroup, month: string, live: boolean): Promise<Scores> {
    const now = this.deps.clock.now();
    const spanDays = await this.coverage.days(month, await this.filling(month));
    if (spanDays <= 0) return new Map();
    const candidates = baselineMonths(month, this.config.baselineMonths, now);
    const covered = await Promise.all(candidates.map(async (m) => this.coverage.days(m, await this.filling(m))));
    const days = covered.reduce((a, b) => a + b, 0);
    // A few days of history is no baseline: a week without a homicide says little about the next.
    const enough = days >= this.config.minBaselineDays;
    const base = enough ? candidates.filter((_, i) => covered[i]! > 0) : [];
    const baselineDays = enough ? days : 0;
    // The open backlog is "now": it describes a finished month only just after it ended.
    const withOpen = live || now < monthEnd(month) + this.config.openGraceDays * DAY_MS;
    const [target, open, ...baseRows] = await Promise.all([
      this.monthRows(group, month),
      withOpen
        ? this.rows.get(`${rowsKey(group)}:open`, this.liveTtlMs, () =>
            readGroupOpen(this.reads, group, this.fields.open),
          )
        : null,
      ...base.map((m) => this.monthRows(group, m)),
    ]);
    const members: MemberInput[] = group.members.map((code) => {
      const baseline: Record<string, number> = {};
      for (const rows of baseRows) addInto(baseline, rows.get(code) ?? {});
      return {
        code,
        size: this.groups.size(code),
        month: target.get(code) ?? {},
        baseline,
        open: open?.get(code) ?? null,
      };
    });
    const scored = scoreGroup(this.config, { level: group.level, members, spanDays, baselineDays });
    return new Map(scored.map((s) => [s.code, { ...s, at: now }]));
  }
}

/** Townships and villages of one county come from the same township hashes: one read for both groups. */
function rowsKey(group: PeerGroup): string {
  return group.level === 'township' || group.level === 'village' ? `low@${group.scope}` : group.id;
}

function maxMonth(a: string, b: string): string {
  return a > b ? a : b;
}
