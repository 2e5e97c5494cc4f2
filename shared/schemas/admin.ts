import { z } from 'zod';
import { isoTime } from './common.ts';

/** Replies of the admin API (`/api/v1/ingest-keys`, `/api/v1/audit`), shared by server and admin page. */

/** An ingest key as listed; the key itself is shown once at creation and never stored. */
export const ingestKeyViewSchema = z.object({
  /** The first 16 hex digits of the key's SHA-256 digest. */
  id: z.string(),
  /** The sending system, written into every event's `source`. */
  source: z.string(),
  /** Events must lie in this region's subtree; absent means the whole served tree. */
  region: z.string().optional(),
  createdBy: z.string(),
  /** ISO 8601; empty for keys from INGEST_KEYS. */
  createdAt: z.string(),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
  /** Set in INGEST_KEYS: changed in the environment, not through the API. */
  configured: z.boolean().optional(),
});
export type IngestKeyView = z.infer<typeof ingestKeyViewSchema>;

/** `POST /api/v1/ingest-keys` → 201: the only time `key` is ever sent. */
export const newIngestKeyReplySchema = z.object({
  id: z.string(),
  key: z.string(),
  source: z.string(),
  region: z.string(),
});
export type NewIngestKeyReply = z.infer<typeof newIngestKeyReplySchema>;

/** One thing worth keeping a trace of (see server/audit/log.ts). */
export const auditEntrySchema = z.object({
  /** Who acted: a username, `ingest:<source>`, or `system` for automatic steps (an escalation by timer). */
  actor: z.string(),
  /** What happened, as `area.verb`: `auth.login`, `auth.login_failed`, `user.create`, `alert.ack` … */
  action: z.string(),
  /** What it was done to: a username, an alert id, an ingest key id. */
  target: z.string().optional(),
  /** The region the action concerns, so an admin reads only its subtree's trail. */
  region: z.string().optional(),
  /** Small details (a note, the state before and after …). */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry as stored: numbered, timed and chained to the one before it. */
export const auditRecordSchema = auditEntrySchema.extend({
  seq: z.number().int().positive(),
  /** Beijing time, ISO 8601 with offset. */
  at: isoTime,
  /** `hash` of the entry before (64 zeros for the first). */
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  /** sha256(prev + "\n" + body), hex, where body is the JSON of everything but prev and hash. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
