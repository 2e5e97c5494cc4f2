/** Replies of the admin API (`/api/v1/ingest-keys`, `/api/v1/audit`), shared by server and admin page. */

/** An ingest key as listed; the key itself is shown once at creation and never stored. */
export interface IngestKeyView {
  /** The first 16 hex digits of the key's SHA-256 digest. */
  id: string;
  /** The sending system, written into every event's `source`. */
  source: string;
  /** Events must lie in this region's subtree; absent means the whole served tree. */
  region?: string;
  createdBy: string;
  /** ISO 8601; empty for keys from INGEST_KEYS. */
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
  /** Set in INGEST_KEYS: changed in the environment, not through the API. */
  configured?: boolean;
}

/** `POST /api/v1/ingest-keys` → 201: the only time `key` is ever sent. */
export interface NewIngestKeyReply {
  id: string;
  key: string;
  source: string;
  region: string;
}

/** One thing worth keeping a trace of (see server/audit/log.ts). */
export interface AuditEntry {
  /** Who acted: a username, `ingest:<source>`, or `system` for automatic steps (an escalation by timer). */
  actor: string;
  /** What happened, as `area.verb`: `auth.login`, `auth.login_failed`, `user.create`, `alert.ack` … */
  action: string;
  /** What it was done to: a username, an alert id, an ingest key id. */
  target?: string;
  /** The region the action concerns, so an admin reads only its subtree's trail. */
  region?: string;
  /** Small details (a note, the state before and after …). */
  detail?: Record<string, string | number | boolean | null>;
}

/** An entry as stored: numbered, timed and chained to the one before it. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  /** Beijing time, ISO 8601 with offset. */
  at: string;
  /** `hash` of the entry before (64 zeros for the first). */
  prev: string;
  /** sha256(prev + "\n" + body), hex, where body is the JSON of everything but prev and hash. */
  hash: string;
}
