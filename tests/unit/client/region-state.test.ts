import { describe, expect, it, vi } from 'vitest';
import { fail, ok, type Ack } from '../../../shared/ack.ts';
import type { Delta } from '../../../shared/delta.ts';
import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import { applyBatch, RegionState } from '../../../client/src/lib/state/region.svelte.ts';
import { snapshot } from './fixtures.ts';

const delta = (seq: number, changes: Delta['changes'], region = '62'): Delta => ({
  region,
  seq,
  asOf: `2026-11-22T10:30:${String(seq).padStart(2, '0')}.000+08:00`,
  changes,
});

describe('applyBatch', () => {
  it('applies consecutive deltas to a clone and leaves the input untouched', () => {
    const s = snapshot({ seq: 10 });
    const {
      snapshot: next,
      applied,
      gap,
    } = applyBatch(s, [delta(11, { 'counts.today.incident': 41 }), delta(12, { 'counts.today.incident': 42 })]);
    expect([applied, gap, next.seq, next.counts.today.incident]).toEqual([2, false, 12, 42]);
    expect(s.counts.today.incident).toBe(40);
    expect(next.asOf).toBe('2026-11-22T10:30:12.000+08:00');
  });

  it('ignores deltas the snapshot already contains', () => {
    const s = snapshot({ seq: 10 });
    const r = applyBatch(s, [delta(9, { 'counts.today.incident': 1 }), delta(10, { 'counts.today.incident': 2 })]);
    expect(r.applied).toBe(0);
    expect(r.snapshot).toBe(s);
  });

  it('reports a gap and stops at it', () => {
    const r = applyBatch(snapshot({ seq: 10 }), [
      delta(11, { 'counts.today.incident': 41 }),
      delta(13, { 'counts.today.incident': 99 }),
    ]);
    expect([r.applied, r.gap, r.snapshot.counts.today.incident]).toEqual([1, true, 41]);
  });
});

/** A region state with a hand-driven scheduler and a scripted server. */
function setup(replies: Array<Ack<Snapshot>> = []) {
  let flushQueued: (() => void) | null = null;
  const requests: string[] = [];
  const released: string[] = [];
  const pendingReplies: Array<(a: Ack<Snapshot>) => void> = [];
  let manual = false;
  const state = new RegionState({
    request: (code) => {
      requests.push(code);
      if (manual) return new Promise((resolve) => pendingReplies.push(resolve));
      return Promise.resolve(replies.shift() ?? fail('unavailable', 'no reply scripted'));
    },
    release: (code) => released.push(code),
    canRequest: () => true,
    schedule: (fn) => {
      flushQueued = fn;
      return () => (flushQueued = null);
    },
    retryMs: 1000,
  });
  return {
    state,
    requests,
    released,
    pendingReplies,
    setManual: () => (manual = true),
    runFrame: () => {
      const f = flushQueued;
      flushQueued = null;
      f?.();
    },
    hasFrame: () => flushQueued !== null,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('RegionState', () => {
  it('subscribes on select and shows the snapshot it is answered with', async () => {
    const t = setup([ok(snapshot())]);
    t.state.select('62');
    await settle();
    expect(t.requests).toEqual(['62']);
    expect(t.state.snapshot?.seq).toBe(10);
    expect(t.state.loading).toBe(false);
  });

  it('applies the deltas of one frame together, in one new snapshot', async () => {
    const t = setup([ok(snapshot())]);
    t.state.select('62');
    await settle();
    const before = t.state.snapshot;
    t.state.receive(delta(11, { 'counts.today.incident': 41 }));
    t.state.receive(delta(12, { 'counts.today.dispute': 13 }));
    expect(t.state.snapshot).toBe(before); // nothing until the frame
    t.runFrame();
    expect(t.state.snapshot).not.toBe(before);
    expect(t.state.snapshot).toMatchObject({ seq: 12, counts: { today: { incident: 41, dispute: 13 } } });
  });

  it('fetches a fresh snapshot when a sequence number is skipped', async () => {
    const t = setup([ok(snapshot({ seq: 10 })), ok(snapshot({ seq: 20 }))]);
    t.state.select('62');
    await settle();
    t.state.receive(delta(12, { 'counts.today.incident': 1 }));
    t.runFrame();
    await settle();
    expect(t.requests).toEqual(['62', '62']);
    expect(t.state.snapshot?.seq).toBe(20);
    expect(t.state.snapshot?.counts.today.incident).toBe(40);
  });

  it('keeps deltas that arrive during a request and applies those that continue the snapshot', async () => {
    const t = setup();
    t.setManual();
    t.state.select('62');
    t.state.receive(delta(10, { 'counts.today.incident': 1 }));
    t.state.receive(delta(11, { 'counts.today.incident': 77 }));
    expect(t.hasFrame()).toBe(false);
    t.pendingReplies[0]!(ok(snapshot({ seq: 10 })));
    await settle();
    expect(t.state.snapshot).toMatchObject({ seq: 11, counts: { today: { incident: 77 } } });
  });

  it('drops a late reply for a region it has left, and leaves the old room', async () => {
    const t = setup();
    t.setManual();
    t.state.select('62');
    t.state.select('6207');
    expect(t.released).toEqual(['62']);
    t.pendingReplies[1]!(
      ok(snapshot({ region: { code: '6207', name: '张掖市', level: 'city', path: ['62', '6207'] }, seq: 3 })),
    );
    t.pendingReplies[0]!(ok(snapshot({ seq: 10 })));
    await settle();
    expect(t.state.snapshot?.region.code).toBe('6207');
    t.state.receive(delta(11, {}, '62'));
    expect(t.hasFrame()).toBe(false);
  });

  it('shows the error of a refused subscription and retries only transient ones', async () => {
    vi.useFakeTimers();
    try {
      const t = setup([fail('out_of_scope', 'no'), fail('unavailable', 'busy'), ok(snapshot())]);
      t.state.select('62');
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state.error?.code).toBe('out_of_scope');
      await vi.advanceTimersByTimeAsync(5000);
      expect(t.requests).toHaveLength(1);
      void t.state.resync();
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state.error?.code).toBe('unavailable');
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.requests).toHaveLength(3);
      expect(t.state.error).toBeNull();
      expect(t.state.snapshot?.seq).toBe(10);
    } finally {
      vi.useRealTimers();
    }
  });
});
