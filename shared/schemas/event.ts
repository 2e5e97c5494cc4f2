import { z } from 'zod';
import {
  CHANNELS,
  DISPUTE_CATEGORIES,
  DISPUTE_STATUSES,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  RISK_MARKERS,
} from '../vocab.ts';
import { levelOf } from '../regions.ts';
import { stripInvisible } from '../text.ts';

/** ISO 8601 with an explicit offset or Z, e.g. `2026-11-22T10:15:03+08:00`. */
const isoWithOffset = z.iso.datetime({ offset: true, local: false });

const base = {
  id: z.string().min(1).max(128),
  caseId: z.string().min(1).max(128),
  /** 1 一般, 2 较大, 3 重大, 4 特别重大 */
  severity: z.number().int().min(1).max(4),
  region: z.string().refine((c) => {
    const level = levelOf(c);
    return level === 'county' || level === 'township' || level === 'village';
  }, 'must be a region code of county level or below (6, 9 or 12 digits)'),
  location: z
    .strictObject({
      lng: z.number().min(-180).max(180),
      lat: z.number().min(-90).max(90),
    })
    .optional(),
  occurredAt: isoWithOffset,
  channel: z.enum(CHANNELS),
  /** Stored without invisible characters (shared/text.ts): on a screen they only hide text from the masker. */
  summary: z.string().overwrite(stripInvisible).max(500).default(''),
  parties: z.array(z.string().min(1).max(128)).max(50).optional(),
  riskMarkers: z.array(z.enum(RISK_MARKERS)).max(20).optional(),
  /** Set by the server from the ingest key; a value in the body is ignored. */
  source: z.string().max(64).optional(),
};

const incident = z.strictObject({
  ...base,
  kind: z.literal('incident'),
  category: z.enum(INCIDENT_CATEGORIES),
  status: z.enum(INCIDENT_STATUSES),
});

const dispute = z.strictObject({
  ...base,
  kind: z.literal('dispute'),
  category: z.enum(DISPUTE_CATEGORIES),
  status: z.enum(DISPUTE_STATUSES),
});

/** One event of the ingest contract (DESIGN.md "Events — the ingest contract"). */
export const eventSchema = z.discriminatedUnion('kind', [incident, dispute]);
export type EventInput = z.input<typeof eventSchema>;
export type PinganEvent = z.output<typeof eventSchema>;

/**
 * The event as stored in the log of record: validated, `source` from the ingest key,
 * `ts` = occurredAt in epoch milliseconds (so the aggregator never parses dates), `receivedAt` =
 * when ingest took it, epoch ms by the server's clock (the 上报及时率 measures `receivedAt − ts`;
 * absent on events stored before the field existed, whose stream entry id then says it),
 * `replayed` = handed over as history by an in-process sender (the demo's backfill), never set by a
 * request: the rules date what they raise from it (server/warnings/replayed.ts).
 */
export type StoredEvent = PinganEvent & { source: string; ts: number; receivedAt?: number; replayed?: true };

/** A field-naming message for each issue, e.g. `category: Invalid option: expected one of …`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(event)'}: ${i.message}`);
}
