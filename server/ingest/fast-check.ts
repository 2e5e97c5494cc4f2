/**
 * A hand-written check of one event of the ingest contract, for the events it is sure about: the
 * ordinary shape the contract describes. zod (shared/schemas/event.ts, through validateEvents) stays
 * the one authority: this check only answers "certainly valid, and here is what zod would have made
 * of it" or "not sure", never "invalid", so a bad event's message always comes from zod. Whatever is
 * unusual (a time without seconds, a summary over 500 characters, a key not in the contract, a region
 * the tree lacks, a time in the future) is "not sure". It costs a tenth of the schema: zod was an
 * eighth of the server's main thread at 2,000 events/s, and most of the import's validation.
 * tests/unit/fast-event.test.ts feeds both the same hostile events.
 */
import {
  CHANNELS,
  DISPUTE_CATEGORIES,
  DISPUTE_STATUSES,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  RISK_MARKERS,
} from '../../shared/vocab.ts';
import { stripInvisible } from '../../shared/text.ts';
import type { PinganEvent } from '../../shared/schemas/event.ts';
import { RETENTION } from '../counters/retention.ts';

const set = (values: readonly string[]): ReadonlySet<string> => new Set(values);
const INCIDENT = { categories: set(INCIDENT_CATEGORIES), statuses: set(INCIDENT_STATUSES) };
const DISPUTE = { categories: set(DISPUTE_CATEGORIES), statuses: set(DISPUTE_STATUSES) };
const CHANNEL_SET = set(CHANNELS);
const RISK_SET = set(RISK_MARKERS);
const KEYS = set([
  'id',
  'caseId',
  'kind',
  'category',
  'status',
  'severity',
  'region',
  'location',
  'occurredAt',
  'channel',
  'summary',
  'parties',
  'riskMarkers',
  'source',
]);

/** County, township or village codes: 6, 9 or 12 digits. */
const REGION = /^\d{6}(?:\d{3}){0,2}$/;
/**
 * zod's ISO datetime with an offset, in one narrower form: seconds and an offset (or Z) always
 * written, at most 9 decimals. The day is checked against its month below (leap years as zod's
 * pattern has them: divisible by 4, centuries only by 400).
 */
const TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (day <= 28) return true;
  if (month !== 2) return day <= MONTH_DAYS[month - 1]!;
  return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 128;
const inRange = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

function isLocation(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 2) return false;
  const { lng, lat } = v as Record<string, unknown>;
  return Object.hasOwn(v, 'lng') && Object.hasOwn(v, 'lat') && inRange(lng, -180, 180) && inRange(lat, -90, 90);
}

function isList(v: unknown, max: number, ok: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v) || v.length > max) return false;
  for (const x of v) if (!ok(x)) return false;
  return true;
}

export interface FastContext {
  now: number;
  hasRegion: (code: string) => boolean;
}

/**
 * The time of `raw` (epoch ms) when this check is sure `raw` is a valid event that ingest takes
 * (age aside: the caller decides how old is too old); undefined when it is not sure.
 */
export function sureTime(raw: unknown, ctx: FastContext): number | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) return undefined;
  const o = raw as Record<string, unknown>;
  const { id, caseId, kind, category, status, severity, region, occurredAt, channel, summary } = o;
  if (!isId(id) || !isId(caseId)) return undefined;
  const vocab = kind === 'incident' ? INCIDENT : kind === 'dispute' ? DISPUTE : undefined;
  if (!vocab) return undefined;
  if (typeof category !== 'string' || !vocab.categories.has(category)) return undefined;
  if (typeof status !== 'string' || !vocab.statuses.has(status)) return undefined;
  if (severity !== 1 && severity !== 2 && severity !== 3 && severity !== 4) return undefined;
  if (typeof region !== 'string' || !REGION.test(region)) return undefined;
  if (typeof occurredAt !== 'string') return undefined;
  const date = TIME.exec(occurredAt);
  if (!date || !isCalendarDay(Number(date[1]), Number(date[2]), Number(date[3]))) return undefined;
  if (typeof channel !== 'string' || !CHANNEL_SET.has(channel)) return undefined;
  if (summary !== undefined && (typeof summary !== 'string' || summary.length > 500)) return undefined;
  if (o.location !== undefined && !isLocation(o.location)) return undefined;
  if (o.parties !== undefined && !isList(o.parties, 50, isId)) return undefined;
  if (o.riskMarkers !== undefined && !isList(o.riskMarkers, 20, (x) => typeof x === 'string' && RISK_SET.has(x)))
    return undefined;
  if (o.source !== undefined && !(typeof o.source === 'string' && o.source.length <= 64)) return undefined;
  const ts = Date.parse(occurredAt);
  // Ingest's own checks beyond the schema: the future and unknown regions are refused, with
  // validateEvents's words.
  if (!Number.isFinite(ts) || ts > ctx.now + RETENTION.maxFutureSkewMs || !ctx.hasRegion(region)) return undefined;
  return ts;
}

/** The event as zod makes it (its keys, copies of its lists, the summary cleaned), for a `raw` sureTime passed. */
export function sureEvent(raw: unknown): PinganEvent {
  const o = raw as Record<string, unknown> & PinganEvent;
  const e = {
    id: o.id,
    caseId: o.caseId,
    severity: o.severity,
    region: o.region,
    occurredAt: o.occurredAt,
    channel: o.channel,
    summary: o.summary === undefined ? '' : stripInvisible(o.summary),
    kind: o.kind,
    category: o.category,
    status: o.status,
  } as PinganEvent;
  if (o.location !== undefined) e.location = { lng: o.location.lng, lat: o.location.lat };
  if (o.parties !== undefined) e.parties = [...o.parties];
  if (o.riskMarkers !== undefined) e.riskMarkers = [...o.riskMarkers];
  if (o.source !== undefined) e.source = o.source;
  return e;
}
