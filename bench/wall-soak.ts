// `npm run bench -- wall-soak`: the wall in chromium for SOAK_MINUTES (default 10) against a server
// whose simulator runs 60× faster than real time; the JS heap after a forced GC, DOM nodes and
// event listeners are sampled every 30 s. A wall runs for weeks: these must stay flat.
import { launchBrowser } from '../tests/helpers/browser.ts';
import { startTestRedis } from '../tests/helpers/redis.ts';
import { startServerProcess } from './server-process.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
/**
 * The map keeps located events for 5 minutes (client/src/lib/state/ripples.svelte.ts), so the heap
 * rightly rises until the first ones expire: the trend that matters is the one after that.
 */
const WARMUP_MINUTES = Number(process.env.SOAK_WARMUP_MINUTES ?? 6);
const EVERY_MS = 30_000;

/** Least-squares slope of the heap over time, in bytes per ms. */
function slopeOf(samples: readonly { t: number; heap: number }[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mh = samples.reduce((a, s) => a + s.heap, 0) / n;
  return samples.reduce((a, s) => a + (s.t - mt) * (s.heap - mh), 0) / samples.reduce((a, s) => a + (s.t - mt) ** 2, 0);
}

export async function benchWallSoak(): Promise<Record<string, number | string>> {
  const redis = await startTestRedis();
  const server = await startServerProcess(redis, {
    SIMULATOR: 'on',
    SIMULATOR_SPEED: '60',
    SIMULATOR_BACKFILL_DAYS: '1',
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ width: 1920, height: 1080 });
    // A wall signs in as a wall account (30-day session), as a real one does: an admin's session
    // ends after 2 hours and would log the soak out at its 120th minute.
    const wall = { username: 'soakwall', password: 'soak-wall-password-1' };
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
    });
    const { token } = (await login.json()) as { token: string };
    const made = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...wall, role: 'wall', region: '62' }),
    });
    if (!made.ok) throw new Error(`creating the wall account failed: ${made.status} ${await made.text()}`);
    await page.goto(`${server.url}/login`);
    await page.locator('input[name=username]').fill(wall.username);
    await page.locator('input[name=password]').fill(wall.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('[data-testid=connection][data-status=live]').waitFor({ timeout: 30_000 });
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const sample = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const m = (n: string) => metrics.find((x) => x.name === n)?.value ?? NaN;
      // Located events on the map: the one store that rightly grows with the event rate.
      const points = Number(
        await page
          .locator('[data-testid=region-map]')
          .getAttribute('data-points', { timeout: 1000 })
          .catch(() => NaN),
      );
      // A new build deployed meanwhile reloads the wall (client/src/lib/version.ts): a fresh heap.
      const origin = await page.evaluate(() => performance.timeOrigin);
      return { t: Date.now(), heap: usedSize, nodes: m('Nodes'), listeners: m('JSEventListeners'), points, origin };
    };
    // Let the first screen settle (fonts, map, first deltas) before the baseline.
    await new Promise((r) => setTimeout(r, 20_000));
    const samples = [await sample()];
    const end = Date.now() + MINUTES * 60_000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, EVERY_MS));
      samples.push(await sample());
      const s = samples.at(-1)!;
      console.log(
        `  ${Math.round((s.t - samples[0]!.t) / 1000)} s: heap ${(s.heap / 1048576).toFixed(2)} MB, nodes ${s.nodes}, listeners ${s.listeners}, map points ${s.points}`,
      );
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const settled = samples.filter((s) => s.t - first.t >= WARMUP_MINUTES * 60_000);
    const mb = (b: number) => Math.round((b / 1048576) * 100) / 100;
    const perHour = (slope: number) => Math.round(((slope * 3_600_000) / 1048576) * 100) / 100;
    return {
      minutes: MINUTES,
      'simulator speed': 60,
      'JS heap start / end / max (MB)': `${mb(first.heap)} / ${mb(last.heap)} / ${mb(Math.max(...samples.map((s) => s.heap)))}`,
      'JS heap trend (MB per hour)': perHour(slopeOf(samples)),
      [`after ${WARMUP_MINUTES} min warm-up: JS heap start / end (MB)`]: settled.length
        ? `${mb(settled[0]!.heap)} / ${mb(settled.at(-1)!.heap)}`
        : 'n/a (run longer)',
      [`after ${WARMUP_MINUTES} min warm-up: JS heap trend (MB per hour)`]: perHour(slopeOf(settled)),
      'DOM nodes start / end': `${first.nodes} / ${last.nodes}`,
      'JS event listeners start / end': `${first.listeners} / ${last.listeners}`,
      'page reloaded during the soak': samples.some((s) => s.origin !== first.origin)
        ? 'yes (figures not comparable)'
        : 'no',
      'map points start / end / max': `${first.points} / ${last.points} / ${Math.max(...samples.map((s) => s.points))}`,
    };
  } finally {
    await browser.close();
    await server.stop();
    await redis.stop();
  }
}
