import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { applyBatch, type Entry } from '../../../server/aggregate/apply.ts';
import { slaTable } from '../../../server/aggregate/sla.ts';
import { readTimeliness } from '../../../server/assessment/report-timeliness.ts';
import { bj, DAY, ev, HOUR, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T15:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

/** Aggregates entries (with the stream ids given) and hands them to the rules, as the pipeline does. */
async function feedEntries(entries: Entry[]): Promise<void> {
  const { countEvent } = h.alerting.warnings;
  const ctx = { redis: h.redis, keys: h.keys, sla: slaTable(), ...(countEvent ? { countEvent } : {}) };
  const result = await applyBatch(ctx, entries, h.clock.now(), false);
  await h.alerting.warnings.onApplied(entries, result);
}
const entry = (event: StoredEvent, entryId = ''): Entry => ({ entryId, event });

/** `perHour` cases every daytime hour (08–20) of the last seven days in a township, for the silence rule. */
function history(township: string, perHour: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  const midnight = bj('2026-11-24T00:00');
  for (let d = 1; d <= 7; d++)
    for (let hr = 8; hr < 20; hr++)
      for (let i = 0; i < perHour; i++)
        out.push(
          ev({
            id: `hist-${d}-${hr}-${i}`,
            ts: midnight - d * DAY + hr * HOUR + i * 600_000,
            region: `${township}001`,
          }),
        );
  return out;
}

const read = (code: string, month = '202611') => readTimeliness(h.redis, h.keys, code, month);

describe('上报及时率 (reporting timeliness)', () => {
  it('counts on-time and late reports and a 失联 episode exactly, at township, county, city and province', async () => {
    await h.backfill(history('620702001', 3));
    const T4 = NOW - 4 * HOUR;
    h.clock.set(T4);
    const village = '620702001001';
    const onTimeIncident = ev({
      id: 'on-i',
      ts: NOW - 5 * HOUR,
      receivedAt: NOW - 5 * HOUR + 10 * MIN,
      region: village,
    });
    await feedEntries([
      entry(onTimeIncident),
      // An incident an hour late (limit 30 min).
      entry(ev({ id: 'late-i', ts: NOW - 5 * HOUR, receivedAt: T4, region: village })),
      // A dispute 23 hours after it happened (limit 24 h): on time.
      entry(
        ev({
          id: 'on-d',
          kind: 'dispute',
          category: 'family',
          status: 'received',
          ts: T4 - 23 * HOUR,
          receivedAt: T4,
          region: village,
        }),
      ),
      // A dispute 25 hours late, known only to the county: late, and not the township's.
      entry(
        ev({
          id: 'late-d',
          kind: 'dispute',
          category: 'land',
          status: 'received',
          ts: T4 - 25 * HOUR,
          receivedAt: T4,
          region: '620702',
        }),
      ),
      // Another county, on time.
      entry(ev({ id: 'lz-on', ts: T4 - 5 * MIN, receivedAt: T4, region: '620102001001' })),
      // No receivedAt (stored before the field existed): the stream entry's time says it, 40 min late.
      entry(ev({ id: 'by-stream', ts: T4 - 40 * MIN, region: village }), `${T4}-0`),
      // Neither a receivedAt nor a stream entry: not judged.
      entry(ev({ id: 'unknown', ts: T4 - 2 * HOUR, region: village })),
    ]);
    // Redelivered: applied before, so counted before.
    await feedEntries([entry(onTimeIncident)]);

    // The township (and with it the county) then reports nothing for four hours while Lanzhou does
    // (events without a receivedAt: not judged).
    let t = T4;
    const lanzhouUntil = async (to: number) => {
      for (t += 10 * MIN; t <= to; t += 10 * MIN) {
        h.clock.set(t);
        await h.feed([ev({ id: `lz-${t}`, ts: t - 1000, region: '620102001001' })]);
      }
      t -= 10 * MIN;
      h.clock.set(to);
    };
    await lanzhouUntil(NOW);
    await h.alerting.warnings.tick(true);
    const silent = (await h.open()).filter((a) => a.rule === 'silence').map((a) => a.region);
    expect(silent.sort()).toEqual(['620702', '620702001']);

    // Township: 3 incidents (2 late) + 1 dispute on time, 1 episode → (4 − 2) ÷ (4 + 1).
    expect(await read('620702001')).toEqual({
      reports: 4,
      late: 2,
      silences: 1,
      onTime: 2,
      rate: 2 / 5,
      byKind: { incident: { reports: 3, late: 2 }, dispute: { reports: 1, late: 0 } },
    });
    // County: the township's, the late county-level dispute, its own episode too → 2 ÷ (5 + 2).
    expect(await read('620702')).toMatchObject({ reports: 5, late: 3, silences: 2, onTime: 2, rate: 2 / 7 });
    expect(await read('6207')).toMatchObject({ reports: 5, late: 3, silences: 2, rate: 2 / 7 });
    // Province: the sum, with Lanzhou's on-time incident → 3 ÷ (6 + 2).
    expect(await read('62')).toMatchObject({ reports: 6, late: 3, silences: 2, onTime: 3, rate: 3 / 8 });
    expect(await read('620102')).toMatchObject({ reports: 1, late: 0, silences: 0, rate: 1 });
    // Nothing leaks into another month.
    expect(await read('62', '202610')).toMatchObject({ reports: 0, silences: 0, rate: null });

    // The same silence seen again an hour later is the same episode.
    await lanzhouUntil(NOW + HOUR);
    await h.alerting.warnings.tick(true);
    expect(await read('620702')).toMatchObject({ silences: 2, rate: 2 / 7 });
  });

  it('takes each kind’s limit from the rules file and puts a report in the month it was received', async () => {
    const lastOfOctober = bj('2026-10-31T23:50');
    await feedEntries([
      // Occurred in October, received in November 40 minutes later: a late November report.
      entry(ev({ id: 'm1', ts: lastOfOctober, receivedAt: lastOfOctober + 40 * MIN, region: '620702001001' })),
      entry(ev({ id: 'm2', ts: lastOfOctober - 20 * MIN, receivedAt: lastOfOctober, region: '620702001001' })),
    ]);
    expect(await read('620702001', '202610')).toMatchObject({ reports: 1, late: 0, rate: 1 });
    expect(await read('620702001', '202611')).toMatchObject({ reports: 1, late: 1, rate: 0 });
  });
});
