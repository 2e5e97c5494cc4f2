/**
 * The one owner of an events-stream entry's shape: ingest writes it, the aggregator reads it.
 *
 * An entry holds the events of one ingest chunk (up to 1,000) in the field `c`: a JSON array of
 * packed events. A packed event is a JSON array of the event's values in a fixed order (no field
 * names, the kind as one letter, `ts` left out: it is `occurredAt` parsed), about 30 % smaller
 * than the event as a JSON object. One entry per chunk instead of one per event: one XADD, one
 * entry to deliver, acknowledge and trim for up to 1,000 events (docs/benchmarks.md, issue 20).
 * Ingest's script joins the packed events of the chunk it appends (ingest.lua), so the chunk is
 * written as `[` + packed events joined by `,` + `]`; CHUNK_FIELD names the field.
 * Entries written before (field `p`, one packed event; field `e`, one event as a JSON object) are
 * still read. Decoding gives back exactly the stored events: the same fields, absent ones absent.
 */
import type { StoredEvent } from '../../shared/schemas/event.ts';

/**
 * Events per entry at most: ingest appends in chunks of this many (one script call, one entry);
 * the aggregator sizes its reads by it (a read of N entries holds at most N times this).
 */
export const MAX_EVENTS_PER_ENTRY = 1000;

/** The field of a chunk's entry, and of the single-event entries written before it. */
export const CHUNK_FIELD = 'c';
export const PACKED_FIELD = 'p';
const LEGACY_FIELD = 'e';

type Packed = [
  id: string,
  caseId: string,
  kind: 'i' | 'd',
  category: string,
  status: string,
  severity: number,
  region: string,
  occurredAt: string,
  channel: string,
  source: string,
  receivedAt: number | null,
  summary: string,
  location?: [number, number] | 0,
  parties?: string[] | 0,
  riskMarkers?: string[] | 0,
  replayed?: 1 | 0,
];

/** The value of field `p` for one event. */
export function packEvent(e: StoredEvent): string {
  const p: Packed = [
    e.id,
    e.caseId,
    e.kind === 'incident' ? 'i' : 'd',
    e.category,
    e.status,
    e.severity,
    e.region,
    e.occurredAt,
    e.channel,
    e.source,
    e.receivedAt ?? null,
    e.summary,
    e.location ? [e.location.lng, e.location.lat] : 0,
    e.parties ?? 0,
    e.riskMarkers ?? 0,
    e.replayed ? 1 : 0,
  ];
  // Optional values at the end are left out when absent.
  while (p.length > 12 && p[p.length - 1] === 0) p.pop();
  return JSON.stringify(p);
}

function unpack(p: Packed): StoredEvent {
  if (!Array.isArray(p) || p.length < 12) throw new Error('not a packed event');
  const [id, caseId, k, category, status, severity, region, occurredAt, channel, source, receivedAt, summary] = p;
  const e = {
    id,
    caseId,
    kind: k === 'i' ? 'incident' : 'dispute',
    category,
    status,
    severity,
    region,
    occurredAt,
    channel,
    source,
    summary,
    ts: Date.parse(occurredAt),
  } as StoredEvent;
  if (receivedAt !== null) e.receivedAt = receivedAt;
  if (p[12]) e.location = { lng: p[12][0], lat: p[12][1] };
  if (p[13]) e.parties = p[13];
  if (p[14]) e.riskMarkers = p[14] as StoredEvent['riskMarkers'];
  if (p[15]) e.replayed = true;
  return e;
}

/** The value of field `c` for a chunk of events (ingest.lua joins them the same way). */
export function packChunk(events: readonly StoredEvent[]): string {
  return `[${events.map(packEvent).join(',')}]`;
}

/** The events of an entry's fields (as XREADGROUP gives them); throws when it holds none. */
export function decodeEntry(fields: string[] | null | undefined): StoredEvent[] {
  if (!fields) throw new Error('entry without fields (trimmed or deleted)');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === CHUNK_FIELD) {
      const chunk = JSON.parse(fields[i + 1]!) as Packed[];
      if (!Array.isArray(chunk) || !chunk.length) throw new Error('not a chunk of packed events');
      return chunk.map(unpack);
    }
    if (fields[i] === PACKED_FIELD) return [unpack(JSON.parse(fields[i + 1]!) as Packed)];
    if (fields[i] === LEGACY_FIELD) return [JSON.parse(fields[i + 1]!) as StoredEvent];
  }
  throw new Error('no event field');
}
