import { describe, expect, it } from 'vitest';
import { bj, ev, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T21:30');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

// 甘州区 town centre; 0.001° of latitude is about 111 m.
const at = (dLat: number, dLng = 0) => ({ lng: 100.45 + dLng, lat: 38.93 + dLat });

describe('cluster (警情聚集)', () => {
  it('fires for five brawls within a few hundred metres in half an hour', async () => {
    const batch = [0, 1, 2, 3, 4].map((i) =>
      ev({ id: `cl${i}`, ts: NOW - (30 - i * 6) * MIN, location: at(i * 0.001), region: '620702001001' }),
    );
    await h.feed(batch.slice(0, 4));
    expect(await h.open()).toEqual([]);
    await h.feed(batch.slice(4));
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'cluster', level: 'yellow', region: '620702001001', count: 5 });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toContain('半径 1000 米内发生治安案件 5 起');
  });

  it('does not fire for incidents kilometres apart, or hours apart, or of other categories', async () => {
    await h.feed([0, 1, 2, 3, 4].map((i) => ev({ id: `far${i}`, ts: NOW - i * MIN, location: at(i * 0.03) })));
    await h.feed([0, 1, 2, 3, 4].map((i) => ev({ id: `late${i}`, ts: NOW - i * 90 * MIN, location: at(0.2) })));
    await h.feed(
      ['criminal', 'fraud', 'fire', 'public_order', 'traffic'].map((c, i) =>
        ev({ id: `cat${i}`, category: c as 'fire', ts: NOW - i * MIN, location: at(0.4) }),
      ),
    );
    expect(await h.open()).toEqual([]);
  });
});
