import { describe, expect, it } from 'vitest';
import type { TickerItem } from '../../../shared/events.ts';
import { TickerQueue } from '../../../client/src/wall/ticker-queue.svelte.ts';

function tick(id: string, region: string): TickerItem {
  return {
    id,
    kind: 'incident',
    category: 'public_order',
    status: 'reported',
    severity: 1,
    region,
    regionName: region,
    occurredAt: '2026-11-22T10:15:00+08:00',
    channel: 'grid',
    summary: id,
  };
}

describe('the ticker strip of a region', () => {
  it('never queues an event from outside its region, even when the old region’s items are offered after a drill-down', () => {
    const q = new TickerQueue('6207');
    // The session still holds the province's items when the new strip first reads them.
    q.offer([tick('lz', '620102001'), tick('zy', '620702001')]);
    expect(q.items.map((i) => i.id)).toEqual(['zy']);
  });

  it('drops everything queued for the region before when the kiosk rotates or the breadcrumb jumps', () => {
    const q = new TickerQueue('6201');
    q.offer([tick('a', '620102'), tick('b', '620103')]);
    q.rescope('6207');
    expect(q.items).toEqual([]);
    // A last batch the server pushed for the old room before the unsubscribe took effect.
    q.offer([tick('late', '620102'), tick('here', '620702')]);
    expect(q.items.map((i) => i.id)).toEqual(['here']);
  });

  it('shows an event once, and cuts a backlog to its newest items', () => {
    const q = new TickerQueue('62', 3);
    q.offer([tick('a', '6201')]);
    expect(q.offer([tick('a', '6201')]).added).toBe(false);
    expect(q.offer(['b', 'c', 'd'].map((id) => tick(id, '6207'))).trimmed).toBe(true);
    expect(q.items.map((i) => i.id)).toEqual(['b', 'c', 'd']);
  });
});
