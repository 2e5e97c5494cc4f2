// `npm run bench -- memory`: what Redis holds per event, per case and per region once a stretch of
// the Gansu simulator's events has gone through the real server (HTTP ingest → stream → aggregator
// thread → counters, cases, rules, replay records) and been drained. BENCH_MEMORY_DAYS (default 2)
// days of history ending now are generated once with the simulator's `writeHistoryFile` (fixed
// seed, into $TMPDIR/pingan-bench-memory/), POSTed in chunks of 5,000, and the stream drained; then
// `INFO memory` and `MEMORY USAGE … SAMPLES 0` of every key, summed by key family (the bench, not
// the product, may SCAN the keyspace).
//
// BENCH_MEMORY_HISTORY_FILE: a year as a deployment holds it. The lines of that history file (the
// import bench's, `npm run bench -- import` writes it) older than the live days are imported first
// (`npm run import`'s path: months, the 平安指数 and 督办考核 inputs), the live days posted after,
// and every finished month the counters keep is frozen (督办考核 and 平安指数), not only the last.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RedisClient } from '../server/redis/connection.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { drained } from '../tests/helpers/drain.ts';
import { historyLines, writeSimulated } from './history.ts';
import type { RegionTree } from '../server/regions/tree.ts';
import type { PinganServer } from '../server/app.ts';
import { importDepsFor, importHistory } from '../server/import/run.ts';
import { currentMonth, monthRange, oldestKept } from '../server/safety-index/months.ts';
import { shiftMonth } from '../server/time/beijing.ts';
import { createKeys } from '../server/redis/keys.ts';
import { aofSetting } from './redis-info.ts';
import { packEvent } from '../server/ingest/stream-entry.ts';
import { appendEvents } from '../server/ingest/append.ts';
import { markLayout, sweepMarks } from '../server/ingest/marks.ts';
import { caseBuckets, caseKey } from '../server/aggregate/case-store.ts';
import { packClosedHours, PACK_GRACE_MS } from '../server/replay/pack.ts';
import { packClosedMonths } from '../server/counters/month-pack.ts';
import type { StoredEvent } from '../shared/schemas/event.ts';

const DAY = 86_400_000;
const CHUNK = 5000;

const memoryInfo = async (r: RedisClient) => {
  const info = await r.info('memory');
  const get = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: get('used_memory'), dataset: get('used_memory_dataset') };
};

/** `pa:{62}:cs:17` → `cs`; replay's `rp:log:…` → `rp:log` (its families differ in kind). */
function family(key: string, prefix: string): string {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : `(other) ${key.split(':')[0]}`;
  const parts = rest.split(':');
  return parts[0] === 'rp' ? `${parts[0]}:${parts[1]}` : parts[0]!;
}

export async function byFamily(
  redis: RedisClient,
  prefix: string,
): Promise<Map<string, { keys: number; bytes: number }>> {
  const out = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const p = redis.pipeline();
    for (const k of batch) p.memory('USAGE', k, 'SAMPLES', 0);
    const replies = (await p.exec()) ?? [];
    batch.forEach((k, i) => {
      const f = family(k, prefix);
      const e = out.get(f) ?? { keys: 0, bytes: 0 };
      e.keys++;
      e.bytes += Number(replies[i]![1] ?? 0);
      out.set(f, e);
    });
  } while (cursor !== '0');
  return out;
}

/** Bytes of the replay log's and ticker's lists (few keys: one per hour). */
async function replayListBytes(redis: RedisClient, prefix: string): Promise<number> {
  let bytes = 0;
  for (const pattern of [`${prefix}rp:log:*`, `${prefix}rp:tk:*`]) {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const k of batch) bytes += Number(await redis.memory('USAGE', k, 'SAMPLES', 0));
    } while (cursor !== '0');
  }
  return bytes;
}

/**
 * Bytes per event of the events stream under each candidate encoding, the same events XADDed to
 * scratch streams of the same Redis: one entry per event (the event as a JSON object, as before;
 * packed, as now) or one entry per ingest chunk of 1,000 events (issue 20's proposal).
 */
async function encodings(redis: RedisClient, events: StoredEvent[]): Promise<Record<string, number>> {
  const ways: Record<string, (chunk: StoredEvent[]) => string[][]> = {
    'entry per event, JSON object (field e)': (c) => c.map((e) => ['e', JSON.stringify(e)]),
    'entry per event, packed (field p)': (c) => c.map((e) => ['p', packEvent(e)]),
    'entry per 1,000-event chunk, JSON objects': (c) => [['c', JSON.stringify(c)]],
    'entry per 1,000-event chunk, packed': (c) => [['c', `[${c.map(packEvent).join(',')}]`]],
  };
  const out: Record<string, number> = {};
  for (const [name, way] of Object.entries(ways)) {
    const key = `bench:{62}:enc`;
    for (let i = 0; i < events.length; i += 1000) {
      const p = redis.pipeline();
      for (const fields of way(events.slice(i, i + 1000))) p.xadd(key, '*', ...fields);
      await p.exec();
    }
    out[name] = Number(await redis.memory('USAGE', key, 'SAMPLES', 0)) / events.length;
    await redis.del(key);
  }
  return out;
}

/**
 * The event-id marks as a province holds them at steady state, which two days cannot show (a
 * bucket then holds one or two marks and its key's overhead dominates): one mark per event of
 * `perDay` events a day for the 65 days a mark lives, written through ingest's own append under a
 * scratch prefix (`bench:{62}:`), its stream dropped as it goes.
 */
async function marksAtSteadyState(redis: RedisClient, perDay: number, to: number): Promise<Record<string, string>> {
  const keys = createKeys('62', 'bench');
  const held = Math.round(perDay * 65);
  const before = await memoryInfo(redis);
  const slice = 50_000;
  // The sweep's reference, measured in the same run: writing the same marks through ingest's append.
  let writeMs = 0;
  for (let first = 0; first < held; first += slice) {
    const events = Array.from({ length: Math.min(slice, held - first) }, (_, i) => {
      const k = first + i;
      const ts = to - Math.floor((k / perDay) * DAY);
      // Ids as the simulator's: its case's number and the event's step.
      return { id: `sim-${1_000_000 + Math.floor(k / 3)}-${k % 3}`, ts } as StoredEvent;
    });
    const tw = performance.now();
    await appendEvents(redis, keys, events, 0, to);
    writeMs += performance.now() - tw;
    await redis.del(keys.events);
  }
  const after = await memoryInfo(redis);
  const { buckets } = await markLayout(redis, keys, to);
  const fam = (await byFamily(redis, keys.prefix)).get('evm');
  let listpacks = 0;
  const sampled = Math.min(buckets, 500);
  for (let b = 0; b < sampled; b++)
    if ((await redis.object('ENCODING', keys.eventMarks(b))) === 'listpack') listpacks++;
  const t0 = performance.now();
  const swept = await sweepMarks(redis, keys, to);
  const sweepMs = performance.now() - t0;
  return {
    'event-id marks at steady state': `${held} marks (${perDay} a day × 65 days) in ${buckets} buckets, ${(held / buckets).toFixed(0)} a bucket`,
    '  used_memory per mark': `${((after.used - before.used) / held).toFixed(1)} B`,
    '  MEMORY USAGE per mark': `${((fam?.bytes ?? 0) / held).toFixed(1)} B in ${fam?.keys ?? 0} keys`,
    '  buckets kept as listpacks (first 500)': `${listpacks} / ${sampled}`,
    '  a sweep of every bucket': `${sweepMs.toFixed(0)} ms, ${swept} marks past their day removed`,
    '  reference: the same marks written through the append': `${(writeMs / 1000).toFixed(1)} s (the sweep is ${((100 * sweepMs) / writeMs).toFixed(1)} % of it)`,
  };
}

/**
 * Cases at steady state (68 days held): the run's own stored cases, copied under new ids until
 * there are as many as Gansu holds, written twice in the same run: into their buckets, as the
 * product stores them, and as the key per case (hash v/j/m, closed ones with an expiry) that
 * versions before 2026-12-06 wrote: the reference.
 */
async function casesAtSteadyState(
  redis: RedisClient,
  source: ReturnType<typeof createKeys>,
  perDay: number,
  to: number,
): Promise<Record<string, string>> {
  const sample: [string, string][] = [];
  for (let b = 0; b < caseBuckets(source.tag); b++) {
    const flat = Object.entries(await redis.hgetall(source.caseBucket(b)));
    for (const entry of flat) sample.push(entry);
  }
  if (!sample.length) return { 'cases at steady state': 'no cases stored' };
  const held = Math.round(perDay * 68);
  const forgetAt = String(Math.floor(to / 1000) + 68 * 86_400);
  const write = async (asKeys: boolean) => {
    const keys = createKeys('62', asKeys ? 'benchk' : 'benchb');
    const before = await memoryInfo(redis);
    for (let first = 0; first < held; first += 20_000) {
      const p = redis.pipeline();
      for (let k = first; k < Math.min(held, first + 20_000); k++) {
        const [, raw] = sample[k % sample.length]!;
        const id = `simh-${2_000_000 + k}`;
        const [v, forget, j, ...m] = raw.split('\t');
        if (!asKeys) p.hset(caseKey(keys, id), id, [v, forget ? forgetAt : '', j, m.join('\t')].join('\t'));
        else {
          p.hset(keys.legacyCase(id), 'v', v!, 'j', j!, ...(m.join('\t') ? ['m', m.join('\t')] : []));
          if (forget) p.expire(keys.legacyCase(id), 68 * 86_400);
        }
      }
      await p.exec();
    }
    return (await memoryInfo(redis)).used - before.used;
  };
  const inBuckets = await write(false);
  const asKeys = await write(true);
  const bench = createKeys('62', 'benchb');
  let listpacks = 0;
  const sampled = Math.min(caseBuckets('62'), 500);
  for (let b = 0; b < sampled; b++)
    if ((await redis.object('ENCODING', bench.caseBucket(b))) === 'listpack') listpacks++;
  return {
    'cases at steady state': `${held} cases (${perDay} a day × 68 days, copies of this run's ${sample.length}) in ${caseBuckets('62')} buckets, ${(held / caseBuckets('62')).toFixed(0)} a bucket`,
    '  used_memory per case, in buckets': `${(inBuckets / held).toFixed(1)} B`,
    '  reference, same run: a key per case': `${(asKeys / held).toFixed(1)} B`,
    '  case buckets kept as listpacks (first 500)': `${listpacks} / ${sampled}`,
  };
}

/** Imports the lines of `file` that occurred before `before` (ms) as history; what it did. */
async function importOlder(redis: RedisClient, tree: RegionTree, file: string, before: number, dir: string) {
  const older = path.join(dir, `older-${before}.ndjson`);
  const out = fs.createWriteStream(older);
  for await (const l of historyLines(file)) {
    const at = /"occurredAt":"([^"]+)"/.exec(l)?.[1];
    if (at && Date.parse(at) < before && !out.write(l + '\n'))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const t0 = Date.now();
  const report = await importHistory(importDepsFor(redis, tree, '62'), older);
  fs.rmSync(older);
  return `${report.events} events, ${report.history.cases} cases into months, ${report.kept.cases} kept, ${((Date.now() - t0) / 1000).toFixed(0)} s`;
}

/** Freezes every finished month still kept, as the monthly timer would have over a year. */
async function freezeKeptMonths(server: PinganServer): Promise<string[]> {
  const now = Date.now();
  const months = monthRange(oldestKept(now), shiftMonth(currentMonth(now), -1));
  for (const m of months) {
    await server.assessment.freezeMonth(m);
    await server.safetyIndex.publishMonth(m);
  }
  return months;
}

export async function benchMemory(): Promise<Record<string, number | string>> {
  const days = Number(process.env.BENCH_MEMORY_DAYS ?? 2);
  const dir = path.join(os.tmpdir(), 'pingan-bench-memory');
  fs.mkdirSync(dir, { recursive: true });
  // Ends a minute ago (ingest refuses the future); a new file per run, as "now" moves.
  const to = Date.now() - 60_000;
  const file = path.join(dir, `gansu-${days}d-${to}.ndjson`);
  const t = await startTestServer();
  const redis = t.server.redis;
  const keys = createKeys('62');
  try {
    const g = await writeSimulated(t.tree, to - days * DAY, to, file);
    await drained(redis, keys.events);
    const sample: StoredEvent[] = [];
    for await (const l of historyLines(file)) {
      const e = JSON.parse(l) as StoredEvent;
      sample.push({ ...e, source: 'simulator.110.6207', ts: Date.parse(e.occurredAt), receivedAt: Date.now() });
      if (sample.length === 20_000) break;
    }
    const enc = await encodings(redis, sample);
    const before = await memoryInfo(redis);
    const history = process.env.BENCH_MEMORY_HISTORY_FILE
      ? await importOlder(redis, t.tree, process.env.BENCH_MEMORY_HISTORY_FILE, to - days * DAY, dir)
      : undefined;
    const t0 = Date.now();
    let chunk: unknown[] = [];
    let accepted = 0;
    const post = async () => {
      const res = await t.postEvents(chunk);
      if (res.status !== 200)
        throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      accepted += (res.body as { accepted: number }).accepted;
      chunk = [];
    };
    for await (const l of historyLines(file)) {
      chunk.push(JSON.parse(l));
      if (chunk.length === CHUNK) await post();
    }
    if (chunk.length) await post();
    await drained(redis, keys.events, 1_800_000);
    const ingestS = (Date.now() - t0) / 1000;
    // The aggregator trims what it has acknowledged after its commits; give it its next round.
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_MEMORY_SETTLE_MS ?? 5000)));
    // Replay's records of the last hours are lists until their hour closes (server/replay/pack.ts);
    // at steady state all but the open hour are packed, so the bench packs as if the hour had closed
    // (BENCH_MEMORY_PACK=0: left as lists, as before packing existed).
    const unpackedReplay = await replayListBytes(redis, keys.prefix);
    const packed =
      process.env.BENCH_MEMORY_PACK === '0'
        ? undefined
        : await packClosedHours(redis, keys, Date.now() + 3_600_000 + PACK_GRACE_MS);
    const frozen = history ? await freezeKeptMonths(t.server) : undefined;
    // Likewise the townships' closed months (server/counters/month-pack.ts), which the server's
    // own run would pack a minute after its start, whatever the bench's timing.
    const monthsPacked = await packClosedMonths(redis, keys, t.tree.codesAt('township'), Date.now());
    const after = await memoryInfo(redis);
    const fams = await byFamily(redis, keys.prefix);
    const streamLen = await redis.xlen(keys.events);
    const cases = g.cases;
    const regions = t.tree.size;
    const held = after.used - before.used;
    const out: Record<string, number | string> = {
      conditions: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / ',
        )}, node ${process.version}, redis ${(/redis_version:(\S+)/.exec(await redis.info('server')) ?? [])[1]}, ${await aofSetting(redis)}`,
      'simulated days (ending now)': days,
      'events posted / accepted': `${g.events} / ${accepted}`,
      cases,
      'regions in the tree': regions,
      'ingest → drained': `${ingestS.toFixed(1)} s (${Math.round(accepted / ingestS)} events/s)`,
      'events stream length after drain': streamLen,
      'replay lists (rp:log + rp:tk) before packing': `${Math.round(unpackedReplay / accepted)} B/event`,
      'replay hours packed (lists)': packed ? packed.lists : 'not packed (BENCH_MEMORY_PACK=0)',
      'township months packed (hashes)': monthsPacked,
      ...(history
        ? {
            'history imported before (older than the live days)': history,
            'months frozen (督办考核 and 平安指数)': frozen!.join(' '),
          }
        : {}),
      'used_memory before → after': `${(before.used / 1048576).toFixed(2)} → ${(after.used / 1048576).toFixed(2)} MB`,
      'used_memory_dataset before → after': `${(before.dataset / 1048576).toFixed(2)} → ${(after.dataset / 1048576).toFixed(2)} MB`,
      'used_memory held per event': `${Math.round(held / accepted)} B`,
      'used_memory held per case': `${Math.round(held / cases)} B`,
    };
    for (const [name, b] of Object.entries(enc)) out[`stream bytes/event, ${name}`] = `${b.toFixed(0)} B`;
    const sorted = [...fams].sort((a, b) => b[1].bytes - a[1].bytes);
    const total = sorted.reduce((s, [, v]) => s + v.bytes, 0);
    out['MEMORY USAGE, all keys'] = `${(total / 1048576).toFixed(2)} MB = ${Math.round(total / accepted)} B/event`;
    for (const [f, v] of sorted) {
      out[`  ${f}`] =
        `${(v.bytes / 1048576).toFixed(2)} MB in ${v.keys} keys: ${Math.round(v.bytes / accepted)} B/event, ` +
        `${Math.round(v.bytes / cases)} B/case, ${(v.bytes / v.keys).toFixed(0)} B/key (${Math.round((100 * v.bytes) / total)} %)`;
    }
    Object.assign(out, await marksAtSteadyState(redis, Math.round(accepted / days), to));
    Object.assign(out, await casesAtSteadyState(redis, keys, Math.round(cases / days), to));
    const sum = (names: string[]) => names.reduce((s, n) => s + (fams.get(n)?.bytes ?? 0), 0);
    const counters = sum(['day', 'mon', 'open', 'lday', 'lmon', 'lopen']);
    out['counters per region (day, mon, open, low-level)'] = `${Math.round(counters / regions)} B over ${days} days`;
    out['per case: case + case index + replay log'] = `${Math.round(sum(['cs', 'cx', 'rp:log', 'rp:logz']) / cases)} B`;
    return out;
  } finally {
    await t.stop();
    fs.rmSync(file, { force: true });
  }
}
