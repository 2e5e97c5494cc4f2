import { describe, expect, it } from 'vitest';
import {
  loadIndexConfig,
  parseIndexConfig,
  type CountIndicator,
  type IndexConfig,
} from '../../server/safety-index/config.ts';
import type { IndexIndicator } from '../../shared/schemas/safety-index.ts';
import { PeerGroups } from '../../server/safety-index/groups.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';
import { baselineMonths, monthDays, monthEnd, monthStart } from '../../server/safety-index/months.ts';
import { lowMarginalsByRegion as splitLowHash } from '../../server/counters/low-level.ts';
import {
  blend,
  countRatioScore,
  curve,
  median,
  rankScores,
  scoreGroup,
  type GroupInput,
  type MemberInput,
} from '../../server/safety-index/score.ts';
import { decode, encode } from '../../server/safety-index/store.ts';
import { TtlCache } from '../../server/safety-index/ttl-cache.ts';
import { dayNumber } from '../../server/time/beijing.ts';

const config = loadIndexConfig();
const indicator = (s: { indicators: IndexIndicator[] }, id: string) => s.indicators.find((i) => i.id === id)!;

/** A month of one region: incidents by category, disputes with outcomes, an open backlog. */
function member(code: string, m: Partial<Record<string, number>> = {}, extra: Partial<MemberInput> = {}): MemberInput {
  const month: Record<string, number> = {
    'c:criminal': 10,
    'c:public_order': 20,
    'c:homicide': 0,
    'c:petition': 4,
    d: 40,
    'o:resolved': 28,
    'o:failed': 6,
  };
  for (const [k, v] of Object.entries(m)) month[k] = v!;
  return {
    code,
    size: 100,
    month,
    baseline: {
      'c:criminal': 60,
      'c:public_order': 120,
      'c:homicide': 0,
      'c:petition': 24,
      d: 240,
      'o:resolved': 190,
      'o:failed': 30,
    },
    open: { d: 20, od: 1 },
    ...extra,
  };
}

/** Six months of baseline (180 days) against a 30-day month: the baseline expects 30 crimes. */
function group(members: MemberInput[], level: GroupInput['level'] = 'county'): GroupInput {
  return { level, members, spanDays: 30, baselineDays: 180 };
}

describe('scoring curves and helpers', () => {
  it('interpolates linearly between points and stays flat beyond the ends', () => {
    const pts: [number, number][] = [
      [1, 100],
      [2, 50],
      [4, 0],
    ];
    expect(curve(pts, 0)).toBe(100);
    expect(curve(pts, 1.5)).toBe(75);
    expect(curve(pts, 3)).toBe(25);
    expect(curve(pts, 9)).toBe(0);
  });

  it('takes the median of odd and even lists, and none of an empty one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('blends only the parts that have a value', () => {
    expect(
      blend([
        [80, 0.5],
        [null, 0.5],
      ]),
    ).toBe(80);
    expect(
      blend([
        [80, 1],
        [40, 3],
      ]),
    ).toBe(50);
    expect(blend([[null, 1]])).toBeNull();
  });

  it('keeps small counts sane with the pseudo-count: one homicide where none was expected is bad, not infinitely', () => {
    const pts = (config.indicators.find((i) => i.id === 'homicide') as CountIndicator).curves.self;
    expect(countRatioScore(0, 0, 1, pts)).toBe(90);
    expect(countRatioScore(1, 0, 1, pts)).toBe(30);
    expect(countRatioScore(3, 0, 1, pts)).toBe(0);
    expect(countRatioScore(1, null, 1, pts)).toBeNull();
  });

  it('ranks highest first, equal scores sharing a position, missing scores last', () => {
    expect(rankScores([70, 90, 70, null, 50])).toEqual([2, 1, 2, 5, 4]);
  });
});

describe('the indicators file', () => {
  it('loads and its weights add up to one', () => {
    expect(config.indicators.map((i) => i.id)).toEqual([
      'crime',
      'homicide',
      'petition',
      'resolution',
      'mediation',
      'overdue',
    ]);
    expect(config.indicators.reduce((s, i) => s + i.weight, 0)).toBeCloseTo(1, 9);
  });

  it('refuses weights that do not add up, and curves that go backwards, naming the problem', () => {
    const raw = JSON.parse(JSON.stringify(config)) as IndexConfig;
    raw.indicators[0]!.weight = 0.5;
    expect(() => parseIndexConfig(raw)).toThrow(/weights must add up to 1/);
    const back = JSON.parse(JSON.stringify(config)) as { indicators: Array<{ curves: { self?: number[][] } }> };
    back.indicators[0]!.curves.self = [
      [2, 50],
      [1, 100],
    ];
    expect(() => parseIndexConfig(back)).toThrow(/indicators\.0\.curves\.self: x must increase strictly/);
  });
});

describe('scoring a peer group', () => {
  it('scores the county with more crime and a homicide lower, and ranks it last', () => {
    const peers = ['620102', '620103', '620104', '620105'].map((c) => member(c));
    const bad = member('620702', { 'c:criminal': 30, 'c:public_order': 30, 'c:homicide': 1 });
    const scored = scoreGroup(config, group([...peers, bad]));
    const byCode = new Map(scored.map((s) => [s.code, s]));
    const worst = byCode.get('620702')!;
    const typical = byCode.get('620102')!;
    expect(worst.score!).toBeLessThan(typical.score! - 15);
    expect(indicator(worst, 'homicide').score!).toBeLessThan(indicator(typical, 'homicide').score!);
    expect(indicator(worst, 'crime').score!).toBeLessThan(indicator(typical, 'crime').score!);
    expect(worst.rank).toEqual({ position: 5, of: 5, level: 'county' });
    expect(typical.rank.position).toBe(1);
  });

  it('reports counts with their baseline for the same span and the size-scaled peer median', () => {
    const peers = [member('a'), member('b'), member('c')];
    // Twice as big, twice the crime: against its peers it is typical.
    const big = member('d', { 'c:criminal': 20, 'c:public_order': 40 }, { size: 200 });
    big.baseline = { ...big.baseline, 'c:criminal': 120, 'c:public_order': 240 };
    const [a, , , d] = scoreGroup(config, group([...peers, big]));
    expect(indicator(a!, 'crime')).toMatchObject({ value: 30, baseline: 30, peerMedian: 30, weight: 0.25 });
    expect(indicator(d!, 'crime')).toMatchObject({ value: 60, baseline: 60, peerMedian: 60 });
    expect(indicator(d!, 'crime').score).toBe(indicator(a!, 'crime').score);
  });

  it('scales the baseline to the days covered: half a month so far expects half the cases', () => {
    const g = { ...group([member('a', { 'c:criminal': 5, 'c:public_order': 10 })]), spanDays: 15 };
    expect(indicator(scoreGroup(config, g)[0]!, 'crime')).toMatchObject({ value: 15, baseline: 15 });
  });

  it('scores a region above its own baseline lower than one at it', () => {
    const at = member('a');
    const above = member('b', { 'c:criminal': 20, 'c:public_order': 40 });
    const [sa, sb] = scoreGroup(config, group([at, above, member('c'), member('e')]));
    expect(indicator(sb!, 'crime').score!).toBeLessThan(indicator(sa!, 'crime').score!);
  });

  it('gives a region without disputes a neutral rate, not zero, and leaves its value empty', () => {
    const none = member('z', { d: 0, 'o:resolved': 0, 'o:failed': 0 });
    const s = scoreGroup(config, group([member('a'), member('b'), member('c'), none]))[3]!;
    expect(indicator(s, 'resolution')).toMatchObject({ value: null });
    expect(indicator(s, 'resolution').score!).toBeGreaterThan(70);
  });

  it('pulls a village with one failed mediation towards its peers instead of scoring it zero', () => {
    const one = member('z', { d: 1, 'o:resolved': 0, 'o:failed': 1 });
    const s = scoreGroup(config, group([member('a'), member('b'), member('c'), one]))[3]!;
    expect(indicator(s, 'mediation').value).toBe(0);
    expect(indicator(s, 'mediation').score!).toBeGreaterThan(40);
  });

  it('leaves the overdue rate out of a month whose open backlog is unknown, rescaling the other weights', () => {
    const known = scoreGroup(config, group(['a', 'b', 'c'].map((c) => member(c))))[0]!;
    const unknown = scoreGroup(config, group(['a', 'b', 'c'].map((c) => member(c, {}, { open: null }))))[0]!;
    expect(indicator(unknown, 'overdue')).toMatchObject({ value: null, score: null, weight: 0.15 });
    const others = unknown.indicators.filter((i) => i.id !== 'overdue');
    const expected = others.reduce((s, i) => s + i.score! * i.weight, 0) / 0.85;
    expect(unknown.score).toBeCloseTo(expected, 0);
    expect(known.score).not.toBeNull();
  });

  it('ranks a region with an indicator it cannot score yet after every fully scored one, however high its score', () => {
    const peers = ['a', 'b', 'c'].map((c) => member(c));
    // Quieter than its peers (a high score), but its open backlog is unknown: 5 of 6 indicators.
    const partial = member('p', { 'c:criminal': 1, 'c:public_order': 2 }, { open: null });
    const scored = scoreGroup(config, group([...peers, partial]));
    const p = scored.find((s) => s.code === 'p')!;
    const full = scored.filter((s) => s.code !== 'p');
    expect(p.score!).toBeGreaterThan(Math.max(...full.map((s) => s.score!)));
    expect(p.coverage).toEqual({ scored: 5, total: 6 });
    expect(full.every((s) => s.coverage.scored === 6 && s.coverage.total === 6)).toBe(true);
    expect(full.map((s) => s.rank.position).sort()).toEqual([1, 1, 1]);
    expect(p.rank).toEqual({ position: 4, of: 4, level: 'county' });
  });

  it('scores a province on its own: no peers, and without a baseline only the rates count', () => {
    const [p] = scoreGroup(config, { level: 'province', members: [member('62')], spanDays: 30, baselineDays: 0 });
    expect(p!.rank).toEqual({ position: 1, of: 1, level: 'province' });
    expect(indicator(p!, 'crime')).toMatchObject({ baseline: null, peerMedian: null, score: null });
    expect(indicator(p!, 'resolution').peerMedian).toBeNull();
    expect(p!.score).not.toBeNull();
  });
});

describe('reading township hashes', () => {
  it('sums a township and each of its villages from the combination fields in one pass', () => {
    const month = {
      '620702001001|i|criminal|police_110|closed|': '2',
      '620702001002|i|homicide|police_110|handling|': '1',
      '620702001|d|family|grid|resolved|resolved': '3',
      '620702001001|d|family|grid|failed|failed': '1',
    };
    const m = splitLowHash(month, 'month', '620702001');
    expect(m.get('620702001')).toMatchObject({
      i: 3,
      d: 4,
      'c:criminal': 2,
      'c:homicide': 1,
      'o:resolved': 3,
      'o:failed': 1,
    });
    expect(m.get('620702001001')).toMatchObject({ i: 2, d: 1, 'c:criminal': 2, 'o:failed': 1 });
    expect(m.get('620702001002')).toMatchObject({ i: 1, 'c:homicide': 1 });
    const open = splitLowHash(
      { '620702001001|d|received|family|dr': '2', '620702001001|d|mediating|debt|': '1' },
      'open',
      '620702001',
    );
    expect(open.get('620702001001')).toMatchObject({ d: 3, od: 2, odd: 2, odr: 2 });
  });
});

describe('months and published records', () => {
  it('puts month boundaries at Beijing midnight', () => {
    expect(monthStart('202611')).toBe(Date.parse('2026-11-01T00:00:00+08:00'));
    expect(monthEnd('202612')).toBe(Date.parse('2027-01-01T00:00:00+08:00'));
    expect(monthDays('202602')).toHaveLength(28);
    expect(monthDays('202611')[0]).toBe(dayNumber(Date.parse('2026-11-01T00:00:00+08:00')));
  });

  it('takes the baseline from the six months before, without months whose counters are gone', () => {
    const now = Date.parse('2026-11-15T12:00:00+08:00');
    expect(baselineMonths('202611', 6, now)).toEqual(['202605', '202606', '202607', '202608', '202609', '202610']);
    expect(baselineMonths('202601', 6, now)).toEqual(['202511', '202512']);
  });

  it('round-trips a published record, names from the config', () => {
    const [s] = scoreGroup(config, group(['a', 'b', 'c'].map((c) => member(c))));
    const back = decode('a', encode({ ...s!, at: 1234 }), config);
    expect(back).toEqual({ ...s!, at: 1234 });
  });
});

describe('the in-memory cache', () => {
  it('shares one load between callers, reloads after its time, and stays within its cap', async () => {
    let t = 0;
    let loads = 0;
    const cache = new TtlCache<number>(2, () => t);
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', 100, load), cache.get('a', 100, load)])).toEqual([1, 1]);
    t = 150;
    expect(await cache.get('a', 100, load)).toBe(2);
    await cache.get('b', 100, load);
    await cache.get('c', 100, load);
    expect(cache.size).toBeLessThanOrEqual(2);
  });

  it('forgets a failed load so the next call retries', async () => {
    const cache = new TtlCache<number>(4, () => 0);
    await expect(cache.get('a', 100, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', 100, () => Promise.resolve(7))).toBe(7);
  });
});

describe('peer groups and sizes', () => {
  it('compares counties province-wide and villages county-wide, sizing an urban community as three villages', async () => {
    const tree = await loadRegionTree('62');
    const groups = new PeerGroups(tree, 3);
    expect(groups.of('620702')).toMatchObject({ id: 'county@62', level: 'county' });
    expect(groups.of('620702')!.members).toHaveLength(tree.codesAt('county').length);
    const villages = tree.children('620702').flatMap((t) => tree.children(t.code));
    expect(groups.of(villages[0]!.code)!.members).toEqual(villages.map((v) => v.code));
    expect(groups.ofChildren('620702')).toBe(groups.of('620702001'));
    expect(groups.ofChildren(villages[0]!.code)).toBeUndefined();
    const community = villages.find((v) => v.name.includes('社区'))!;
    const village = villages.find((v) => v.name.endsWith('村民委员会'))!;
    expect([groups.size(community.code), groups.size(village.code)]).toEqual([3, 1]);
    const towns = tree.children('620702').map((t) => t.code);
    expect(groups.size('620702')).toBe(towns.reduce((s, t) => s + groups.size(t), 0));
  });
});
