import { describe, expect, it } from 'vitest';
import { bj, DAY, ev, type EventOver, HOUR, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T10:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

const dispute = (over: EventOver) =>
  ev({ kind: 'dispute', category: 'family', status: 'received', channel: 'grid', ...over });

describe('overdue (超期)', () => {
  it('raises a yellow alert when a family dispute is not dispatched within 12 hours', async () => {
    await h.feed([dispute({ id: 'od1', caseId: 'c-od', ts: NOW - MIN })]);
    h.clock.advance(11 * HOUR);
    await h.sweep();
    expect(await h.open()).toEqual([]);
    h.clock.advance(2 * HOUR);
    await h.sweep();
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'overdue', level: 'yellow', caseId: 'c-od', region: '620702001001' });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toContain('超过分流时限 12 小时');
  });

  it('gathers a burst of disputes of one region going overdue together into one alert with a count', async () => {
    await h.feed(
      Array.from({ length: 12 }, (_, i) => dispute({ id: `burst${i}`, caseId: `c-burst${i}`, ts: NOW - 2 * DAY })),
    );
    await h.feed([dispute({ id: 'other', caseId: 'c-other', region: '620702002001', ts: NOW - 2 * DAY })]);
    h.clock.advance(10 * MIN);
    await h.alerting.warnings.tick(true);
    const list = await h.open();
    expect(list.map((a) => [a.region, a.count]).sort()).toEqual([
      ['620702001001', 12],
      ['620702002001', 1],
    ]);
  });

  it('does not let a resolved dispute go overdue', async () => {
    await h.feed([dispute({ id: 'rs1', caseId: 'c-rs', ts: NOW - MIN })]);
    await h.feed([dispute({ id: 'rs2', caseId: 'c-rs', status: 'dispatched', ts: NOW + HOUR })]);
    await h.feed([dispute({ id: 'rs3', caseId: 'c-rs', status: 'resolved', ts: NOW + 2 * HOUR })]);
    h.clock.advance(40 * DAY);
    await h.sweep();
    expect(await h.open()).toEqual([]);
  });

  it('raises the same alert to orange when the dispute then passes its resolution limit', async () => {
    await h.feed([dispute({ id: 'rr1', caseId: 'c-rr', ts: NOW - MIN })]);
    h.clock.advance(13 * HOUR);
    await h.sweep();
    h.clock.advance(15 * DAY);
    await h.sweep();
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ level: 'orange', count: 2 });
    await h.sweep();
    expect((await h.open())[0]!.count).toBe(2);
  });

  it('raises an alert for a dispute that arrives already past its limit, after its backlog is in', async () => {
    await h.feed([dispute({ id: 'late1', caseId: 'c-late', ts: NOW - 2 * DAY })]);
    expect(await h.open()).toEqual([]);
    h.clock.advance(10 * MIN);
    await h.alerting.warnings.tick(true);
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'overdue', level: 'yellow', caseId: 'c-late', count: 1 });
    // The sweep that runs later finds nothing new to say about it.
    await h.sweep();
    expect((await h.open())[0]!.count).toBe(1);
  });

  it('does not raise one when replayed history brings the dispatch right after the receipt', async () => {
    await h.feed([dispute({ id: 'bf1', caseId: 'c-bf', ts: NOW - 2 * DAY })]);
    await h.feed([dispute({ id: 'bf2', caseId: 'c-bf', status: 'dispatched', ts: NOW - 2 * DAY + 3 * HOUR })]);
    h.clock.advance(10 * MIN);
    await h.alerting.warnings.tick(true);
    expect(await h.open()).toEqual([]);
  });
});
