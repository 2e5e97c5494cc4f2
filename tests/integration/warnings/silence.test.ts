import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { bj, DAY, ev, HOUR, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T15:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

let n = 0;
/** `perHour` cases every daytime hour (08–20) of the last `days` days in a township. */
function history(township: string, perHour: number, days: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  const midnight = bj('2026-11-24T00:00');
  for (let d = 1; d <= days; d++) {
    for (let hr = 8; hr < 20; hr++) {
      for (let i = 0; i < perHour; i++)
        out.push(ev({ id: `si-${n++}`, ts: midnight - d * DAY + hr * HOUR + i * 600_000, region: `${township}001` }));
    }
  }
  return out;
}

/** Another county reports every ten minutes over [from, to]: the province as a whole is alive. */
async function elsewhere(from: number, to: number): Promise<void> {
  for (let t = from; t <= to; t += 10 * 60_000) {
    h.clock.set(t);
    await h.feed([ev({ id: `else-${n++}`, ts: t - 1000, region: '620102001001' })]);
  }
}

describe('silence (上报失联)', () => {
  it('warns the county desk when a busy township has reported nothing for hours', async () => {
    await h.backfill(history('620702001', 3, 7));
    h.clock.set(NOW - 4 * HOUR);
    await h.feed([ev({ id: 'last', ts: NOW - 4 * HOUR, region: '620702001001' })]);
    // The rest of the province keeps reporting.
    await elsewhere(NOW - 4 * HOUR + 60_000, NOW);
    h.clock.set(NOW);
    await h.alerting.warnings.tick(true);
    const list = (await h.open()).filter((a) => a.region === '620702001');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'silence', level: 'blue', desk: '620702' });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toMatch(/4\.0 小时没有任何上报；前 7 日同一时段平均上报 12\.0 起/);
    // Checking again during the same silence changes nothing.
    await elsewhere(NOW + 10 * 60_000, NOW + HOUR);
    await h.alerting.warnings.tick(true);
    expect((await h.open()).find((a) => a.region === '620702001')!.count).toBe(1);
  });

  it('does not warn for a township that rarely reports, nor for one that keeps reporting', async () => {
    await h.backfill(history('620702002', 0, 0));
    await h.backfill(history('620702003', 3, 7).filter((_, i) => i % 12 === 0));
    await h.backfill(history('620702004', 3, 7));
    h.clock.set(NOW - 4 * HOUR);
    await h.feed([ev({ id: 'q1', ts: NOW - 4 * HOUR, region: '620702003001' })]);
    h.clock.set(NOW - 10 * 60_000);
    await h.feed([ev({ id: 'q2', ts: NOW - 10 * 60_000, region: '620702004001' })]);
    h.clock.set(NOW);
    await h.alerting.warnings.tick(true);
    const silent = (await h.open()).filter((a) => a.rule === 'silence').map((a) => a.region);
    expect(silent).not.toContain('620702003');
    expect(silent).not.toContain('620702004');
  });

  it('raises nothing while the whole province is quiet: that is the system down, not a region', async () => {
    await h.backfill(history('620702001', 3, 7));
    h.clock.set(NOW - 4 * HOUR);
    await h.feed([ev({ id: 'all-quiet', ts: NOW - 4 * HOUR, region: '620702001001' })]);
    h.clock.set(NOW);
    await h.alerting.warnings.tick(true);
    expect((await h.open()).filter((a) => a.rule === 'silence')).toEqual([]);
  });

  it('counts a gap from when events came back after an outage, so a restart raises no flood', async () => {
    await h.backfill(history('620702001', 3, 7));
    h.clock.set(NOW - 6 * HOUR);
    await h.feed([ev({ id: 'before-outage', ts: NOW - 6 * HOUR, region: '620702001001' })]);
    await elsewhere(NOW - 30 * 60_000, NOW);
    await h.alerting.warnings.tick(true);
    expect((await h.open()).filter((a) => a.rule === 'silence')).toEqual([]);
    // Still silent hours after the system came back: now it is the township.
    await elsewhere(NOW + 10 * 60_000, NOW + 3 * HOUR);
    await h.alerting.warnings.tick(true);
    expect((await h.open()).filter((a) => a.rule === 'silence').map((a) => a.region)).toContain('620702001');
  });
});
