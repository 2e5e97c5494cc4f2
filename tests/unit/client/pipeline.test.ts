import { describe, expect, it } from 'vitest';
import { PipelineState, pipelineDelaySeconds } from '../../../client/src/lib/state/pipeline.svelte.ts';

const at = '2026-11-22T10:15:03.120+08:00';

describe('the pipeline delay a screen shows', () => {
  it('says nothing while the aggregate keeps up, and 数据处理延迟 N 秒 once it trails, counting up between messages', () => {
    let now = 1_000_000;
    const p = new PipelineState(() => now);
    expect(p.label).toBeNull();
    p.receive({ state: 'ok', lagEntries: 3, oldestAgeSeconds: 1, at }, now);
    expect(p.delayed).toBe(false);
    expect(p.label).toBeNull();
    p.receive({ state: 'lagging', lagEntries: 400, oldestAgeSeconds: 12, at }, now);
    expect(p.label).toBe('数据处理延迟 12 秒');
    now += 3_500;
    expect(p.label).toBe('数据处理延迟 15 秒');
    p.receive({ state: 'ok', lagEntries: 0, oldestAgeSeconds: 0, at }, now);
    expect(p.label).toBeNull();
  });

  it('ignores a malformed message instead of showing it', () => {
    const p = new PipelineState(() => 0);
    p.receive({ state: 'lagging', lagEntries: 1, oldestAgeSeconds: 9, at }, 0);
    p.receive({ state: 'broken', lagEntries: 'many' }, 0);
    p.receive(null, 0);
    expect(p.label).toBe('数据处理延迟 9 秒');
  });

  it('adds no time to a state that is ok or unknown', () => {
    expect(pipelineDelaySeconds(null, 0, 60_000)).toBe(0);
    expect(pipelineDelaySeconds({ state: 'ok', lagEntries: 0, oldestAgeSeconds: 0, at }, 0, 60_000)).toBe(0);
    expect(pipelineDelaySeconds({ state: 'stalled', lagEntries: 9, oldestAgeSeconds: 70, at }, 0, 5_000)).toBe(75);
  });
});
