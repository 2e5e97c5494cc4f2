import { describe, expect, it } from 'vitest';
import { RoomState } from '../../server/realtime/room-state.ts';
import { applyChanges } from '../../shared/delta.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

function snap(incident: number, children: number[], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    region: { code: '6207', name: '张掖市', level: 'city', path: ['62', '6207'] },
    asOf: `t${incident}`,
    seq: 0,
    counts: {
      today: { incident, dispute: 0, byCategory: incident ? { criminal: incident } : {}, byStatus: {}, byChannel: {} },
    } as unknown as Snapshot['counts'],
    rates: { disputeResolution: null, mediationSuccess: null },
    rateCounts: { disputeResolution: { num: 0, den: 0 }, mediationSuccess: { num: 0, den: 0 } },
    hourly: [],
    children: children.map((n, i) => ({
      code: `62070${i}`,
      name: `c${i}`,
      counts: { today: { incident: n, dispute: 0 }, open: { incident: 0, dispute: 0 }, overdue: { dispute: 0 } },
      alerts: { red: 0, orange: 0, yellow: 0, blue: 0 },
    })),
    alerts: [],
    alertCounts: { red: 0, orange: 0, yellow: 0, blue: 0 },
    ...extra,
  };
}

describe('a room’s delta state', () => {
  it('sends nothing for the first snapshot and nothing when nothing changed', () => {
    const r = new RoomState();
    expect(r.advance(snap(1, [1]))).toBeUndefined();
    expect(r.advance(snap(1, [1]))).toBeUndefined();
    expect(r.seq).toBe(0);
  });

  it('sends only the changed leaves, and deletions as null, with the next sequence number', () => {
    const r = new RoomState();
    r.advance(snap(1, [1, 2]));
    const changes = r.advance(snap(0, [1, 3]));
    expect(changes).toEqual({
      'counts.today.incident': 0,
      'counts.today.byCategory.criminal': null,
      'counts.today.byCategory': '{}',
      'children.1.counts.today.incident': 3,
    });
    expect(r.seq).toBe(1);
  });

  it('keeps names out of its deltas unless a child is new there', () => {
    const r = new RoomState();
    r.advance(snap(1, [1]));
    const grown = r.advance(snap(1, [1, 2]))!;
    expect(grown['children.1.code']).toBe('620701');
    expect(grown['children.1.name']).toBe('c1');
    const counted = r.advance(snap(2, [4, 2]))!;
    expect(Object.keys(counted).filter((k) => k.endsWith('.name'))).toEqual([]);
    expect(counted['children.0.counts.today.incident']).toBe(4);
  });

  it('turns any earlier state into the newest one when its deltas are applied in order', () => {
    const r = new RoomState();
    const states = [snap(1, [1]), snap(5, [2, 3]), snap(2, [2]), snap(7, [])];
    let client = structuredClone(states[0]!);
    r.advance(states[0]!);
    for (const s of states.slice(1)) client = applyChanges(client, r.advance(s) ?? {});
    const { asOf: _a, seq: _s, ...want } = states.at(-1)!;
    const { asOf: _b, seq: _t, ...got } = client;
    expect(got).toEqual(want);
  });
});

describe('the 48-hour series in a room’s state', () => {
  const H = 3600_000;
  const start = Date.parse('2026-11-22T00:00:00+08:00');
  const label = (ms: number) => new Date(ms + 8 * H).toISOString().replace('Z', '+08:00');
  const hours = (first: number, counts: number[]) =>
    counts.map((n, k) => ({ hour: label(first + k * H), incident: n, dispute: k % 3 }));

  it('sends only the hour whose count changed', () => {
    const r = new RoomState();
    const counts = Array.from({ length: 48 }, (_, k) => k);
    r.advance(snap(1, [], { hourly: hours(start, counts) }));
    const next = [...counts];
    next[47] = 99;
    expect(r.advance(snap(1, [], { hourly: hours(start, next) }))).toEqual({ 'hourly.47.incident': 99 });
  });

  it('moves to the next hour with labels and counts the client ends up holding exactly', () => {
    const r = new RoomState();
    const before = snap(1, [], {
      hourly: hours(
        start,
        Array.from({ length: 48 }, (_, k) => k),
      ),
    });
    const after = snap(1, [], {
      hourly: hours(
        start + H,
        Array.from({ length: 48 }, (_, k) => k + 1),
      ),
    });
    r.advance(before);
    const client = applyChanges(structuredClone(before), r.advance(after) ?? {});
    expect(client.hourly).toEqual(after.hourly);
  });
});
