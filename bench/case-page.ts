// `npm run bench -- case-page`: the read time of a case list page and of the 久拖 count, as a duty
// officer's click asks them: the province's and a city's first page of 50, the province's third
// page (a cursor), a county's and a township's, and a township snapshot's newest cases (in the
// county with most cases, with and without the count the snapshot does not show), over
// BENCH_CASE_PAGE_DAYS (default 3) days of the
// Gansu simulator's history POSTed to the real server and drained. Each read is timed
// BENCH_CASE_PAGE_REPS (default 40) times after 5 warm-ups; median and p90 in ms, the median also as a
// multiple of one Redis round trip (PING) timed in the same run. The functions are called directly (no HTTP), so the figure is the case index's read, not the route's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../tests/helpers/server.ts';
import { drained } from '../tests/helpers/drain.ts';
import { historyLines, writeSimulated } from './history.ts';
import { asKeyRing, createKeys } from '../server/redis/keys.ts';
import { listCases, localCases, LOCAL_CASES, type CaseListDeps } from '../server/aggregate/case-list.ts';
import { countStale } from '../server/aggregate/stale-cases.ts';
import { closedSets, countiesUnder, indexFloor } from '../server/aggregate/case-index.ts';

const DAY = 86_400_000;

/** Median and p90 of `reps` calls (ms), after 5 warm-ups. */
async function sample(reps: number, f: () => Promise<unknown>): Promise<{ median: number; p90: number }> {
  for (let i = 0; i < 5; i++) await f();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, p90: ms[Math.floor(ms.length * 0.9)]! };
}

export async function benchCasePage(): Promise<Record<string, number | string>> {
  const days = Number(process.env.BENCH_CASE_PAGE_DAYS ?? 3);
  const reps = Number(process.env.BENCH_CASE_PAGE_REPS ?? 40);
  const dir = path.join(os.tmpdir(), 'pingan-bench-case-page');
  fs.mkdirSync(dir, { recursive: true });
  const to = Date.now() - 60_000;
  const file = path.join(dir, `gansu-${days}d-${to}.ndjson`);
  const t = await startTestServer();
  const redis = t.server.redis;
  const keys = createKeys('62');
  try {
    const g = await writeSimulated(t.tree, to - days * DAY, to, file);
    let chunk: unknown[] = [];
    for await (const l of historyLines(file)) {
      chunk.push(JSON.parse(l));
      if (chunk.length === 5000) {
        await t.postEvents(chunk);
        chunk = [];
      }
    }
    if (chunk.length) await t.postEvents(chunk);
    await drained(redis, keys.events, 1_800_000);
    const counties = countiesUnder(t.tree);
    const deps: CaseListDeps = { redis, keys, regionName: (c) => t.tree.get(c)?.name, counties };
    const now = Date.now();
    const page = (region: string) => () => listCases(deps, { region }, undefined, 50, now);
    const p2 = await listCases(
      deps,
      { region: '62' },
      (await listCases(deps, { region: '62' }, undefined, 50, now)).next,
      50,
      now,
    );
    const third = p2.next;
    const township = t.tree.children('620702')[0]!.code;
    const ring = asKeyRing(keys);
    // A township of the county whose closed incidents are most: its snapshot's read scans its sets.
    const closedIncidents = async (county: string) => {
      const p = redis.pipeline();
      for (const s of closedSets(keys, [county], ['i'], indexFloor(now), now)) p.zcard(s.key);
      return ((await p.exec()) ?? []).reduce((n, [, v]) => n + Number(v), 0);
    };
    const sizes = await Promise.all(t.tree.codesAt('county').map(async (c) => [c, await closedIncidents(c)] as const));
    const [busiest, busiestSize] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const busyTownship = t.tree.children(busiest)[0]!.code;
    // The reference, measured in the same run: one Redis round trip (PING) on the same connection.
    // A read's median as a multiple of it travels between machines; its milliseconds do not.
    const rtt = await sample(reps, () => redis.ping());
    const timed = async (f: () => Promise<unknown>) => {
      const s = await sample(reps, f);
      return `median ${s.median.toFixed(2)} ms (${(s.median / rtt.median).toFixed(1)}× a round trip), p90 ${s.p90.toFixed(2)} ms`;
    };
    return {
      conditions: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}, node ${process.version}`,
      'simulated days / events / cases': `${days} / ${g.events} / ${g.cases}`,
      'reference: one Redis round trip (PING)': `median ${rtt.median.toFixed(3)} ms, p90 ${rtt.p90.toFixed(3)} ms`,
      'province 62, first page of 50': await timed(page('62')),
      'province 62, third page (cursor)': await timed(() => listCases(deps, { region: '62' }, third, 50, now)),
      'province 62, open disputes page': await timed(() =>
        listCases(deps, { region: '62', kind: 'dispute', status: 'open' }, undefined, 50, now),
      ),
      'city 6201, first page of 50': await timed(page('6201')),
      'county 620702, first page of 50': await timed(page('620702')),
      [`township ${township}, first page of 50`]: await timed(page(township)),
      [`county with most closed incidents`]: `${busiest}: ${busiestSize} in its sets of the days`,
      [`township ${busyTownship}: the snapshot's newest cases`]: await timed(() => localCases(deps, busyTownship, now)),
      [`the same two lists counted (as before 2026-12-06)`]: await timed(() =>
        Promise.all([
          listCases(deps, { region: busyTownship }, undefined, LOCAL_CASES, now),
          listCases(deps, { region: busyTownship, kind: 'dispute', status: 'open' }, undefined, LOCAL_CASES, now),
        ]),
      ),
      'province 62, 久拖 count': await timed(() => countStale(redis, ring, '62', now, 30 * DAY, counties)),
    };
  } finally {
    await t.stop();
    fs.rmSync(file, { force: true });
  }
}
