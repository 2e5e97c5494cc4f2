// `npm run bench -- import`: the history import of a generated Gansu history file into a fresh
// redis-server (AOF on, everysec): events/s, wall and CPU time, Redis used_memory before and after.
// The file is generated once (the simulator's `writeHistoryFile`, seed fixed) into
// $TMPDIR/pingan-bench-import/ and reused. BENCH_IMPORT_DAYS (default 365) days ending
// BENCH_IMPORT_DAYS_AGO (default 0) days before now: a month 200 days back measures the history
// path alone, a month up to now the kept (live-case) path. BENCH_IMPORT_FILE: import that file instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startTestRedis } from '../tests/helpers/redis.ts';
import { loadRegionTree } from '../server/regions/tree.ts';
import { importDepsFor, importHistory } from '../server/import/run.ts';
import { aofSetting, redisCpuSeconds } from './redis-info.ts';
import { historyFile } from './history.ts';
import { byFamily } from './memory.ts';
import { packClosedHours, PACK_GRACE_MS } from '../server/replay/pack.ts';
import { packClosedMonths } from '../server/counters/month-pack.ts';

/** CPU seconds of this process's main thread alone (Linux; NaN elsewhere): the part that does not parallelise. */
function mainThreadCpu(): number {
  try {
    const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

const usedMemory = async (r: Redis) => Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? 0);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function benchImport(): Promise<Record<string, number | string>> {
  const days = Number(process.env.BENCH_IMPORT_DAYS ?? 365);
  const daysAgo = Number(process.env.BENCH_IMPORT_DAYS_AGO ?? 0);
  const tree = await loadRegionTree('62');
  const file = process.env.BENCH_IMPORT_FILE ?? (await historyFile(tree, days, daysAgo));
  const r = await startTestRedis({ appendonly: true, appendfsync: 'everysec' });
  const redis = new Redis(r.options);
  // One set of dependencies for both runs: the second must meet the first's ledger.
  const deps = importDepsFor(redis, tree, '62');
  // Progress on stderr, so a run stopped early says where it was.
  const tp = Date.now();
  deps.onProgress = ({ chunk, chunks, active }) => {
    if (chunk % 10 === 0 || chunk === chunks - 1)
      console.error(`chunk ${chunk + 1}/${chunks} at ${((Date.now() - tp) / 1000).toFixed(0)} s, ${active} cases held`);
  };
  try {
    const before = await usedMemory(redis);
    const redisCpu0 = await redisCpuSeconds(redis);
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpu();
    const t0 = Date.now();
    const report = await importHistory(deps, file);
    const wall = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const mainCpu = mainThreadCpu() - main0;
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
    const after = await usedMemory(redis);
    const keys = await redis.dbsize();
    // What is held at the end, by key family, once replay's closed hours are packed as a running
    // server's packer would (the import logs every kept case's change in the hour it ran)…
    const ring = deps.ring.of('62');
    await packClosedHours(redis, ring, Date.now() + 3_600_000 + PACK_GRACE_MS);
    // …and the townships' closed months, as its month packer would (server/counters/month-pack.ts).
    const monthsPacked = await packClosedMonths(redis, ring, tree.codesAt('township'), Date.now());
    const packed = await usedMemory(redis);
    const families = [...(await byFamily(redis, ring.prefix))].sort((a, b) => b[1].bytes - a[1].bytes);
    const byFam: Record<string, string> = {};
    for (const [f, v] of families.slice(0, 12))
      byFam[`  ${f}`] =
        `${mb(v.bytes)} in ${v.keys} keys, ${Math.round(v.bytes / report.kept.events)} B per kept event`;
    // The same file again: the ledger says it is in, nothing changes.
    const t1 = Date.now();
    const again = await importHistory(deps, file);
    return {
      file: `${path.basename(file)} (${mb(fs.statSync(file).size)})`,
      'events (lines)': report.events,
      'bad lines': report.badLines,
      'cases: history (months) / kept (live cases) / skipped': `${report.history.cases} / ${report.kept.cases} / ${report.skipped.cases}`,
      'wall time (s)': wall.toFixed(1),
      'events/s': Math.round(report.events / wall),
      'node CPU user+sys, all threads (s)': ((cpu.user + cpu.system) / 1e6).toFixed(1),
      'node CPU, main thread (s)': mainCpu.toFixed(1),
      'µs per event: node all / node main / redis': [cpu.user + cpu.system, mainCpu * 1e6, redisCpu * 1e6]
        .map((us) => (us / report.events).toFixed(1))
        .join(' / '),
      'lines checked by zod (fast check unsure)': report.checkedBySchema,
      'redis CPU (s)': redisCpu.toFixed(1),
      'redis used_memory before': mb(before),
      'redis used_memory after': mb(after),
      'events of the kept cases (held within retention)': report.kept.events,
      'used_memory after, replay hours and township months packed': `${mb(packed)}: ${Math.round(packed / report.kept.events)} B per kept event (${monthsPacked} months packed)`,
      'MEMORY USAGE by family (largest 12), per kept event': '',
      ...byFam,
      'redis keys after': keys,
      'node peak RSS': mb(process.resourceUsage().maxRSS * 1024),
      'second run': again.alreadyImported
        ? `already imported, ${((Date.now() - t1) / 1000).toFixed(1)} s`
        : 'RAN AGAIN',
      machine: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${mb(os.totalmem())} RAM, load ${os.loadavg()[0]!.toFixed(1)}`,
      versions: `node ${process.version}, redis ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1]}, ${await aofSetting(redis)}`,
    };
  } finally {
    redis.disconnect();
    await r.stop();
  }
}
