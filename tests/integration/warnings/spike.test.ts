import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { bj, DAY, ev, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

// A Tuesday, ten to nine: the morning rise is under way.
const NOW = bj('2026-11-24T08:50');
const WEEK = 7 * DAY;
const COUNTY = '620702';
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

let n = 0;
/** `count` incidents spread evenly over [from, to) in villages of the county. */
function incidents(count: number, from: number, to: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) =>
    ev({
      id: `sp-${n++}`,
      ts: from + Math.floor(((to - from) * i) / count),
      region: i % 2 ? '620702001001' : '620702002001',
    }),
  );
}

/**
 * A day's rhythm for the county: quiet night, a morning rise from 07:00 to 09:00 (about 12 an
 * hour rising to 30), steady day. Only the hours up to now matter for the windows tested.
 */
function dayOf(start: number, upTo = Infinity): StoredEvent[] {
  const out: StoredEvent[] = [];
  const hours: [number, number][] = [
    [0, 2],
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 1],
    [5, 2],
    [6, 6],
    [7, 18],
    [8, 30],
    [9, 24],
    [10, 20],
  ];
  for (const [hr, count] of hours) {
    const from = start + hr * 3600_000;
    const to = Math.min(from + 3600_000, upTo);
    if (to <= from) break;
    out.push(...incidents(Math.round((count * (to - from)) / 3600_000), from, to));
  }
  return out;
}

const midnight = bj('2026-11-24T00:00');

async function history(weeks: number): Promise<void> {
  for (let w = 1; w <= weeks; w++) await h.backfill(dayOf(midnight - w * WEEK));
}

describe('spike (警情突增)', () => {
  it('does not fire for a normal morning rise that its own baseline already has', async () => {
    await history(6);
    // Today: the same rise as every Tuesday, fed as it arrives.
    const today = dayOf(midnight, NOW);
    for (let i = 0; i < today.length; i += 25) await h.feed(today.slice(i, i + 25));
    expect((await h.open()).filter((a) => a.rule === 'spike')).toEqual([]);
  });

  it('would fire for the same rise in a region whose mornings are quiet (the baseline is what decides)', async () => {
    for (let w = 1; w <= 6; w++)
      await h.backfill(incidents(22, midnight - w * WEEK, midnight - w * WEEK + 11 * 3600_000));
    const today = dayOf(midnight, NOW);
    for (let i = 0; i < today.length; i += 25) await h.feed(today.slice(i, i + 25));
    expect((await h.open()).filter((a) => a.rule === 'spike').length).toBe(1);
  });

  it('fires for a burst far above the same quarter-hour of past Tuesdays, and says by how much', async () => {
    await history(6);
    await h.backfill(dayOf(midnight, NOW - 15 * MIN));
    await h.feed(incidents(40, NOW - 14 * MIN, NOW));
    const spikes = (await h.open()).filter((a) => a.rule === 'spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ region: COUNTY, desk: COUNTY });
    expect(['red', 'orange']).toContain(spikes[0]!.level);
    const d = (await h.alerting.alerts.store.detail(spikes[0]!.id))!;
    expect(d.explanation).toMatch(/近 15 分钟新增警情 4\d 起，前 6 周同一时段平均/);
    expect(d.explanation).toContain('泊松');
  });

  it('groups a spike that lasts into one alert with a count, not a flood', async () => {
    await history(6);
    await h.feed(incidents(40, NOW - 14 * MIN, NOW));
    h.clock.advance(5 * MIN);
    await h.feed(incidents(20, NOW, NOW + 5 * MIN));
    const spikes = (await h.open()).filter((a) => a.rule === 'spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]!.count).toBeGreaterThanOrEqual(2);
  });

  it('judges a young deployment against the same hours of the last days', async () => {
    for (let d = 1; d <= 3; d++) await h.backfill(dayOf(midnight - d * DAY));
    await h.feed(incidents(40, NOW - 14 * MIN, NOW));
    const d = await h.open();
    expect(d.map((a) => a.rule)).toContain('spike');
    const detail = (await h.alerting.alerts.store.detail(d.find((a) => a.rule === 'spike')!.id))!;
    expect(detail.explanation).toContain('前 3 日同一时段');
  });

  it('does not judge without any history', async () => {
    await h.feed(incidents(40, NOW - 14 * MIN, NOW));
    expect((await h.open()).filter((a) => a.rule === 'spike')).toEqual([]);
  });
});
