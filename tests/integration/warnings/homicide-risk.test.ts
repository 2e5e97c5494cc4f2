import { describe, expect, it } from 'vitest';
import { luaRuns } from '../../../server/redis/lua.ts';
import { bj, DAY, ev, type EventOver, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T10:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

/** Old disputes in these streams are overdue as well; this file is about the homicide-risk rule. */
const open = async () => (await h.open()).filter((a) => a.rule === 'homicide_risk');
const dispute = (over: EventOver) =>
  ev({ kind: 'dispute', category: 'family', status: 'received', channel: 'grid', ...over });

describe('homicide risk (命案风险)', () => {
  it('raises a red alert for a dispute with a weapon, explaining which marker and which event', async () => {
    await h.feed([
      dispute({ id: 'w1', caseId: 'c-weapon', ts: NOW - MIN, riskMarkers: ['weapon'], summary: '夫妻争吵，一方持刀' }),
    ]);
    const [a, ...rest] = await open();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      rule: 'homicide_risk',
      level: 'red',
      region: '620702001001',
      desk: '620702001',
      caseId: 'c-weapon',
      state: 'new',
      count: 1,
    });
    const d = (await h.alerting.alerts.store.detail(a!.id))!;
    expect(d.explanation).toContain('持械');
    expect(d.explanation).toContain('w1');
    expect(d.events.map((e) => e.id)).toEqual(['w1']);
    expect(d.history).toMatchObject([{ seq: 1, by: 'system', action: 'create', to: 'new' }]);
  });

  it('is orange for a violence threat and turns red when the same case brings a threat to kill', async () => {
    await h.feed([dispute({ id: 'v1', caseId: 'c-v', ts: NOW - 10 * MIN, riskMarkers: ['violence_threat'] })]);
    expect((await open()).map((a) => a.level)).toEqual(['orange']);
    await h.feed([
      dispute({ id: 'v2', caseId: 'c-v', status: 'mediating', ts: NOW - MIN, riskMarkers: ['kill_threat'] }),
    ]);
    const list = await open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ level: 'red', count: 2 });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.history.map((x) => x.action)).toEqual(['create', 'raise']);
  });

  it('counts each event once when a batch is delivered again', async () => {
    const batch = [dispute({ id: 'r1', caseId: 'c-r', ts: NOW - MIN, riskMarkers: ['weapon'] })];
    await h.feed(batch);
    const again = await h.feed(batch);
    expect(again.codes).toEqual(['D']);
    const list = await open();
    expect(list).toHaveLength(1);
    expect(list[0]!.count).toBe(1);
  });

  it('asks before raising again what is already counted: the aggregator re-running ingest’s checks sends no raise', async () => {
    const batch = [dispute({ id: 'a1', caseId: 'c-a', ts: NOW - MIN, riskMarkers: ['weapon'] })];
    const result = await h.feed(batch);
    const raises = () => luaRuns().get('alertRaise') ?? 0;
    const before = raises();
    // What the pipeline does with every counted batch, after ingest already raised on it.
    await h.alerting.warnings.onApplied(
      batch.map((event) => ({ entryId: '', event })),
      result,
    );
    expect(raises()).toBe(before);
    // New evidence on the same group still goes to the raise.
    await h.feed([dispute({ id: 'a2', caseId: 'c-a', status: 'mediating', ts: NOW, riskMarkers: ['weapon'] })]);
    expect(raises()).toBeGreaterThan(before);
    expect((await open()).map((a) => a.count)).toEqual([2]);
  });

  it('does not fire for a plain dispute, nor for a resolved one that mentions a weapon', async () => {
    await h.feed([
      dispute({ id: 'p1', ts: NOW - MIN }),
      dispute({ id: 'p2', caseId: 'c-p2', status: 'resolved', ts: NOW - MIN, riskMarkers: ['weapon'] }),
      ev({ id: 'p3', ts: NOW - MIN, riskMarkers: ['weapon'] }),
    ]);
    expect(await open()).toEqual([]);
  });

  it('fires when the same parties are in three disputes within 30 days, not two', async () => {
    const parties = ['hh-a', 'hh-b'];
    await h.feed([dispute({ id: 's1', caseId: 'c-s1', category: 'neighbour', ts: NOW - 20 * DAY, parties })]);
    await h.feed([dispute({ id: 's2', caseId: 'c-s2', category: 'neighbour', ts: NOW - 5 * DAY, parties })]);
    expect(await open()).toEqual([]);
    await h.feed([
      dispute({ id: 's3', caseId: 'c-s3', category: 'debt', region: '620702001002', ts: NOW - MIN, parties }),
    ]);
    const list = await open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'homicide_risk', level: 'orange', region: '620702001', count: 3 });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toContain('3 起');
    expect(d.events.map((e) => e.caseId).sort()).toEqual(['c-s1', 'c-s2', 'c-s3']);
    // A lifecycle message of a case already counted adds nothing.
    await h.feed([
      dispute({
        id: 's3b',
        caseId: 'c-s3',
        category: 'debt',
        status: 'dispatched',
        region: '620702001002',
        ts: NOW,
        parties,
      }),
    ]);
    expect((await open())[0]!.count).toBe(3);
  });

  it('does not count disputes older than the window', async () => {
    const parties = ['hh-old'];
    await h.feed([dispute({ id: 'o1', caseId: 'c-o1', ts: NOW - 39 * DAY, parties })]);
    await h.feed([dispute({ id: 'o2', caseId: 'c-o2', ts: NOW - 2 * DAY, parties })]);
    await h.feed([dispute({ id: 'o3', caseId: 'c-o3', ts: NOW - MIN, parties })]);
    expect(await open()).toEqual([]);
  });

  it('fires when a family dispute rises in severity, not when a labour dispute does', async () => {
    await h.feed([dispute({ id: 'e1', caseId: 'c-e', severity: 1, ts: NOW - 60 * MIN })]);
    await h.feed([dispute({ id: 'l1', caseId: 'c-l', category: 'labour', severity: 1, ts: NOW - 60 * MIN })]);
    expect(await open()).toEqual([]);
    await h.feed([dispute({ id: 'e2', caseId: 'c-e', status: 'mediating', severity: 3, ts: NOW - MIN })]);
    await h.feed([
      dispute({ id: 'l2', caseId: 'c-l', category: 'labour', status: 'mediating', severity: 3, ts: NOW - MIN }),
    ]);
    const list = await open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ caseId: 'c-e', level: 'orange' });
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toContain('由一般升至重大');
  });

  it('is yellow for a rise to 较大, orange from 重大, red at 特别重大', async () => {
    await h.feed([dispute({ id: 'y1', caseId: 'c-y', category: 'debt', severity: 1, ts: NOW - 60 * MIN })]);
    await h.feed([
      dispute({ id: 'y2', caseId: 'c-y', category: 'debt', status: 'mediating', severity: 2, ts: NOW - 30 * MIN }),
    ]);
    expect((await open()).map((a) => a.level)).toEqual(['yellow']);
    await h.feed([
      dispute({ id: 'y3', caseId: 'c-y', category: 'debt', status: 'mediating', severity: 4, ts: NOW - MIN }),
    ]);
    expect((await open()).map((a) => [a.level, a.count])).toEqual([['red', 2]]);
  });
});
