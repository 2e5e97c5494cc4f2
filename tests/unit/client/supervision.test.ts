import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import { DutyQueue } from '../../../client/src/duty/state/queue.svelte.ts';
import { beijingInputToIso, supervisionLine } from '../../../client/src/duty/supervision.ts';
import { alert } from './fixtures.ts';

const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000+08:00`;
const NOW = Date.parse(at('10:30'));
const sup = (over: Partial<NonNullable<AlertView['supervision']>> = {}): AlertView['supervision'] => ({
  by: 'city1',
  region: '6207',
  at: at('09:00'),
  overdue: false,
  ...over,
});

describe('挂牌督办 in the duty queue', () => {
  it('puts an overdue supervised alert first, then the supervised ones, whatever their level', () => {
    const q = new DutyQueue('620702');
    q.reset([
      alert('red', { level: 'red' }),
      alert('sup-blue', { level: 'blue', supervised: true, supervision: sup({ deadline: at('12:00') }) }),
      alert('late-yellow', { level: 'yellow', supervised: true, supervision: sup({ overdue: true }) }),
    ]);
    expect(q.open.map((a) => a.id)).toEqual(['late-yellow', 'sup-blue', 'red']);
  });

  it('lists what the level supervises under the 督办 tab, as the server ordered it, and opens one', () => {
    const q = new DutyQueue('6207');
    const items = [alert('s2', { region: '620702' }), alert('s1', { region: '620702' })];
    q.supervising = items;
    q.tab = 'supervise';
    expect(q.shown.map((a) => a.id)).toEqual(['s2', 's1']);
    q.select('s1');
    expect(q.selected?.id).toBe('s1');
  });
});

describe('督办 text and deadline', () => {
  it('says the deadline and requirement, and how overdue it is, in red', () => {
    expect(supervisionLine(sup({ deadline: at('10:00'), requirement: '三日内化解', overdue: true }), NOW)).toEqual({
      text: '督办 · 超时 30 分钟 · 三日内化解',
      late: true,
    });
    expect(supervisionLine(sup({ deadline: at('12:05') }), NOW)).toEqual({
      text: '督办 · 期限 11月22日 12:05',
      late: false,
    });
    expect(supervisionLine(undefined, NOW)).toBeNull();
  });

  it('reads the datetime field as Beijing time, whatever the PC zone', () => {
    expect(beijingInputToIso('2026-11-23T09:30')).toBe('2026-11-23T09:30:00+08:00');
    expect(beijingInputToIso('')).toBeUndefined();
  });
});
