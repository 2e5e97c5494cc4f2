import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { IngestKeys, ingestKeysHash } from '../../../server/auth/ingest-keys.ts';
import { bj, DAY, ev, HOUR, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T15:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

let n = 0;
/**
 * A source's reports every `everyMin` minutes, around the clock, over the `days` days before
 * today, each received a minute after it occurred (so the source's hourly history is built).
 */
function history(source: string, everyMin: number, days: number, villages = ['620702001001']): StoredEvent[] {
  const out: StoredEvent[] = [];
  const midnight = bj('2026-11-24T00:00');
  for (let t = midnight - days * DAY; t < midnight; t += everyMin * MIN) {
    out.push(
      ev({
        id: `src-${n++}`,
        ts: t,
        receivedAt: t + MIN,
        source,
        region: villages[n % villages.length]!,
        channel: 'police_110',
      }),
    );
  }
  return out;
}

/** The history goes through the rules (the source check learns from what it is handed), a day at a time. */
async function feedHistory(events: StoredEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const batch = events.slice(i, i + 500);
    h.clock.set(batch.at(-1)!.receivedAt!);
    await h.feed(batch);
  }
}

/** Another source keeps reporting elsewhere every ten minutes over [from, to]: the system is alive. */
async function alive(from: number, to: number): Promise<void> {
  for (let t = from; t <= to; t += 10 * MIN) {
    h.clock.set(t);
    await h.feed([ev({ id: `alive-${n++}`, ts: t - 1000, receivedAt: t, region: '620102001001', source: 'lz-grid' })]);
  }
  h.clock.set(to);
}

/** Reports of `source` every ten minutes over [from, to]. */
async function reports(source: string, from: number, to: number, region = '620702001001'): Promise<void> {
  for (let t = from; t <= to; t += 10 * MIN) {
    h.clock.set(t);
    await h.feed([ev({ id: `rep-${n++}`, ts: t - 1000, receivedAt: t, region, source })]);
  }
}

const silences = async () => (await h.open()).filter((a) => a.rule === 'silence');

describe('silence of a source system (来源系统失联)', () => {
  it('warns the desk of the region its key binds it to when a busy source has been quiet for hours', async () => {
    await new IngestKeys(h.redis, ingestKeysHash(h.keys.prefix), []).create('zy-110', 'admin', '620702');
    await feedHistory(history('zy-110', 10, 7));
    await reports('zy-110', bj('2026-11-24T00:00'), NOW - 3 * HOUR);
    await alive(NOW - 3 * HOUR + MIN, NOW);
    await h.alerting.warnings.tick(true);

    const mine = (await silences()).filter((a) => a.title.includes('zy-110'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ rule: 'silence', level: 'yellow', region: '620702', desk: '620702' });
    const d = (await h.alerting.alerts.store.detail(mine[0]!.id))!;
    // Names the system, its last report and its usual pace (six new cases an hour).
    expect(d.explanation).toContain('来源系统「zy-110」（绑定张掖市甘州区）');
    expect(d.explanation).toContain('最后一次上报 12:00');
    expect(d.explanation).toMatch(/前 7 日同一时段平均新报案件 18\.0 起（约每小时 6\.0 起）/);
    expect(d.explanation).toContain('计入张掖市甘州区的上报及时率');

    // The county itself went quiet with its only source: its own 失联 is a second alert, not merged.
    const county = (await silences()).filter((a) => a.region === '620702');
    expect(county.map((a) => a.title).sort()).toEqual([
      '上报失联：3.0 小时无上报',
      '来源系统失联：zy-110 3.0 小时无上报',
    ]);
    expect(new Set(county.map((a) => a.id)).size).toBe(2);

    // Checking again during the same silence adds to the same alert.
    await alive(NOW + 10 * MIN, NOW + 30 * MIN);
    await h.alerting.warnings.tick(true);
    expect((await silences()).filter((a) => a.title.includes('zy-110'))).toHaveLength(1);
  });

  it('does not warn for a source at its usual pace, nor for one that seldom reports', async () => {
    await feedHistory(history('steady', 10, 7));
    await feedHistory(history('seldom', 12 * 60, 7, ['620702002001']));
    h.clock.set(bj('2026-11-24T08:00'));
    await h.feed([
      ev({
        id: 'seldom-today',
        ts: h.clock.now(),
        receivedAt: h.clock.now(),
        source: 'seldom',
        region: '620702002001',
      }),
    ]);
    await reports('steady', bj('2026-11-24T00:00'), NOW);
    await h.alerting.warnings.tick(true);
    expect((await silences()).filter((a) => a.title.includes('来源系统'))).toEqual([]);
  });

  it('raises none while the whole province is quiet, and counts a gap only from when events came back', async () => {
    await feedHistory(history('zy-110', 10, 7));
    await reports('zy-110', bj('2026-11-24T00:00'), NOW - 4 * HOUR);
    // Nothing from anyone for four hours: the system (or every feed) was down.
    h.clock.set(NOW);
    await h.alerting.warnings.tick(true);
    expect(await silences()).toEqual([]);
    // Events come back from another source; 30 minutes later zy-110 is not yet silent by its own gap.
    await alive(NOW, NOW + 30 * MIN);
    await h.alerting.warnings.tick(true);
    expect(await silences()).toEqual([]);
    // Two hours after the system came back it still sends nothing: now that is the source.
    await alive(NOW + 40 * MIN, NOW + 2 * HOUR);
    await h.alerting.warnings.tick(true);
    expect((await silences()).map((a) => a.title)).toContain('来源系统失联：zy-110 2.0 小时无上报');
  });

  it('gives a source no key binds to the smallest region holding everything it reported', async () => {
    await feedHistory(history('grid-app', 10, 7, ['620702001001', '620702001005']));
    await reports('grid-app', bj('2026-11-24T00:00'), NOW - 3 * HOUR, '620702001006');
    await alive(NOW - 3 * HOUR + MIN, NOW);
    await h.alerting.warnings.tick(true);
    const mine = (await silences()).filter((a) => a.title.includes('grid-app'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ region: '620702001', desk: '620702001' });
    const d = (await h.alerting.alerts.store.detail(mine[0]!.id))!;
    expect(d.explanation).toContain('上报范围张掖市甘州区东街街道');
  });
});
