import { describe, expect, it } from 'vitest';
import { decodeEntry, packEvent, PACKED_FIELD } from '../../server/ingest/stream-entry.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

const base = {
  id: 'ev-1',
  caseId: 'case-1',
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: '620702001001',
  occurredAt: '2026-11-22T10:15:03.120+08:00',
  channel: 'grid',
  source: 'simulator.grid.6207',
  summary: '邻里纠纷 "引号" \\ 与换行\n',
  ts: Date.parse('2026-11-22T10:15:03.120+08:00'),
  receivedAt: Date.parse('2026-11-22T10:16:00+08:00'),
} as StoredEvent;

const roundTrip = (e: StoredEvent) => decodeEntry([PACKED_FIELD, packEvent(e)]);

describe('an events-stream entry', () => {
  it('gives back exactly the stored event, optional fields absent or present', () => {
    expect(roundTrip(base)).toStrictEqual(base);
    const full = {
      ...base,
      kind: 'incident',
      category: 'criminal',
      status: 'reported',
      location: { lng: 103.83417212345678, lat: 36.061089 },
      parties: ['p1', 'p2'],
      riskMarkers: ['weapon'],
    } as StoredEvent;
    expect(roundTrip(full)).toStrictEqual(full);
    // History handed over again (the backfill) stays marked so; only that, or with the rest.
    const replayed = { ...base, replayed: true } as StoredEvent;
    expect(roundTrip(replayed)).toStrictEqual(replayed);
    expect(roundTrip({ ...full, replayed: true } as StoredEvent)).toStrictEqual({ ...full, replayed: true });
    // Only the last optional value present: the ones before it are kept as placeholders.
    const markersOnly = { ...base, riskMarkers: ['self_harm'] } as StoredEvent;
    expect(roundTrip(markersOnly)).toStrictEqual(markersOnly);
    // An event stored before `receivedAt` existed has none after the round trip either.
    const { receivedAt: _, ...older } = base;
    expect(roundTrip(older as StoredEvent)).toStrictEqual(older);
    // An empty parties list is not the same as none.
    const emptyParties = { ...base, parties: [] } as StoredEvent;
    expect(roundTrip(emptyParties)).toStrictEqual(emptyParties);
  });

  it('is smaller than the event as a JSON object', () => {
    expect(packEvent(base).length).toBeLessThan(JSON.stringify(base).length * 0.8);
  });

  it('reads entries written before the packed encoding, and refuses one without an event', () => {
    expect(decodeEntry(['e', JSON.stringify(base)])).toStrictEqual(base);
    expect(() => decodeEntry(null)).toThrow(/without fields/);
    expect(() => decodeEntry(['x', '1'])).toThrow(/no event field/);
    expect(() => decodeEntry([PACKED_FIELD, '{"id":1}'])).toThrow(/not a packed event/);
  });
});
