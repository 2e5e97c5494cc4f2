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
      // Ids holding the compact form's separators, a tab (the stored value's), and a category and
      // channel that have no letter.
      [
        'B',
        fold([
          ev('a,b.c', 'received', T, { caseId: 'B', category: 'drone_sighting', channel: 'satellite' }),
          ev('t\tab', 'resolved', T + 9, { caseId: 'B' }),
        ]),
      ],
      // An incident closed with an outcome, and a time before 1970 (negative).
      [
        'simh-9',
        {
          ...fold([ev('simh-9-0', 'reported', -5000, { caseId: 'simh-9', k: 'i', category: 'fraud' })]),
          s: 'closed',
          out: 'resolved',
          ot: 1000,
          oi: 'simh-9-0',
        },
      ],
    ];
    for (const [id, c] of cases) {
      const stored = encodeCase(id, c);
      expect(stored).not.toContain('\t');
      expect(decodeCase(id, stored), stored).toEqual(c);
    }
    // Foreign ids are kept as a JSON list at the end of the compact form.
    expect(encodeCase('A', cases[2]![1])).toMatch(/,\["x:1","A-007","AB-1",12\]$/);
  });

  it('falls back to the JSON array when an event reference is an id of no listed event', () => {
    const c = { ...fold([ev('simh-42-0', 'received', T)]), si: 'elsewhere,1' };
    const stored = encodeCase('simh-42', c);
    expect(stored[0]).toBe('[');
    expect(decodeCase('simh-42', stored)).toEqual(c);
  });

  it('reads a state packed as a JSON array (before 2026-12-06) as it was', () => {
    const old = '["i","620503102001","public_order","grid",1791287071742,0,"closed",2892419,2,1,"",2892419,[0,1,2]]';
    const c = decodeCase('simh-2545631', old);
    expect(c).toMatchObject({
      k: 'i',
      r: '620503102001',
      c: 'public_order',
      ch: 'grid',
      t0: 1791287071742,
      i0: 'simh-2545631-0',
      s: 'closed',
      st: 1791287071742 + 2892419,
      si: 'simh-2545631-2',
      e: ['simh-2545631-0', 'simh-2545631-1', 'simh-2545631-2'],
    });
    // Written again it is compact, and reads back the same.
    const now = encodeCase('simh-2545631', c);
    expect(now.length).toBeLessThan(old.length * 0.65);
    expect(decodeCase('simh-2545631', now)).toEqual(c);
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
