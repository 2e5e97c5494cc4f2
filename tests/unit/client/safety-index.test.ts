import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SafetyIndexReply } from '../../../shared/schemas/safety-index.ts';
import { indexFloor, mapData, mapOption, type MapFeature } from '../../../client/src/lib/charts/options/map.ts';
import {
  indexTrendOption,
  indexTrendSeries,
  monthLabel,
  trendFloor,
} from '../../../client/src/lib/charts/options/index-trend.ts';
import { indexScores, rankChildren } from '../../../client/src/lib/measures.ts';
import { SafetyIndexState } from '../../../client/src/lib/state/safety-index.svelte.ts';
import { THEME } from '../../../client/src/lib/charts/theme.ts';
import { child } from './fixtures.ts';

function reply(code = '62', over: Partial<SafetyIndexReply> = {}): SafetyIndexReply {
  return {
    region: { code, name: '甘肃省', level: 'province' },
    month: '2026-11',
    provisional: true,
    score: 84.2,
    coverage: { scored: 6, total: 6 },
    rank: { position: 1, of: 1, level: 'province' },
    indicators: [],
    trend: [
      { month: '2026-09', score: 86, provisional: false },
      { month: '2026-10', score: 82.5, provisional: false },
      { month: '2026-11', score: 84.2, provisional: true },
    ],
    children: [
      { code: '6201', name: '兰州市', score: 78.4, coverage: { scored: 6, total: 6 } },
      { code: '6207', name: '张掖市', score: 88, coverage: { scored: 6, total: 6 } },
      { code: '6209', name: '酒泉市', score: null, coverage: { scored: 0, total: 6 } },
    ],
    asOf: '2026-11-22T10:00:00.000+08:00',
    ...over,
  };
}

const kids = [child('6201', '兰州市'), child('6207', '张掖市'), child('6209', '酒泉市'), child('6202', '嘉峪关市')];

describe('the 平安指数 as a measure', () => {
  it('takes the children’s scores only from a reply for the shown region', () => {
    expect(indexScores(reply('62'), '6207')).toBeNull();
    expect(indexScores(null, '62')).toBeNull();
    expect(indexScores(reply('62'), '62')?.get('6201')).toEqual({ score: 78.4, coverage: { scored: 6, total: 6 } });
  });

  it('ranks the least safe child first and leaves out children without a score', () => {
    const ranked = rankChildren(kids, 'index', indexScores(reply(), '62'));
    expect(ranked.map((r) => [r.code, r.value])).toEqual([
      ['6201', 78.4],
      ['6207', 88],
    ]);
    expect(rankChildren(kids, 'index', null)).toEqual([]);
  });

  it('ranks a child scored on 4 of 6 indicators after the fully scored ones, marked with its coverage', () => {
    const r = reply('62', {
      children: [
        { code: '6201', name: '兰州市', score: 78.4, coverage: { scored: 6, total: 6 } },
        // The lowest score, but on fewer indicators: not comparable, so not the first to look at.
        { code: '6202', name: '嘉峪关市', score: 60.1, coverage: { scored: 4, total: 6 } },
        { code: '6207', name: '张掖市', score: 88, coverage: { scored: 6, total: 6 } },
      ],
    });
    const ranked = rankChildren(kids, 'index', indexScores(r, '62'));
    expect(ranked.map((x) => [x.code, x.partial ?? null])).toEqual([
      ['6201', null],
      ['6207', null],
      ['6202', { scored: 4, total: 6 }],
    ]);
  });

  it('says 4/6 项 in the map tooltip of a region scored on fewer indicators, and edges it dashed', () => {
    const r = reply('62', {
      children: [
        { code: '6201', name: '兰州市', score: 78.4, coverage: { scored: 6, total: 6 } },
        { code: '6202', name: '嘉峪关市', score: 60.1, coverage: { scored: 4, total: 6 } },
      ],
    });
    const features: MapFeature[] = kids.map((k) => ({ code: k.code, name: k.name }));
    const option = mapOption({
      mapName: '62',
      features,
      children: kids,
      measure: 'index',
      scores: indexScores(r, '62'),
      ripples: [],
      now: 0,
    });
    const data = mapData(features, kids, 'index', indexScores(r, '62'));
    const tip = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    expect(tip({ seriesIndex: 0, name: '嘉峪关市', data: data.find((d) => d.code === '6202') })).toBe(
      '嘉峪关市<br/>平安指数：60.1 分（4/6 项）<br/>部分指标已评分，不与全部评分的地区比较',
    );
    expect(tip({ seriesIndex: 0, name: '兰州市', data: data.find((d) => d.code === '6201') })).toBe(
      '兰州市<br/>平安指数：78.4 分',
    );
    const regions = (option.geo as { regions: { name: string; itemStyle?: { borderType?: string } }[] }).regions;
    expect(regions).toEqual([
      expect.objectContaining({ name: '嘉峪关市', itemStyle: expect.objectContaining({ borderType: 'dashed' }) }),
    ]);
  });

  it('leaves regions without a score out of the map data instead of colouring them as zero', () => {
    const features: MapFeature[] = kids.map((k) => ({ code: k.code, name: k.name }));
    const data = mapData(features, kids, 'index', indexScores(reply(), '62'));
    expect(data.map((d) => [d.code, d.value])).toEqual([
      ['6201', 78.4],
      ['6207', 88],
    ]);
  });

  it('runs the colour ramp backwards so the lowest scores are the brightest', () => {
    const features: MapFeature[] = kids.map((k) => ({ code: k.code, name: k.name }));
    const option = mapOption({
      mapName: '62',
      features,
      children: kids,
      measure: 'index',
      scores: indexScores(reply(), '62'),
      ripples: [],
      now: 0,
    });
    const vm = option.visualMap as { min: number; max: number; inRange: { color: string[] } };
    expect(vm).toMatchObject({ min: 60, max: 100 });
    expect(vm.inRange.color[0]).toBe(THEME.ramp.at(-1));
    expect(indexFloor([88, 91])).toBe(60);
    expect(indexFloor([43.2, 90])).toBe(40);
    expect(indexFloor([])).toBe(60);
  });
});

describe('the 12-month trend line', () => {
  it('draws published months solid and the provisional one dashed from the last published', () => {
    const { published, provisional } = indexTrendSeries(reply().trend);
    expect(published).toEqual([86, 82.5, null]);
    expect(provisional).toEqual([null, 82.5, 84.2]);
    expect(monthLabel('2026-03')).toBe('3月');
    expect(trendFloor(reply().trend)).toBe(70);
    const option = indexTrendOption(reply().trend);
    expect((option.xAxis as { data: string[] }).data).toEqual(['9月', '10月', '11月']);
  });
});

describe('loading the index', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads now, refreshes every five minutes, retries sooner after a failure, and stops on teardown', async () => {
    vi.useFakeTimers();
    const load = vi.fn<(code: string) => Promise<SafetyIndexReply>>();
    load.mockResolvedValueOnce(reply()).mockRejectedValueOnce(new Error('down')).mockResolvedValue(reply());
    const state = new SafetyIndexState(load);
    const stop = state.follow('62');
    await vi.advanceTimersByTimeAsync(0);
    expect(state.reply?.score).toBe(84.2);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(load).toHaveBeenCalledTimes(2);
    expect(state.failed).toBe(true);
    expect(state.reply).not.toBeNull(); // the last good numbers stay, marked old
    await vi.advanceTimersByTimeAsync(30_000);
    expect(load).toHaveBeenCalledTimes(3);
    expect(state.failed).toBe(false);
    stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('drops another region’s reply when it starts following a new one', async () => {
    const state = new SafetyIndexState(() => new Promise<SafetyIndexReply>(() => {}));
    state.reply = reply('62');
    const stop = state.follow('6207');
    expect(state.reply).toBeNull();
    stop();
  });
});
