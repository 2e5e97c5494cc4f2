import { describe, expect, it } from 'vitest';
import type { RaiseInput } from '../../../server/alerts/store.ts';
import { bj, MIN, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T10:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

let n = 0;
function warning(over: Partial<RaiseInput> = {}): RaiseInput {
  n++;
  return {
    rule: 'homicide_risk',
    level: 'red',
    region: '620702001001',
    desk: '620702001',
    caseId: `c${n}`,
    group: `homicide_risk:620702001001:c${n}`,
    title: '命案风险：测试',
    explanation: '测试说明',
    signLimitMs: 5 * MIN,
    evidence: [{ id: `e${n}`, at: '2026-11-24T09:59:00.000+08:00', summary: '测试事件' }],
    ...over,
  };
}

async function raised(over: Partial<RaiseInput> = {}) {
  const r = await h.alerting.alerts.raise(warning(over));
  if (r.code !== 'N') throw new Error(`expected a new alert, got ${r.code}`);
  return r.alert;
}

const act = (id: string, input: Parameters<typeof h.alerting.alerts.act>[1]) => h.alerting.alerts.act(id, input);

describe('the alert state machine', () => {
  it('walks new → acknowledged → dispatched → resolved → closed, recording who, when and why in order', async () => {
    const a = await raised();
    expect(a).toMatchObject({ state: 'new', signBy: '2026-11-24T10:05:00.000+08:00' });
    h.clock.advance(MIN);
    const ack = await act(a.id, { action: 'ack', actor: 'li', note: '已电话核实' });
    expect(ack).toMatchObject({ ok: true, alert: { state: 'acknowledged', signedBy: 'li', actor: 'li' } });
    expect(ack.ok && ack.alert.signBy).toBeUndefined();
    h.clock.advance(MIN);
    const disp = await act(a.id, { action: 'dispatch', actor: 'li', departments: ['派出所', '司法所'] });
    expect(disp.ok && disp.alert.departments?.map((d) => [d.name, d.checkedInAt])).toEqual([
      ['派出所', undefined],
      ['司法所', undefined],
    ]);
    h.clock.advance(MIN);
    const ci = await act(a.id, { action: 'checkin', actor: 'wang', department: '派出所' });
    expect(ci.ok && ci.alert.departments?.find((d) => d.name === '派出所')).toMatchObject({ checkedInBy: 'wang' });
    expect((await act(a.id, { action: 'checkin', actor: 'wang', department: '派出所' })).ok).toBe(false);
    expect(await act(a.id, { action: 'checkin', actor: 'wang', department: '民政局' })).toMatchObject({
      ok: false,
      reason: 'no_department',
    });
    h.clock.advance(MIN);
    expect(await act(a.id, { action: 'resolve', actor: 'li', note: '双方达成调解协议' })).toMatchObject({
      ok: false,
      reason: 'not_checked_in',
    });
    await act(a.id, { action: 'checkin', actor: 'wang', department: '司法所' });
    expect((await act(a.id, { action: 'resolve', actor: 'li', note: '双方达成调解协议' })).ok).toBe(true);
    expect(await h.alerting.alerts.list('62', 'open')).toEqual([]);
    expect((await h.alerting.alerts.list('6207', 'resolved')).map((x) => x.id)).toEqual([a.id]);
    h.clock.advance(MIN);
    expect((await act(a.id, { action: 'close', actor: 'zhao', note: '回访核验' })).ok).toBe(true);
    expect((await act(a.id, { action: 'note', actor: 'zhao', note: '归档' })).ok).toBe(true);
    expect((await h.alerting.alerts.list('620702', 'closed')).map((x) => x.id)).toEqual([a.id]);

    const d = (await h.alerting.alerts.store.detail(a.id))!;
    expect(d.history.map((e) => [e.seq, e.action, e.by, e.from ?? '', e.to ?? '', e.note ?? ''])).toEqual([
      [1, 'create', 'system', '', 'new', '测试说明'],
      [2, 'ack', 'li', 'new', 'acknowledged', '已电话核实'],
      [3, 'dispatch', 'li', 'acknowledged', 'dispatched', ''],
      [4, 'checkin', 'wang', '', '', ''],
      [5, 'checkin', 'wang', '', '', ''],
      [6, 'resolve', 'li', 'dispatched', 'resolved', '双方达成调解协议'],
      [7, 'close', 'zhao', 'resolved', 'closed', '回访核验'],
      [8, 'note', 'zhao', '', '', '归档'],
    ]);
    expect(d.history[2]!.departments).toEqual(['派出所', '司法所']);
    expect(d.history.map((e) => e.at)).toEqual([...d.history.map((e) => e.at)].sort());
  });

  it('refuses illegal transitions with a reason and leaves the record as it was', async () => {
    const a = await raised();
    expect(await act(a.id, { action: 'resolve', actor: 'li', note: 'x' })).toMatchObject({
      ok: false,
      reason: 'state',
      alert: { state: 'new' },
    });
    expect(await act(a.id, { action: 'close', actor: 'li' })).toMatchObject({ ok: false, reason: 'state' });
    expect(await act(a.id, { action: 'dispatch', actor: 'li', departments: ['派出所'] })).toMatchObject({
      ok: false,
      reason: 'state',
    });
    expect(await act('al-nope', { action: 'ack', actor: 'li' })).toEqual({ ok: false, reason: 'not_found' });
    expect((await h.alerting.alerts.store.detail(a.id))!.history).toHaveLength(1);
  });

  it('lets exactly one of two officers signing at the same moment win, and tells the other who was first', async () => {
    const a = await raised();
    const [x, y] = await Promise.all([
      act(a.id, { action: 'ack', actor: 'li' }),
      act(a.id, { action: 'ack', actor: 'wang' }),
    ]);
    const winners = [x, y].filter((r) => r.ok);
    const losers = [x, y].filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const first = winners[0]!.ok ? winners[0]!.alert.signedBy : '';
    expect(losers[0]).toMatchObject({ ok: false, reason: 'state', alert: { signedBy: first, state: 'acknowledged' } });
    expect((await h.alerting.alerts.store.detail(a.id))!.history.filter((e) => e.action === 'ack')).toHaveLength(1);
  });

  it('escalates to the parent desk, which must sign again; refuses at the province', async () => {
    const a = await raised({ region: '620702', desk: '6207' });
    await act(a.id, { action: 'ack', actor: 'li' });
    const up = await act(a.id, { action: 'escalate', actor: 'li', note: '涉及多部门，请市里协调' });
    expect(up).toMatchObject({ ok: true, alert: { state: 'escalated', desk: '62' } });
    expect(up.ok && up.alert.signedBy).toBeUndefined();
    expect((await h.alerting.alerts.atDesk('62')).map((x) => x.id)).toEqual([a.id]);
    expect(await h.alerting.alerts.atDesk('6207')).toEqual([]);
    expect(await act(a.id, { action: 'escalate', actor: 'zhao', note: '再升' })).toMatchObject({
      ok: false,
      reason: 'top',
    });
    expect((await act(a.id, { action: 'ack', actor: 'zhao' })).ok).toBe(true);
  });

  it('keeps the sign deadline of an alert that reached the province unsigned, so its desk sees how long it is overdue', async () => {
    const a = await raised({ region: '620702', desk: '62' });
    h.clock.advance(20 * MIN);
    const r = await act(a.id, { action: 'escalate', actor: 'system', auto: true, note: '超时' });
    expect(r).toMatchObject({ ok: false, reason: 'top' });
    expect((await h.alerting.alerts.store.view(a.id))!.signBy).toBe('2026-11-24T10:05:00.000+08:00');
    // The timer does not try again: the deadline left the escalation queue.
    expect(await h.alerting.alerts.store.overdueForSigning(h.clock.now())).toEqual([]);
  });

  it('checks the desk is inside the actor’s area atomically', async () => {
    const a = await raised();
    expect(await act(a.id, { action: 'ack', actor: 'x', scope: '6201' })).toMatchObject({
      ok: false,
      reason: 'out_of_scope',
    });
    expect((await act(a.id, { action: 'ack', actor: 'x', scope: '6207' })).ok).toBe(true);
  });

  it('marks 督办 once', async () => {
    const a = await raised();
    expect(await act(a.id, { action: 'supervise', actor: 'boss', note: '请加快' })).toMatchObject({
      ok: true,
      alert: { supervised: true },
    });
    expect(await act(a.id, { action: 'supervise', actor: 'boss' })).toMatchObject({ ok: false, reason: 'supervised' });
  });

  it('groups warnings of one rule, region and case into one alert with a count, and starts afresh once resolved', async () => {
    const w = warning();
    const first = await h.alerting.alerts.raise(w);
    const second = await h.alerting.alerts.raise({
      ...w,
      evidence: [{ id: 'other', at: w.evidence[0]!.at, summary: '又一次' }],
    });
    const same = await h.alerting.alerts.raise({
      ...w,
      evidence: [{ id: 'other', at: w.evidence[0]!.at, summary: '又一次' }],
    });
    expect(first.code).toBe('N');
    expect(second).toMatchObject({ code: 'U', alert: { count: 2 } });
    expect(same.code).toBe('D');
    const id = first.code === 'N' ? first.alert.id : '';
    await act(id, { action: 'ack', actor: 'li' });
    await act(id, { action: 'resolve', actor: 'li', note: '已处置' });
    const again = await h.alerting.alerts.raise({
      ...w,
      evidence: [{ id: 'third', at: w.evidence[0]!.at, summary: '再次' }],
    });
    expect(again.code).toBe('N');
  });

  it('silences a rule for a region’s subtree until the silence expires', async () => {
    await h.alerting.alerts.silences.set({
      rule: 'homicide_risk',
      region: '620702',
      reason: '演练期间',
      by: 'boss',
      minutes: 30,
    });
    expect((await h.alerting.alerts.raise(warning())).code).toBe('S');
    expect((await h.alerting.alerts.raise(warning({ region: '620102001001', desk: '620102001' }))).code).toBe('N');
    expect(await h.alerting.alerts.silences.list('6207')).toMatchObject([
      { rule: 'homicide_risk', region: '620702', reason: '演练期间', by: 'boss' },
    ]);
    await h.alerting.alerts.silences.clear('homicide_risk', '620702');
    expect((await h.alerting.alerts.raise(warning())).code).toBe('N');
  });

  it('gives the snapshot its open alerts, counts by level and counts per child in one read', async () => {
    await raised({ level: 'red' });
    await raised({ level: 'yellow', region: '620702002001', desk: '620702002' });
    await raised({ level: 'blue', region: '620102001001', desk: '620102001' });
    const d = await h.alerting.alerts.digest('6207', h.tree.children('6207'));
    expect(d.counts).toEqual({ red: 1, orange: 0, yellow: 1, blue: 0 });
    expect(d.byChild['620702']).toEqual({ red: 1, orange: 0, yellow: 1, blue: 0 });
    expect(d.byChild['620722']).toEqual({ red: 0, orange: 0, yellow: 0, blue: 0 });
    expect(d.list.map((a) => a.level)).toEqual(['red', 'yellow']);
    const province = await h.alerting.alerts.digest('62', h.tree.children('62'));
    expect(province.counts).toEqual({ red: 1, orange: 0, yellow: 1, blue: 1 });
  });
});
