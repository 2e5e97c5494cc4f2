import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import { RedStage } from '../../../client/src/wall/red-stage.svelte.ts';

const T0 = Date.parse('2026-11-22T10:00:00+08:00');

function red(id: string, createdAt: number, extra: Partial<AlertView> = {}): AlertView {
  const at = new Date(createdAt).toISOString();
  return {
    id,
    level: 'red',
    rule: 'homicide_risk',
    region: '620702001',
    state: 'new',
    title: id,
    createdAt: at,
    updatedAt: at,
    count: 1,
    desk: '620702',
    ...extra,
  };
}

describe('a red alert taking the stage', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('shows a live red alert at once, noting when the wall heard it, and queues the next behind it', () => {
    const stage = new RedStage(30_000);
    stage.offer(red('a', T0));
    expect(stage.current?.id).toBe('a');
    expect(stage.heardAt).toBe(T0);
    vi.advanceTimersByTime(2000);
    stage.offer(red('b', T0 + 2000));
    expect(stage.current?.id).toBe('a');
    expect(stage.waiting.map((w) => w.alert.id)).toEqual(['b']);
    vi.advanceTimersByTime(28_000);
    expect(stage.current?.id).toBe('b');
    expect(stage.heardAt).toBe(T0 + 2000);
    vi.advanceTimersByTime(30_000);
    expect(stage.current).toBeNull();
  });

  it('never stages an alert twice, an orange one, or a done one', () => {
    const stage = new RedStage(30_000);
    stage.offer(red('a', T0));
    stage.next();
    stage.offer(red('a', T0, { count: 2 }));
    stage.offer(red('o', T0, { level: 'orange' }));
    stage.offer(red('d', T0, { state: 'resolved' }));
    expect(stage.current).toBeNull();
    expect(stage.waiting).toEqual([]);
  });

  it('leaves the red alerts of a snapshot that are older than the stage time as history', () => {
    const stage = new RedStage(30_000);
    stage.know([red('old', T0 - 31_000)], T0);
    expect(stage.current).toBeNull();
    // Its live message arriving after the snapshot does not stage it either.
    stage.offer(red('old', T0 - 31_000));
    expect(stage.current).toBeNull();
  });

  it('stages a red alert a snapshot tells of when it was raised within the stage time, once', () => {
    // The wall's subscribe crossed the alert: the snapshot carries it before its live message.
    const stage = new RedStage(30_000);
    stage.know([red('young', T0 - 1500)], T0);
    expect(stage.current?.id).toBe('young');
    stage.offer(red('young', T0 - 1500));
    expect(stage.waiting).toEqual([]);
    // A drill and back: the next snapshot carries it again, and it is not queued a second time.
    stage.know([red('young', T0 - 1500)], T0 + 5000);
    expect(stage.waiting).toEqual([]);
  });
});
