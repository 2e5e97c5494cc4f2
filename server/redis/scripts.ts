import fs from 'node:fs';
import { defineLua } from './lua.ts';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');
/**
 * The scripts that read a stored shape get its reader prepended (Redis Lua has no includes): a
 * case (case-stored.lua), a warning rule's record (rule-record.lua).
 */
const withPrelude = (preludes: readonly string[], name: string) => [...preludes, name].map(read).join('\n');
const withCase = (name: string) => withPrelude(['case-stored.lua'], name);
const withRuleRecord = (name: string) => withPrelude(['rule-record.lua'], name);

/** Appends events to the log of record with their dedupe marks (ingest.lua). */
export const INGEST_SCRIPT = defineLua('ingest', read('ingest.lua'));
/** A batch's cases, counters, SLA queue, case index, replay log and acknowledgements, or nothing (commit.lua). */
export const COMMIT_SCRIPT = defineLua('commit', withCase('commit.lua'));
/** Removes dead consumers of the group (reap-consumers.lua). */
export const REAP_CONSUMERS_SCRIPT = defineLua('reapConsumers', read('reap-consumers.lua'));
/** A day's replay base: the counters copied and the epoch moved in one step (replay-base.lua). */
export const REPLAY_BASE_SCRIPT = defineLua('replayBase', read('replay-base.lua'));
/** Trims the events stream of what every group has acknowledged (trim-acked.lua). */
export const TRIM_ACKED_SCRIPT = defineLua('trimAcked', read('trim-acked.lua'));
/** A township's or village's page or count, read from its county's case-index set (case-index-page.lua). */
export const CASE_INDEX_PAGE_SCRIPT = defineLua('caseIndexPage', read('case-index-page.lua'));
/** Cases of a history import new to Redis, with their summed counters and index, or nothing (import-cases.lua). */
export const IMPORT_CASES_SCRIPT = defineLua('importCases', withCase('import-cases.lua'));
/** A closed hour of a replay list replaced by its deflated string, if nothing moved (replay-pack.lua). */
export const REPLAY_PACK_SCRIPT = defineLua('replayPack', read('replay-pack.lua'));
/** Event-id marks whose day has come, or cases forgotten, removed from their buckets (bucket-sweep.lua). */
export const BUCKET_SWEEP_SCRIPT = defineLua(
  'bucketSweep',
  withPrelude(['case-stored.lua', 'rule-record.lua'], 'bucket-sweep.lua'),
);
/** One case kept as a key of its own moved into its bucket, if unchanged (case-move.lua). */
export const CASE_MOVE_SCRIPT = defineLua('caseMove', read('case-move.lua'));
/** Hashes of one slot, each whole or some of its fields, at one instant (read-hashes.lua). */
export const READ_HASHES_SCRIPT = defineLua('readHashes', read('read-hashes.lua'));
/** The cases of parties in a warning rule's window, kept in the rules' buckets (party-cases.lua). */
export const PARTY_CASES_SCRIPT = defineLua('partyCases', withRuleRecord('party-cases.lua'));
/** The first severity of dispute cases, kept in the warning rules' buckets (first-severity.lua). */
export const FIRST_SEVERITY_SCRIPT = defineLua('firstSeverity', withRuleRecord('first-severity.lua'));
/** A township's closed month packed into one field, if nothing moved (month-pack.lua). */
export const MONTH_PACK_SCRIPT = defineLua('monthPack', read('month-pack.lua'));
