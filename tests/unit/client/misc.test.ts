import { describe, expect, it, vi } from 'vitest';
import { dataAgeSeconds, linkStatus } from '../../../client/src/lib/state/connection.svelte.ts';
import { RippleState } from '../../../client/src/lib/state/ripples.svelte.ts';
import { keyFigures, yesterdaySameTime } from '../../../client/src/lib/figures.ts';
import { formatAge, formatClock, formatDate, beijingDay } from '../../../client/src/lib/time.ts';
import {
  countScale,
  exactCount,
  formatCount,
  formatIn,
  formatPercent,
  splitCount,
} from '../../../client/src/lib/format.ts';
import { rankChildren } from '../../../client/src/lib/measures.ts';
import { shortName } from '../../../client/src/lib/names.ts';
import { KioskRotation } from '../../../client/src/wall/kiosk.ts';
import { safeNext } from '../../../client/src/lib/auth.ts';
import { child, hours, snapshot, tick } from './fixtures.ts';

describe('Beijing time on any screen', () => {
  it('formats the date and clock in Asia/Shanghai whatever the host zone', () => {
    const t = Date.parse('2026-11-21T16:05:09Z'); // 00:05:09 on the 22nd in Beijing
    expect(formatClock(t)).toBe('00:05:09');
    expect(formatDate(t)).toBe('2026年11月22日 星期日');
    expect(beijingDay(t)).toBe('2026-11-22');
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2026-11-22T10:00:00+08:00');
    expect(formatAge('2026-11-22T09:59:30+08:00', now)).toBe('刚刚');
    expect(formatAge('2026-11-22T09:55:00+08:00', now)).toBe('5分钟前');
    expect(formatAge('2026-11-22T07:00:00+08:00', now)).toBe('3小时前');
    expect(formatAge('2026-11-20T07:00:00+08:00', now)).toBe('2天前');
  });
});

describe('numbers', () => {
  it('writes counts up to 9999 whole, then 万 and 亿 in three significant digits, and missing rates as a dash', () => {
    expect(formatCount(9999)).toBe('9999');
    expect(formatCount(10_289)).toBe('1.03万');
    expect(splitCount(10_289)).toEqual({ value: '1.03', unit: '万' });
    expect(formatCount(99_960)).toBe('10万');
    expect(formatCount(412_345)).toBe('41.2万');
    expect(formatCount(15_000)).toBe('1.5万');
    expect(formatCount(4_298_543)).toBe('430万');
    expect(formatCount(8_000_000)).toBe('800万');
    expect(formatCount(10_000)).toBe('1万');
    expect(formatCount(2_345_000)).toBe('235万');
    expect(formatCount(12_345_678)).toBe('1235万');
    expect(formatCount(99_994_999)).toBe('9999万');
    expect(formatCount(99_995_000)).toBe('1亿');
    expect(formatCount(-10_289)).toBe('-1.03万');
    expect(formatCount(null)).toBe('—');
    // Eight digits never take more than five glyphs: they fit the tile a five-digit figure overran.
    for (let n = 1; n < 1e8; n = Math.ceil(n * 1.37))
      expect(formatCount(n).replace(/[,.]/g, '').length).toBeLessThanOrEqual(5);
    expect(exactCount(10_289)).toBe('10,289');
    // A rolling figure is written in the scale of where it goes: 9,990 → 10,289 rolls through 0.999万.
    expect(formatIn(countScale(10_289), 9990)).toBe('0.999');
    expect(formatPercent(0.8123)).toBe('81.2');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('connection status', () => {
  it('is live when connected, reconnecting for a while, then stale with the data age', () => {
    expect(linkStatus({ connected: true, lastHeard: 0 }, 99_000, 10_000)).toBe('live');
    expect(linkStatus({ connected: false, lastHeard: null }, 0, 10_000)).toBe('connecting');
    expect(linkStatus({ connected: false, lastHeard: 1000 }, 9000, 10_000)).toBe('reconnecting');
    expect(linkStatus({ connected: false, lastHeard: 1000 }, 11_000, 10_000)).toBe('stale');
    expect(dataAgeSeconds({ connected: false, lastHeard: 1000 }, 43_900)).toBe(42);
  });
});

describe('key figures', () => {
  it('compares today with yesterday up to the same time of day', () => {
    const asOf = '2026-11-22T10:30:00.000+08:00';
    const hourly = hours(asOf, () => ({ incident: 4, dispute: 2 }));
    // Yesterday 00:00–10:00 is ten full hours plus half of the 10 o'clock hour.
    expect(yesterdaySameTime(hourly, asOf, 'incident')).toBe(42);
    const figures = keyFigures(snapshot({ asOf, hourly }));
    expect(figures.map((f) => f.key)).toEqual(['incident', 'dispute', 'resolved', 'open', 'overdue', 'rate']);
    expect(figures[0]).toMatchObject({ value: 40, delta: -2 });
    expect(figures[2]!.value).toBe(8); // resolved + verified
    expect(figures[5]).toMatchObject({ value: 0.8, percent: true });
  });

  it('has no comparison when the series does not reach yesterday', () => {
    expect(yesterdaySameTime([], '2026-11-22T10:30:00+08:00', 'incident')).toBeNull();
  });
});

describe('ranking', () => {
  it('ranks children by the measure, keeping code order for ties', () => {
    const ranked = rankChildren(
      [child('6201', 'a', { today: 1 }), child('6202', 'b', { today: 5 }), child('6203', 'c', { today: 1, red: 1 })],
      'today',
    );
    expect(ranked.map((r) => r.code)).toEqual(['6202', '6201', '6203']);
    expect(ranked[2]!.level).toBe('red');
    expect(rankChildren([child('6201', 'a', { red: 1, yellow: 2 })], 'alerts')[0]!.value).toBe(3);
  });

  it('shortens official village suffixes for display', () => {
    expect(shortName('新墩村民委员会')).toBe('新墩村');
    // The official name often repeats 村 before 村民委员会: never 石沟村村.
    expect(shortName('石沟村村民委员会')).toBe('石沟村');
    expect(shortName('上坪村村委会')).toBe('上坪村');
    expect(shortName('畅家巷社区居委会')).toBe('畅家巷社区');
    expect(shortName('甘州区')).toBe('甘州区');
    // Autonomous areas as they are spoken of; a base name that is itself a nationality stays whole.
    expect(shortName('临夏回族自治州')).toBe('临夏州');
    expect(shortName('肃南裕固族自治县')).toBe('肃南县');
    expect(shortName('阿克塞哈萨克族自治县')).toBe('阿克塞县');
    expect(shortName('积石山保安族东乡族撒拉族自治县')).toBe('积石山县');
    expect(shortName('东乡族自治县')).toBe('东乡族自治县');
  });

  it('shortens ethnic townships and development zones as they are spoken of, so a tile holds them on one line', () => {
    expect(shortName('平山湖蒙古族乡')).toBe('平山湖乡');
    expect(shortName('白银蒙古族乡')).toBe('白银乡');
    expect(shortName('张掖经济技术开发区')).toBe('张掖经开区');
    // A base name that is itself a nationality stays whole.
    expect(shortName('土族乡')).toBe('土族乡');
  });
});

describe('map ripples', () => {
  it('expire after their time and are capped', () => {
    const r = new RippleState(60_000, 5);
    r.reset('62');
    r.push([tick('a', { location: { lng: 100, lat: 38 } }), tick('b')], 1000);
    expect(r.points.map((p) => p.id)).toEqual(['a']);
    r.push(
      Array.from({ length: 10 }, (_, i) => tick(`x${i}`, { location: { lng: 100, lat: 38 } })),
      50_000,
    );
    expect(r.points).toHaveLength(5);
    const before = r.points;
    r.prune(60_000);
    expect(r.points).toBe(before); // nothing expired: same array, no re-render
    r.prune(111_000);
    expect(r.points).toHaveLength(0);
  });
});

describe('kiosk rotation', () => {
  it('goes home → each child → home, and pauses after a touch', () => {
    vi.useFakeTimers();
    try {
      let current = '62';
      const target = new EventTarget();
      const k = new KioskRotation({
        home: '62',
        children: () => ['6201', '6202'],
        current: () => current,
        go: (c) => (current = c),
        intervalMs: 30_000,
        pauseMs: 60_000,
        now: () => Date.now(),
      });
      const stop = k.start(target);
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        vi.advanceTimersByTime(30_000);
        seen.push(current);
      }
      expect(seen).toEqual(['6201', '6202', '62', '6201']);
      target.dispatchEvent(new Event('pointerdown'));
      vi.advanceTimersByTime(30_000);
      expect(current).toBe('6201');
      vi.advanceTimersByTime(30_000); // the pause (60 s from the touch) is over on this tick
      expect(current).toBe('6202');
      stop();
      vi.advanceTimersByTime(120_000);
      expect(current).toBe('6202');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('login redirect', () => {
  it('only follows same-origin paths', () => {
    expect(safeNext('/?region=6207')).toBe('/?region=6207');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
