import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../server/redis/restart-backoff.ts';

describe('the restart backoff of the embedded redis-server', () => {
  it('doubles from its first delay up to its cap', () => {
    const b = new RestartBackoff({ initialDelayMs: 200, maxDelayMs: 1000, resetAfterMs: 60_000 });
    const delays = [0, 1, 2, 3, 4].map(() => b.next(0));
    expect(delays).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('starts again from its first delay once a child has stayed up long enough', () => {
    const b = new RestartBackoff({ initialDelayMs: 200, maxDelayMs: 10_000, resetAfterMs: 60_000 });
    b.next(1000);
    b.next(1000);
    expect(b.next(59_000)).toBe(800);
    expect(b.next(60_000)).toBe(200);
    expect(b.next(10)).toBe(400);
  });
});
