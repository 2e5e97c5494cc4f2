/** The simulator's small pure parts: PRNG, rhythm, weights, queue. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { isoBeijing } from '../../server/time/beijing.ts';
import type { Outgoing } from '../../server/simulator/events.ts';
import { logNormal, mulberry32, pickWeighted } from '../../server/simulator/prng.ts';
import { PendingQueue } from '../../server/simulator/queue.ts';
import { dailyFactor, rhythm, rhythmicArrivals, weekday, DAY, HOUR } from '../../server/simulator/rhythm.ts';
import { countyType, countyWeights, placeIn, shortVillageName } from '../../server/simulator/weights.ts';

const MONDAY = Date.parse('2026-03-16T00:00:00+08:00');

describe('prng', () => {
  it('replays the same sequence from the same seed, a different one from another', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('picks by weight, returning numbers for numeric keys', () => {
    const rand = mulberry32(3);
    const counts = { 1: 0, 2: 0 };
    for (let i = 0; i < 20_000; i++) counts[pickWeighted(rand, { 1: 0.8, 2: 0.2 })]++;
    expect(counts[1] / 20_000).toBeCloseTo(0.8, 1);
    expect(typeof pickWeighted(rand, { 3: 1 })).toBe('number');
  });

  it('draws log-normal values around their median', () => {
    const rand = mulberry32(4);
    const xs = Array.from({ length: 10_001 }, () => logNormal(rand, 100, 1)).sort((a, b) => a - b);
    expect(xs[5000]!).toBeGreaterThan(90);
    expect(xs[5000]!).toBeLessThan(110);
  });
});

describe('rhythm', () => {
  it('counts weekdays in Beijing time, Monday first', () => {
    expect(weekday(MONDAY)).toBe(0);
    expect(weekday(MONDAY - 1)).toBe(6); // Sunday 23:59:59.999 Beijing
    expect(weekday(MONDAY + 6 * DAY)).toBe(6);
  });

  it('averages 1 over a week, so perDay is the true daily mean', () => {
    for (const kind of ['incident', 'dispute'] as const) {
      let sum = 0;
      const step = 5 * 60_000;
      for (let t = MONDAY; t < MONDAY + 7 * DAY; t += step) sum += rhythm(kind, t);
      expect(sum / ((7 * DAY) / step)).toBeCloseTo(1, 2);
    }
  });

  it('is low at 4 a.m. and peaks in the late morning and the evening', () => {
    const at = (h: number) => dailyFactor('incident', MONDAY + h * HOUR + HOUR / 2);
    expect(at(10)).toBeGreaterThan(3 * at(4));
    expect(at(20)).toBeGreaterThan(3 * at(4));
    expect(at(20)).toBeGreaterThan(at(14));
    expect(dailyFactor('dispute', MONDAY + 10.5 * HOUR)).toBeGreaterThan(
      10 * dailyFactor('dispute', MONDAY + 4.5 * HOUR),
    );
  });

  it('draws arrivals at the configured daily average', () => {
    const rand = mulberry32(5);
    const n = rhythmicArrivals(rand, 'incident', MONDAY, MONDAY + 7 * DAY, 6000).length;
    expect(n / 7).toBeGreaterThan(5800);
    expect(n / 7).toBeLessThan(6200);
    const ts = rhythmicArrivals(rand, 'dispute', MONDAY, MONDAY + DAY, 2227);
    expect(ts.every((t, i) => t >= MONDAY && t < MONDAY + DAY && (i === 0 || t >= ts[i - 1]!))).toBe(true);
  });
});

describe('region weights', () => {
  let tree: RegionTree;
  beforeAll(async () => {
    tree = await loadRegionTree('62');
  });

  it('classifies districts, county-level cities and counties by name', () => {
    expect(countyType('城关区')).toBe('district');
    expect(countyType('敦煌市')).toBe('city');
    expect(countyType('玛曲县')).toBe('county');
    expect(countyType('肃南裕固族自治县')).toBe('county');
  });

  it('weights city districts well above mountain counties', () => {
    const w = new Map(countyWeights(tree).map((c) => [c.code, c]));
    expect(w.size).toBe(88);
    expect(w.get('620102')!.weight).toBeGreaterThan(5 * w.get('623025')!.weight); // 城关区 vs 玛曲县
    expect(w.get('620702')!.weight).toBeGreaterThan(5 * w.get('620721')!.weight); // 甘州区 vs 肃南县
    const mean = (t: string) => {
      const xs = [...w.values()].filter((c) => c.type === t).map((c) => c.weight);
      return xs.reduce((s, x) => s + x, 0) / xs.length;
    };
    expect(mean('district')).toBeGreaterThan(2 * mean('county'));
  });

  it('names villages as places, not committees', () => {
    expect(shortVillageName('畅家巷社区居委会')).toBe('畅家巷社区');
    expect(shortVillageName('李家沟村委会')).toBe('李家沟村');
    expect(shortVillageName('王家村村委会')).toBe('王家村');
    expect(shortVillageName('清凉寺村村民委员会')).toBe('清凉寺村');
    expect(shortVillageName('南关居委会')).toBe('南关社区');
    expect(shortVillageName('南关村委会')).toBe('南关村');
  });

  it('places events inside the county, at the level asked, never in a 虚拟社区', () => {
    const rand = mulberry32(6);
    for (const county of tree.codesAt('county')) {
      for (const level of ['village', 'township', 'county'] as const) {
        const p = placeIn(tree, county, level, rand);
        expect(p.region.startsWith(county)).toBe(true);
        expect(tree.has(p.region)).toBe(true);
        if (level === 'county') expect(p.region).toBe(county);
        expect(tree.get(p.region)!.name).not.toMatch(/虚拟|监狱/);
      }
    }
    expect(placeIn(tree, '620201', 'county', rand).countyLabel).toBe('嘉峪关市');
    expect(placeIn(tree, '620702', 'county', rand).countyLabel).toBe('张掖市甘州区');
  });
});

describe('pending queue', () => {
  const item = (sendAt: number, id: string): Outgoing => ({
    sendAt,
    at: sendAt,
    source: 'simulator.110.6201',
    event: {
      id,
      caseId: id,
      kind: 'incident',
      category: 'fire',
      status: 'reported',
      severity: 1,
      region: '620102',
      occurredAt: isoBeijing(sendAt),
      channel: 'police_110',
    },
  });

  it('releases items in delivery order, ties in insertion order, only when due', () => {
    const q = new PendingQueue(100);
    const rand = mulberry32(7);
    const times = Array.from({ length: 50 }, () => Math.floor(rand() * 20));
    times.forEach((t, i) => q.push(item(t, `e${i}`)));
    const out = q.popDue(9);
    expect(out.every((o) => o.sendAt <= 9)).toBe(true);
    expect(out.map((o) => o.sendAt)).toEqual([...out.map((o) => o.sendAt)].sort((a, b) => a - b));
    const rest = q.popDue(100);
    expect(out.length + rest.length).toBe(50);
    const zeros = [...out, ...rest].filter((o) => o.sendAt === times[0]).map((o) => Number(o.event.id.slice(1)));
    expect(zeros).toEqual([...zeros].sort((a, b) => a - b));
  });

  it('is capped, takes a case whole or not at all, and limits one pop', () => {
    const q = new PendingQueue(3);
    expect(q.pushAll([item(1, 'a'), item(2, 'b')])).toBe(true);
    expect(q.pushAll([item(3, 'c'), item(4, 'd')])).toBe(false);
    expect(q.size).toBe(2);
    expect(q.dropped).toBe(2);
    expect(q.push(item(5, 'e'))).toBe(true);
    expect(q.push(item(6, 'f'))).toBe(false);
    expect(q.popDue(10, 2).map((o) => o.event.id)).toEqual(['a', 'b']);
  });
});
