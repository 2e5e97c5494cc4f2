// `npm run bench -- replay-storage`: what replay's records cost in Redis for a simulated day of
// the Gansu demo (docs/benchmarks.md "replay storage"). The server (aggregator inline) and the
// built-in simulator share a clock that runs BENCH_REPLAY_ACCEL times faster than real time (240:
// a day in six minutes), so the day's rhythm, lifecycles, midnight base and alert work are those of
// a normal day, at the simulator's normal rates.
import type { RedisClient } from '../server/redis/connection.ts';
import { startTestServer } from '../tests/helpers/server.ts';
import { drained } from '../tests/helpers/drain.ts';
import { startSimulator } from '../server/simulator/simulator.ts';
import { createLogger } from '../server/log.ts';
import { createKeys } from '../server/redis/keys.ts';
import { dayNumber, dayStart, isoBeijing } from '../server/time/beijing.ts';

const H = 3_600_000;

async function usage(redis: RedisClient, keys: string[]): Promise<{ bytes: number; entries: number }> {
  let bytes = 0;
  let entries = 0;
  for (const k of keys) {
    const type = await redis.type(k);
    if (type === 'none') continue;
    bytes += Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
    entries += type === 'list' ? await redis.llen(k) : await redis.hlen(k);
  }
  return { bytes, entries };
}

const usedMemory = async (r: RedisClient) => Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? 0);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

export async function benchReplayStorage(): Promise<Record<string, number | string>> {
  const accel = Number(process.env.BENCH_REPLAY_ACCEL ?? 240);
  // From 22:00 the day before the measured day to 23:00 on it: the run crosses one midnight.
  const measured = dayNumber(Date.now()) - 1;
  const start = dayStart(measured) - 2 * H;
  const end = dayStart(measured) + 23 * H;
  const real0 = Date.now();
  const clock = { now: () => start + (Date.now() - real0) * accel };
  const t = await startTestServer({ clock });
  const keys = createKeys('62');
  const redis = t.server.redis;
  const sim = await startSimulator({
    ingest: t.server.ingest,
    redis,
    tree: t.tree,
    logger: createLogger('warn', false),
    speed: 1,
    backfillDays: 2,
    history: { alerts: t.server.alerts, drained: t.server.drained },
    clock,
  });
  const wait = async (until: number) => {
    while (clock.now() < until) await new Promise((r) => setTimeout(r, 500));
  };
  await wait(dayStart(measured));
  const memAtMidnight = await usedMemory(redis);
  await wait(end);
  await sim.stop();
  await drained(redis, keys.events);
  const memAtEnd = await usedMemory(redis);

  const epochs = (await redis.zrange(keys.replayEpochs, '0', '-1')).map(Number);
  const epoch = epochs.find((e) => dayNumber(e) === measured);
  if (epoch === undefined) throw new Error(`no base written on ${isoBeijing(dayStart(measured))}`);
  const hours: number[] = [];
  for (let h = Math.floor(epoch / H) - 1; h <= Math.floor(end / H); h++) hours.push(h);
  const dayHours = hours.filter((h) => h * H >= dayStart(measured) && h * H < end);
  const base = await usage(redis, [keys.replayBase(String(epoch))]);
  const log = await usage(
    redis,
    hours.map((h) => keys.replayLog(String(epoch), h)),
  );
  const ticker = await usage(
    redis,
    dayHours.map((h) => keys.replayTicker(h)),
  );
  const alerts = await usage(
    redis,
    dayHours.map((h) => keys.replayAlerts(h)),
  );
  const covered = (end - Math.max(epoch, dayStart(measured))) / H;
  const perDay = (n: number) => Math.round((n * 24) / covered);
  const records = perDay(log.bytes + ticker.bytes + alerts.bytes);
  const sum = base.bytes + records;
  await t.stop();
  return {
    'simulated window': `${isoBeijing(start)} → ${isoBeijing(end)} (×${accel})`,
    'measured day (from its base)': `${isoBeijing(epoch)}, ${covered.toFixed(2)} h`,
    'base: hashes copied (+ alerts field)': base.entries,
    'base: MEMORY USAGE': mb(base.bytes),
    'case changes logged (per day)': perDay(log.entries),
    'case-change log (per day)': mb(perDay(log.bytes)),
    'ticker events recorded (per day)': perDay(ticker.entries),
    'ticker lists (per day)': mb(perDay(ticker.bytes)),
    'alert views recorded (per day)': perDay(alerts.entries),
    'alert lists (per day)': mb(perDay(alerts.bytes)),
    'replay storage per day (base + records)': mb(sum),
    'replay storage for 32 days kept': mb(sum * 32),
    'INFO used_memory midnight → 23:00 (all data)': `${mb(memAtMidnight)} → ${mb(memAtEnd)}`,
  };
}
