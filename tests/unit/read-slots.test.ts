import { describe, expect, it } from 'vitest';
import { ReadSlots } from '../../server/realtime/read-slots.ts';
import { createMetrics } from '../../server/metrics.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the hub’s read slots', () => {
  it('runs at most `max` reads at once and gives a freed slot to the oldest news first', async () => {
    const slots = new ReadSlots(2, createMetrics({ processMetrics: false }));
    const order: string[] = [];
    await slots.take('refresh', 0);
    await slots.take('refresh', 0);
    const wait = (name: string, since: number) => slots.take('refresh', since).then(() => order.push(name));
    const all = [
      wait('county, noticed at 900', 900),
      wait('township, noticed at 100', 100),
      wait('city, noticed at 900', 900),
    ];
    await tick();
    expect(order).toEqual([]);
    slots.release();
    await tick();
    // Asked second, but its change was announced first.
    expect(order).toEqual(['township, noticed at 100']);
    slots.release();
    slots.release();
    await Promise.all(all);
    // Equal ones in the order they asked.
    expect(order).toEqual(['township, noticed at 100', 'county, noticed at 900', 'city, noticed at 900']);
  });

  it('frees a slot when nobody waits, and never more than it has', async () => {
    const slots = new ReadSlots(1, createMetrics({ processMetrics: false }));
    await slots.take('join', 0);
    slots.release();
    await slots.take('join', 0);
    let third = false;
    void slots.take('refresh', 0).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    slots.release();
    await tick();
    expect(third).toBe(true);
  });
});
