/**
 * `npm run import`: history of any age from an NDJSON file of the ingest contract, counted as if
 * it had been ingested live, without the live path (no stream, no warnings, no alerts).
 *
 * Two passes. The scan (scan.ts) digests the file, finds each case's last line and refuses a file
 * with another province's regions before anything is written; it also cuts the file into parts of
 * whole lines. In the second pass a pool of worker threads (parse-pool.ts) parses and validates the
 * parts as ingest does (any age; a hand-written check first, zod for whatever it is unsure of:
 * fast-event.ts); this thread takes their events in file order, holds each case until its last
 * line, then hands the whole case to one of two ways, by the reference time `now` of the file's
 * first run (ledger.ts):
 *
 * - **History**: closed cases live would already have forgotten (closedCaseExpiresAtS of the
 *   latest event, the commit's own rule). Live, no event of theirs can still arrive and find them, so they
 *   need no case state: their final state's counts (the aggregator's own contribution code) are
 *   summed per chunk in Node and written once per (key, field) in one MULTI per province with the
 *   chunk's ledger mark. Their day buckets are past retention by then, so this writes months only;
 *   a case older than the months kept (RETENTION.monthBucketsKept) is skipped and counted.
 * - **Kept**: the rest (a recent event, or still open) become case states like live ones, so a
 *   later live event of the case finds it and a re-sent event id is a no-op: idempotent by event
 *   id, as the live path is. Cases new to Redis (most) are written as folded, a batch of them per
 *   script call (new-cases.ts); a batch holding a case Redis has goes through the aggregator's own
 *   commit (applyHistoryCases: each case folded in Node, merged with what Redis holds).
 *
 * Exactly once: a chunk's history and its ledger mark land in one MULTI per province; a re-run
 * (after a kill -9, or of a finished file) recomputes the same chunks from the same `now` and skips
 * the marked ones. A chunk's kept cases are applied before its mark: they are found again by a
 * re-run within RESUME_WINDOW_MS, after which an unfinished import is refused rather than risk
 * counting an expired one twice. Memory: the ledger has a field per chunk, not per event; the process holds the
 * cases in progress at its cursor and two fixed 64 MB tables.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { RedisClient } from '../redis/connection.ts';
import { systemClock, type Clock } from '../clock.ts';
import { createKeyRing, type KeyRing } from '../redis/keys.ts';
import { slaTable } from '../aggregate/sla.ts';
import { closedCaseExpiresAtS } from '../counters/retention.ts';
import { buckets } from '../time/beijing.ts';
import { isOpen, type CaseEvent, type SlaTable } from '../aggregate/case-state.ts';
import type { RegionTree } from '../regions/tree.ts';
import { applyHistoryCases, contributionBounds } from '../aggregate/apply.ts';
import { CounterDeltas } from '../aggregate/contribution.ts';
import { publishNotice } from '../notices.ts';
import { ActiveCases } from './active-cases.ts';
import { foldCase } from './fold.ts';
import { moveLegacyCases } from '../aggregate/legacy-cases.ts';
import { commitNewCases, type NewCase } from './new-cases.ts';
import { ImportLedger } from './ledger.ts';
import { eventAt } from './parse-part.ts';
import { ParsePool } from './parse-pool.ts';
import { PART_BYTES, scanFile } from './scan.ts';
import { queueHistoryCounters } from './write.ts';

export interface ImportDeps {
  redis: RedisClient;
  ring: KeyRing;
  /** The region root served (for messages) and the provinces it serves. */
  root: string;
  provinces: readonly string[];
  /** Every region code served (servedCodes(tree)): the parse workers check regions as ingest does. */
  regionCodes: readonly string[];
  /** Parse workers (default os.availableParallelism()) and the bytes of a part each parses at once. */
  workers?: number;
  partBytes?: number;
  clock: Clock;
  sla: SlaTable;
  /** Lines per chunk, the unit of commit and of the ledger. */
  chunkLines?: number;
  /** Cases per commit of the kept ones. */
  keptBatchCases?: number;
  /** Pause after each chunk (ms): lets tests interrupt an import halfway. */
  pauseMs?: number;
  onBadLine?: (line: number, reason: string) => void;
  onProgress?: (p: { chunk: number; chunks: number; active: number }) => void;
}

interface Tally {
  cases: number;
  events: number;
}

export interface ImportReport {
  digest: string;
  lines: number;
  /** Lines that were valid events. */
  events: number;
  badLines: number;
  /** Lines the hand-written check was not sure of, validated by the schema (fast-event.ts). */
  checkedBySchema: number;
  /** Events whose id their case already had (in the file or in Redis). */
  duplicates: number;
  /** Events of another kind than their case's (ignored, as live). */
  conflicts: number;
  history: Tally;
  kept: Tally;
  /** Kept cases Redis did not have, written as folded (new-cases.ts); the others were merged. */
  keptNew: number;
  /** Cases older than the months kept. */
  skipped: Tally;
  chunks: { total: number; committed: number; alreadyCommitted: number };
  /** The reference time of the file's first run (ISO). */
  asOf: string;
  /** An earlier run already imported the whole file (ISO time it finished): nothing was done. */
  alreadyImported?: string;
  /** The file was refused whole, nothing written: why. */
  refused?: string;
  ms: number;
}

/** Every region code a tree serves, for ImportDeps.regionCodes. */
export function servedCodes(tree: RegionTree): string[] {
  return tree.codes();
}

/** An import of `root`'s tree into `redis` with the server's clock and SLA table, and `extra` settings. */
export function importDepsFor(
  redis: RedisClient,
  tree: RegionTree,
  root: string,
  extra: Partial<ImportDeps> = {},
): ImportDeps {
  return {
    redis,
    ring: createKeyRing(root, tree.provinces),
    root,
    provinces: tree.provinces,
    regionCodes: servedCodes(tree),
    clock: systemClock,
    sla: slaTable(),
    ...extra,
  };
}

const DEFAULT_CHUNK_LINES = 100_000;
/**
 * How long after its first run an interrupted import can be run again and end exact. Far below
 * the closed cases' retention beyond the day buckets kept (68 − 45 days), so no day's count moves
 * from the kept path to the months-only history path because of it.
 */
export const RESUME_WINDOW_MS = 2 * 86_400_000;
const DEFAULT_KEPT_BATCH = 4_000;
/** Chunks committing while the next is parsed: they touch disjoint cases and only add to counters. */
const IN_FLIGHT = 2;

export async function importHistory(deps: ImportDeps, file: string): Promise<ImportReport> {
  const started = Date.now();
  const chunkLines = deps.chunkLines ?? DEFAULT_CHUNK_LINES;
  const keptBatch = deps.keptBatchCases ?? DEFAULT_KEPT_BATCH;
  const tally = (): Tally => ({ cases: 0, events: 0 });
  const report: ImportReport = {
    digest: '',
    lines: 0,
    events: 0,
    badLines: 0,
    checkedBySchema: 0,
    duplicates: 0,
    conflicts: 0,
    history: tally(),
    kept: tally(),
    keptNew: 0,
    skipped: tally(),
    chunks: { total: 0, committed: 0, alreadyCommitted: 0 },
    asOf: '',
    ms: 0,
  };
  const done = () => ({ ...report, ms: Date.now() - started });
  // Cases an older version kept as keys go to their buckets first, as a starting aggregator's do.
  for (const p of deps.provinces) await moveLegacyCases(deps.redis, deps.ring.of(p));

  // Started first, so the workers load while the scan runs; none for a file of one part.
  const partBytes = deps.partBytes ?? PART_BYTES;
  const workers = fs.statSync(file).size > partBytes ? (deps.workers ?? os.availableParallelism()) : 0;
  const pool = new ParsePool({ file, regions: deps.regionCodes, provinces: deps.provinces }, workers);
  const scan = await scanFile(file, partBytes, (ranges) => pool.scan(ranges)).catch(async (err: unknown) => {
    await pool.close();
    throw err;
  });
  report.digest = scan.digest;
  report.lines = scan.lines;
  if (scan.foreign) {
    const { line, region, count } = scan.foreign;
    report.refused =
      `line ${line} has region ${region} of province ${region.slice(0, 2)}, which this deployment ` +
      `(REGION_ROOT=${deps.root}${deps.root === '00' ? `, provinces ${deps.provinces.join(',')}` : ''}) does not serve` +
      `${count > 1 ? ` (${count} such lines)` : ''}; nothing was imported`;
    await pool.close();
    return done();
  }
  const chunkOf = (line: number) => Math.floor((line - 1) / chunkLines);
  const chunks = scan.lines ? chunkOf(scan.lines) + 1 : 0;
  report.chunks.total = chunks;

  const ledger = new ImportLedger(deps.redis, deps.ring, scan.digest);
  const start = await ledger.begin(deps.clock.now(), { lines: scan.lines, chunks, chunkLines });
  const now = start.now;
  report.asOf = new Date(now).toISOString();
  if (start.done) {
    report.alreadyImported = start.done;
    await pool.close();
    return done();
  }
  const late = deps.clock.now() - now;
  if (start.resumed && late > RESUME_WINDOW_MS) {
    report.refused =
      `an earlier run of this file began ${(late / 86_400_000).toFixed(1)} days ago and did not finish; ` +
      `an interrupted import resumes exactly within ${RESUME_WINDOW_MS / 86_400_000} days only (some of the ` +
      `recent cases it applied may since have expired, and would be counted again); nothing more was imported`;
    await pool.close();
    return done();
  }
  const committed = new Map<string, Set<number>>();
  for (const p of deps.provinces) committed.set(p, await ledger.committed(p));
  // Live forgets a closed case at closedCaseExpiresAtS of its latest event (the commit's own rule).
  // A case state is kept only if it outlives the resume window: a re-run must find every kept case
  // it applied (that is what makes applying it again a no-op). The others need no case state and go
  // to the month counters: forgotten by then, no live event of theirs can come, and their days are
  // long past the day buckets kept.
  const remembered = (lastTs: number) => closedCaseExpiresAtS(lastTs) * 1000 > now + RESUME_WINDOW_MS;
  const touched = new Map<string, Set<string>>();
  const touch = (province: string, codes: Iterable<string>) => {
    let set = touched.get(province);
    if (!set) touched.set(province, (set = new Set()));
    for (const c of codes) set.add(c);
  };

  const commitChunk = async (province: string, chunk: number, cases: CaseEvent[][]): Promise<void> => {
    if (committed.get(province)?.has(chunk)) {
      report.chunks.alreadyCommitted++;
      return;
    }
    const keys = deps.ring.of(province);
    const bounds = contributionBounds(keys, now);
    const deltas = new CounterDeltas(bounds);
    const kept: { events: CaseEvent[]; c: NewCase; duplicates: number; conflicts: number }[] = [];
    const counts = { h: 0, k: 0, s: 0 };
    for (const events of cases) {
      const f = foldCase(events);
      if (isOpen(f.state) || remembered(f.lastTs)) {
        const c = { caseId: events[0]!.caseId, state: f.state, summary: f.summary };
        kept.push({ events, c, duplicates: f.duplicates, conflicts: f.conflicts });
        counts.k++;
        report.kept.cases++;
        report.kept.events += events.length;
        continue;
      }
      report.duplicates += f.duplicates;
      report.conflicts += f.conflicts;
      if (buckets(f.state.t0).month < bounds.minMonth) {
        counts.s++;
        report.skipped.cases++;
        report.skipped.events += events.length;
        continue;
      }
      deltas.contribute(f.state, 1);
      counts.h++;
      report.history.cases++;
      report.history.events += events.length;
    }
    const ctx = { redis: deps.redis, keys, sla: deps.sla };
    for (let i = 0; i < kept.length; i += keptBatch) {
      const batch = kept.slice(i, i + keptBatch);
      // Most kept cases are new to Redis: written as folded. Else (a re-run, or cases live already
      // has) the batch goes the aggregator's way, which reads and merges.
      const fresh = await commitNewCases(
        ctx,
        batch.map((k) => k.c),
        deps.clock.now(),
      );
      if (fresh) {
        for (const k of batch) {
          report.duplicates += k.duplicates;
          report.conflicts += k.conflicts;
        }
        report.keptNew += batch.length;
        touch(province, fresh.touched);
        continue;
      }
      const r = await applyHistoryCases(
        ctx,
        batch.map((k) => k.events),
        deps.clock.now(),
      );
      for (const code of r.codes) {
        if (code === 'D') report.duplicates++;
        else if (code === 'C') report.conflicts++;
      }
      touch(province, r.touched);
    }
    const tx = deps.redis.multi();
    queueHistoryCounters(tx, deltas, deps.clock.now());
    ledger.mark(tx, province, chunk, JSON.stringify(counts));
    const replies = await tx.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw new Error(`chunk ${chunk} of province ${province} not committed: ${failed?.[0]}`);
    touch(province, deltas.touched);
    report.chunks.committed++;
  };

  const active = new ActiveCases(chunkOf);
  const inFlight: Promise<unknown>[] = [];
  const finishChunk = async (chunk: number) => {
    const byProvince = new Map<string, CaseEvent[][]>();
    for (const events of active.take(chunk)) {
      const p = events[0]!.region.slice(0, 2);
      const list = byProvince.get(p);
      if (list) list.push(events);
      else byProvince.set(p, [events]);
    }
    const commits = Promise.all([...byProvince].map(([p, cases]) => commitChunk(p, chunk, cases)));
    // Awaited below or at the end; a failure meanwhile must not count as unhandled.
    commits.catch(() => undefined);
    inFlight.push(commits);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    deps.onProgress?.({ chunk, chunks, active: active.size });
    if (deps.pauseMs) await new Promise((r) => setTimeout(r, deps.pauseMs));
  };

  let chunk = 0;
  try {
    for await (const part of pool.parse(scan.parts, now)) {
      let b = 0;
      const badUpTo = (line: number) => {
        for (; b < part.badLine.length && part.badLine[b]! < line; b++) {
          report.badLines++;
          deps.onBadLine?.(part.badLine[b]!, part.badReason[b]!);
        }
      };
      for (let i = 0; i < part.n; i++) {
        const line = part.line[i]!;
        badUpTo(line);
        const c = chunkOf(line);
        while (chunk < c) await finishChunk(chunk++);
        const e = eventAt(part, i);
        report.events++;
        active.add(e, line, scan.lastLines.bound(e.caseId));
      }
      badUpTo(Infinity);
      report.checkedBySchema += part.slow;
    }
  } finally {
    await pool.close();
  }
  while (chunk < chunks) await finishChunk(chunk++);
  await Promise.all(inFlight);
  if (active.size) throw new Error(`${active.size} cases left after the last chunk (file changed during the import?)`);
  await ledger.finish(deps.clock.now());
  // One notice per province at the end, so walls read their snapshots again; no ticker events.
  for (const [province, codes] of touched)
    await publishNotice(deps.redis, deps.ring.of(province), { touched: [...codes], events: [] });
  return done();
}
