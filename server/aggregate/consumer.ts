import os from 'node:os';
import type { RedisClient } from '../redis/connection.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock } from '../clock.ts';
import { AGGREGATOR_GROUP } from '../redis/keys.ts';
import {
  applyInPieces,
  sweepOverdue,
  type AggregationContext,
  type ApplyResult,
  type Entry,
  type SweepResult,
} from './apply.ts';
import { CommitSize } from './commit-size.ts';
import { moveLegacyCases } from './legacy-cases.ts';
import { convertCaseIndex } from './legacy-case-index.ts';
import { reapConsumers } from './group.ts';
import { runLua } from '../redis/lua.ts';
import { decodeEntry } from '../ingest/stream-entry.ts';
import { TRIM_ACKED_SCRIPT } from '../redis/scripts.ts';

export interface AggregatorOptions extends AggregationContext {
  /** `redis` is a connection of its own: XREADGROUP blocks it. Batches are applied on this one. */
  applyRedis?: RedisClient;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  consumerName?: string;
  batchSize?: number;
  /** Entries left unacknowledged by a dead consumer for this long are taken over. */
  claimIdleMs?: number;
  /**
   * Consumers that hold nothing and were not heard of for this long are removed from the group
   * (default ten times `claimIdleMs`, at least a minute): dead aggregators whose entries were claimed.
   */
  reapIdleMs?: number;
  sweepEveryMs?: number;
  /**
   * Called after each applied batch, before the next read (notices, warning rules). It may hand
   * back `settled`, work on the batch that goes on after it returns (rules trailing the counters):
   * then the batch is acknowledged only when that is done, so an aggregator that
   * dies first leaves the batch to be claimed again: its counts are not applied twice (a
   * redelivery is a no-op), and its rules run again instead of never.
   */
  onApplied?: (entries: Entry[], result: ApplyResult) => Promise<{ settled: Promise<void> } | void>;
  onSwept?: (result: SweepResult) => Promise<void>;
}

export interface Aggregator {
  /** Resolves when the loop has stopped after its current batch. */
  stop(): Promise<void>;
  readonly running: boolean;
}

type StreamEntries = [string, string[]][];

/**
 * How often the acknowledged part of the stream is trimmed: often enough that the stream holds
 * about a second of work at any rate, rarely enough that the trim is a few calls a second.
 */
const TRIM_EVERY_MS = 1000;

function parseEntries(raw: StreamEntries, logger: Logger): { entries: Entry[]; bad: string[] } {
  const entries: Entry[] = [];
  const bad: string[] = [];
  for (const [entryId, fields] of raw) {
    // A trimmed or deleted entry comes back from XAUTOCLAIM with no fields.
    try {
      entries.push({ entryId, event: decodeEntry(fields) });
    } catch (err) {
      logger.error({ entryId, err }, 'unreadable entry in the events stream; acknowledged and skipped');
      bad.push(entryId);
    }
  }
  return { entries, bad };
}

/** Creates the consumer group if it does not exist (from the start of the stream). */
export async function ensureGroup(redis: RedisClient, stream: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, AGGREGATOR_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!String(err).includes('BUSYGROUP')) throw err;
  }
}

/**
 * The aggregator loop: read the events stream in the consumer group, apply each batch atomically
 * (acknowledging inside the same script), tell the hubs, repeat. Entries of a consumer that died
 * are claimed after `claimIdleMs`; applying one twice has no second effect.
 */
export function startAggregator(opts: AggregatorOptions): Aggregator {
  const { redis, keys, logger, metrics, clock } = opts;
  const applyCtx: AggregationContext = { ...opts, redis: opts.applyRedis ?? redis };
  const consumer = opts.consumerName ?? `${os.hostname()}:${process.pid}`;
  const batchSize = opts.batchSize ?? 2000;
  const commitSize = new CommitSize({ max: batchSize });
  const sizing = {
    get current() {
      return commitSize.current;
    },
    took(ms: number, n: number) {
      if (commitSize.took(ms, n))
        logger.info({ entries: n, ms: Math.round(ms), next: commitSize.current }, 'slow commit; next ones smaller');
    },
  };
  const sweepSize = new CommitSize({ max: 1000 });
  const claimIdleMs = opts.claimIdleMs ?? 15_000;
  const sweepEveryMs = opts.sweepEveryMs ?? 10_000;
  let running = true;
  let lastClaim = 0;
  let lastSweep = 0;
  let lastTrim = 0;
  let lastReap = 0;
  const reapIdleMs = opts.reapIdleMs ?? Math.max(10 * claimIdleMs, 60_000);

  /** The readable entries of a read (the others acknowledged and skipped). */
  async function arrived(raw: StreamEntries): Promise<{ entries: Entry[] }> {
    const { entries, bad } = parseEntries(raw, logger);
    if (bad.length) await redis.xack(keys.events, AGGREGATOR_GROUP, ...bad);
    return { entries };
  }

  /**
   * Set when a batch of ours may be left in our own pending list (its apply or acknowledgement
   * failed, or a read failed after Redis may have delivered): we take it up again ourselves as
   * soon as Redis answers, instead of leaving it for a claim after `claimIdleMs`.
   */
  let ownPending = false;

  // A read whose reply was lost with the link (Redis killed) left its entries in our list without
  // an error: ioredis sends the read again after reconnecting and it returns only newer entries.
  // On a cluster the link lost is one node's ('-node': a master killed before a failover).
  const linkLost = () => (ownPending = true);
  for (const c of [redis, applyCtx.redis]) c.on('close', linkLost).on('-node', linkLost);

  const acknowledging = new Set<Promise<void>>();
  /** Acknowledges a batch once `settled`, without holding up the next batch. */
  function acknowledgeWhen(settled: Promise<unknown>, entries: Entry[]): void {
    const ids = entries.map((e) => e.entryId).filter(Boolean);
    if (!ids.length) return;
    const done = settled
      .catch(() => undefined)
      .then(() => applyCtx.redis.xack(keys.events, AGGREGATOR_GROUP, ...ids))
      .then(
        () => undefined,
        (err: unknown) => {
          ownPending = true;
          logger.error({ err }, 'acknowledging a batch failed; it will be read again (its counts are not reapplied)');
        },
      );
    acknowledging.add(done);
    void done.finally(() => acknowledging.delete(done));
  }

  async function handle({ entries }: { entries: Entry[] }): Promise<void> {
    if (!entries.length) return;
    const end = metrics.applySeconds.startTimer();
    // Without anything after the counting, the commit acknowledges the batch itself.
    const ackInCommit = !opts.onApplied;
    // In pieces sized by how long the last commits took (commit-size.ts), in order.
    const result = await applyInPieces(applyCtx, entries, () => clock.now(), ackInCommit, sizing);
    end();
    const by = { N: 0, U: 0, D: 0, C: 0 };
    for (const c of result.codes) by[c]++;
    metrics.applied.inc({ result: 'new_case' }, by.N);
    metrics.applied.inc({ result: 'update' }, by.U);
    metrics.applied.inc({ result: 'redelivery' }, by.D);
    metrics.applied.inc({ result: 'conflict' }, by.C);
    if (by.C)
      logger.warn(
        { conflicts: by.C },
        'events whose kind differs from their case were kept in the log but not counted',
      );
    const after = await opts.onApplied?.(entries, result);
    if (!ackInCommit) acknowledgeWhen(Promise.resolve(after?.settled), entries);
  }

  /**
   * Reads our own pending entries again (XREADGROUP from id 0) and applies them: counts of a batch
   * already committed are a no-op (redeliveries), its rules run again and it is acknowledged.
   * Waits first for the batch in flight and the acknowledgements under way, so nothing is handled
   * twice at once.
   */
  /** Our entries after `after` ('>': new ones, waiting up to a second; an id: our own pending ones). */
  async function read(after: string): Promise<StreamEntries> {
    const res = (
      after === '>'
        ? await redis.xreadgroup(
            'GROUP',
            AGGREGATOR_GROUP,
            consumer,
            'COUNT',
            batchSize,
            'BLOCK',
            1000,
            'STREAMS',
            keys.events,
            after,
          )
        : await redis.xreadgroup('GROUP', AGGREGATOR_GROUP, consumer, 'COUNT', batchSize, 'STREAMS', keys.events, after)
    ) as [string, StreamEntries][] | null;
    return res?.[0]?.[1] ?? [];
  }

  async function recoverOwn(): Promise<void> {
    await inFlight;
    while (acknowledging.size) await Promise.all(acknowledging);
    let after = '0-0';
    for (;;) {
      const raw = await read(after);
      if (!raw.length || !running) return;
      logger.info({ count: raw.length }, 'applying our own unacknowledged entries again');
      await handle(await arrived(raw));
      after = raw[raw.length - 1]![0];
    }
  }

  async function housekeeping(now: number): Promise<void> {
    if (now - lastClaim >= Math.min(claimIdleMs, 5000)) {
      lastClaim = now;
      let cursor = '0-0';
      do {
        const [next, claimed] = (await redis.xautoclaim(
          keys.events,
          AGGREGATOR_GROUP,
          consumer,
          claimIdleMs,
          cursor,
          'COUNT',
          batchSize,
        )) as [string, StreamEntries, string[]?];
        if (claimed.length) {
          logger.info({ count: claimed.length }, 'claimed entries of a stopped consumer');
          await handle(await arrived(claimed));
        }
        cursor = next;
      } while (cursor !== '0-0' && running);
    }
    // After the claim above: a dead consumer's entries are taken over before it is removed.
    if (now - lastReap >= Math.min(reapIdleMs, 60_000)) {
      lastReap = now;
      const removed = await reapConsumers(redis, keys.events, consumer, reapIdleMs);
      if (removed.length) logger.info({ consumers: removed }, 'removed dead consumers from the group');
    }
    if (now - lastSweep >= sweepEveryMs) {
      lastSweep = now;
      const started = performance.now();
      const limit = sweepSize.current;
      const swept = await sweepOverdue(applyCtx, clock.now(), limit);
      const ms = performance.now() - started;
      if (sweepSize.took(ms, limit))
        logger.debug({ limit, ms: Math.round(ms), next: sweepSize.current }, 'slow SLA sweep; next ones smaller');
      if (swept.touched.length) await opts.onSwept?.(swept);
    }
    if (now - lastTrim >= TRIM_EVERY_MS) {
      lastTrim = now;
      await trimAcknowledged(redis, keys.events);
    }
  }

  // Reading never waits for applying: what was read while a commit ran is applied together next,
  // so the commits stay large when intake is fast.
  // Order between batches does not matter (a case's state is order-independent), and a batch whose
  // apply failed stays pending and is claimed again.
  type Batch = { entries: Entry[] };
  let queued: Batch[] = [];
  let queuedEntries = 0;
  /** Settles when the applier has nothing left (resolved at once when idle). */
  let inFlight: Promise<void> = Promise.resolve();
  let applying = false;
  const applyInBackground = (batch: Batch) =>
    handle(batch).catch((err: unknown) => {
      ownPending = true;
      logger.error({ err }, 'applying a batch failed; its entries will be read again');
    });
  async function drain(): Promise<void> {
    while (queued.length) {
      const taken = queued;
      queued = [];
      queuedEntries = 0;
      await applyInBackground({
        entries: taken.length === 1 ? taken[0]!.entries : taken.flatMap((b) => b.entries),
      });
    }
    applying = false;
  }
  /**
   * Queues a read batch; when as much as four reads' worth waits already, waits for the applier.
   * Four, not two: the applier takes all that waits and plans each piece while Redis commits the
   * one before (applyInPieces), so the more pieces a turn holds, the less of it is waiting (with
   * both, the ingest bench's backlog drained at 8,102–8,685 events/s against 7,384–7,681 before:
   * docs/benchmarks.md, ingest, 2026-12-06).
   */
  async function enqueue(batch: Batch): Promise<void> {
    queued.push(batch);
    queuedEntries += batch.entries.length;
    if (!applying) {
      applying = true;
      inFlight = drain();
    }
    while (queuedEntries >= 4 * batchSize && applying) await inFlight;
  }

  const loop = (async () => {
    await moveLegacyCases(applyCtx.redis, keys, logger);
    await convertCaseIndex(applyCtx.redis, keys, logger, clock.now());
    await ensureGroup(redis, keys.events);
    while (running) {
      try {
        if (ownPending) {
          ownPending = false;
          await recoverOwn();
        }
        await housekeeping(Date.now());
        const fresh = await read('>');
        if (fresh.length) await enqueue(await arrived(fresh));
      } catch (err) {
        if (!running) break;
        // A Redis that came back without its data (no persistence) has lost the group too.
        if (String(err).includes('NOGROUP')) {
          await ensureGroup(redis, keys.events).catch(() => undefined);
          continue;
        }
        // A read may have been delivered to us before the link broke: look in our own list too.
        ownPending = true;
        logger.error({ err }, 'aggregator batch failed; retrying (unacknowledged entries are redelivered)');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await inFlight;
    while (acknowledging.size) await Promise.all(acknowledging);
    for (const c of [redis, applyCtx.redis]) c.off('close', linkLost).off('-node', linkLost);
  })();

  return {
    get running() {
      return running;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

/**
 * Trims the events stream of what the groups have applied and acknowledged (trim-acked.lua): the
 * stream is the log of record until an entry's effects are committed, then the cases, counters and
 * replay records hold it. What is pending or not yet delivered stays.
 */
export async function trimAcknowledged(redis: RedisClient, stream: string): Promise<number> {
  return runLua<number>(redis, TRIM_ACKED_SCRIPT, [stream], []);
}
