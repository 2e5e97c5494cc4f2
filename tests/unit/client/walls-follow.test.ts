import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WallsState } from '../../../client/src/duty/walls/walls.svelte.ts';
import type { WallsApi } from '../../../client/src/lib/walls-api.ts';

describe('the console’s wall list', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is read once per period however many views follow it, and no more once none does', async () => {
    let reads = 0;
    const api = { list: () => (reads++, Promise.resolve([])) } as unknown as WallsApi;
    const walls = new WallsState(api);
    const panel = walls.follow(5000);
    const picker = walls.follow(5000);
    expect(reads).toBe(2); // each view reads it as it opens
    await vi.advanceTimersByTimeAsync(15_000);
    expect(reads).toBe(5);
    panel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(reads).toBe(6);
    picker();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reads).toBe(6);
  });
});
