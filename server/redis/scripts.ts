import fs from 'node:fs';
import { defineLua } from './lua.ts';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');

/** Appends events to the log of record with their dedupe marks (ingest.lua). */
export const INGEST_SCRIPT = defineLua('ingest', read('ingest.lua'));
/** A batch's cases, counters, SLA queue and acknowledgements, or nothing (commit.lua). */
export const COMMIT_SCRIPT = defineLua('commit', read('commit.lua'));
/** Removes dead consumers of the group (reap-consumers.lua). */
export const REAP_CONSUMERS_SCRIPT = defineLua('reapConsumers', read('reap-consumers.lua'));
