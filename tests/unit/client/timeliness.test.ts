import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimelinessReply } from '../../../shared/schemas/timeliness.ts';
import { timelinessLine } from '../../../client/src/lib/timeliness.ts';
import { TimelinessState } from '../../../client/src/lib/state/safety-index.svelte.ts';

function reply(code = '620702', over: Partial<TimelinessReply> = {}): TimelinessReply {
  return {
    region: { code, name: '甘州区', level: 'county' },
    month: '2026-11',
    provisional: true,
    reports: 1250,
    late: 40,
    silences: 2,
    onTime: 1210,
    rate: 1210 / 1252,
    byKind: { incident: { reports: 1000, late: 30 }, dispute: { reports: 250, late: 10 } },
    limitMinutes: { incident: 30, dispute: 1440 },
    formula: '上报及时率 = 按时上报 ÷ (上报总数 + 失联次数)',
    asOf: '2026-11-24T10:00:00.000+08:00',
    ...over,
  };
}

afterEach(() => vi.useRealTimers());

describe('上报及时率 on the wall', () => {
  it('prints a one-decimal percentage and spells out the counts and limits behind it', () => {
    const line = timelinessLine(reply());
    expect(line).toMatchObject({ value: '96.6', unit: '%' });
    expect(line.detail).toBe(
      '2026-11 按时上报 1,210 ÷ (上报 1,250 + 失联 2)；按时：事件 30 分钟内、纠纷 24 小时内上报',
    );
  });

  it('prints a dash, not 0 %, before anything was reported this month', () => {
    expect(timelinessLine(reply('620702', { reports: 0, late: 0, silences: 0, onTime: 0, rate: null }))).toMatchObject({
      value: '—',
      unit: '',
    });
  });

  it('follows one region, forgets the previous region’s figure, and stops when torn down', async () => {
    vi.useFakeTimers();
    const load = vi.fn((code: string) => Promise.resolve(reply(code)));
    const state = new TimelinessState(load, 60_000);
    const stop = state.follow('620702');
    await vi.advanceTimersByTimeAsync(0);
    expect(state.reply?.region.code).toBe('620702');
    stop();
    const stop2 = state.follow('620702001');
    expect(state.reply).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(load.mock.calls.map((c) => c[0])).toEqual(['620702', '620702001', '620702001']);
    stop2();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(load).toHaveBeenCalledTimes(3);
  });
});
