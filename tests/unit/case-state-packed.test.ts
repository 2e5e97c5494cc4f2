import { describe, expect, it } from 'vitest';
import {
  decodeCase,
  encodeCase,
  mergeEvent,
  newCase,
  type CaseEvent,
  type CaseState,
} from '../../server/aggregate/case-state.ts';

/** The packed case state (case-state.ts): what is written is read back the same, and old JSON still reads. */

const T = Date.parse('2026-12-05T10:00:00+08:00');
const ev = (id: string, status: CaseEvent['status'], ts: number, over: Partial<CaseEvent> = {}): CaseEvent => ({
  id,
  caseId: 'simh-42',
  k: 'd',
  category: 'neighbour',
  status,
  severity: 2,
  region: '620702001001',
  channel: 'grid',
  ts,
  summary: '',
  ...over,
});

function fold(events: CaseEvent[]): CaseState {
  let c = newCase(events[0]!);
  for (const e of events.slice(1)) c = mergeEvent(c, e);
  return c;
}

describe('the packed case state', () => {
  it('reads back every field of cases with and without an outcome, a deadline and foreign ids', () => {
    const cases: [string, CaseState][] = [
      ['simh-42', fold([ev('simh-42-0', 'received', T)])],
      // Out of order: the earliest event arrives last, so i0 is not the first id of e.
      [
        'simh-42',
        {
          ...fold([
            ev('simh-42-3', 'resolved', T + 7200_000),
            ev('simh-42-1', 'dispatched', T + 600_000),
            ev('simh-42-0', 'received', T, { severity: 4 }),
          ]),
          od: 'r',
        },
      ],
      // Ids not of the `<case>-<n>` shape (another source's, a leading zero, a prefix that is not the case's).
      [
        'A',
        {
          ...fold([
            ev('x:1', 'received', T, { caseId: 'A' }),
            ev('A-007', 'mediating', T + 1, { caseId: 'A' }),
            ev('AB-1', 'failed', T + 2, { caseId: 'A' }),
            ev('A-12', 'dispatched', T + 3, { caseId: 'A' }),
          ]),
          dl: T + 86_400_000,
        },
      ],
      ['simh-7', { ...fold([ev('simh-7-0', 'received', T, { caseId: 'simh-7' })]), dl: T + 3600_000, od: 'd' }],
    ];
    for (const [id, c] of cases) expect(decodeCase(id, encodeCase(id, c))).toEqual(c);
    expect(JSON.parse(encodeCase('A', cases[2]![1]))[12]).toEqual(['x:1', 'A-007', 'AB-1', 12]);
  });

  it('is less than half the JSON object for a simulator case of three events', () => {
    const c = fold([
      ev('simh-42-0', 'received', T),
      ev('simh-42-1', 'dispatched', T + 1),
      ev('simh-42-2', 'mediating', T + 2),
    ]);
    const packed = encodeCase('simh-42', c);
    expect(packed.length * 2).toBeLessThan(JSON.stringify(c).length);
  });

  it('still reads a state stored as a JSON object, with or without its latest event time', () => {
    const c = fold([ev('simh-42-0', 'received', T), ev('simh-42-1', 'resolved', T + 5000)]);
    expect(decodeCase('simh-42', JSON.stringify(c))).toEqual(c);
    const { tl: _tl, ...old } = c;
    expect(decodeCase('simh-42', JSON.stringify(old))).toEqual(old);
    // Written again, it is packed, with its latest time as the old rule reads it.
    expect(decodeCase('simh-42', encodeCase('simh-42', old as CaseState))).toEqual({ ...old, tl: T + 5000 });
  });
});
