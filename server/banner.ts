import type { DemoAccount } from './auth/bootstrap.ts';

/** What a person needs after `npm start`: where to look and how to log in. */
export function printBanner(b: {
  url: string;
  accounts: DemoAccount[];
  ingestKey: string | undefined;
  simulator: boolean;
  /** The simulator backfills the days before its recent history in the background. */
  olderHistory?: boolean;
  embeddedRedis: boolean;
  dataDir: string;
  /** A national deployment's provinces (REGION_ROOT=00 or PROVINCES=). */
  provinces?: readonly string[];
  /** The simulator's SIMULATOR_SCALE. */
  simulatorScale?: number;
}): void {
  const nameWidth = Math.max(10, ...b.accounts.map((a) => a.username.length));
  const lines = [
    '',
    "  平安指挥中心大屏 Ping'an Command Center is running",
    '',
    `  Wall:          ${b.url}`,
    `  Duty console:  ${b.url}duty`,
    `  Departments:   ${b.url}dept`,
    '',
    '  Log in with:',
    ...b.accounts.map(
      (a) =>
        `    ${a.username.padEnd(nameWidth)} ${a.password.padEnd(14)} ${a.role.padEnd(10)} ${a.region.padEnd(6)} ${a.note}`,
    ),
    '',
    ...(b.ingestKey
      ? [
          `  Ingest key (source "demo"): ${b.ingestKey}`,
          `    curl -H "Authorization: Bearer ${b.ingestKey}" -H 'Content-Type: application/json' -d @events.json ${b.url}api/v1/events`,
          '',
        ]
      : []),
    ...(b.provinces
      ? [
          `  Serving: 全国 (00) over ${b.provinces.length} province(s): ${b.provinces.join(',')}` +
            (b.simulator ? ` · simulated volume ×${b.simulatorScale ?? 1} of Gansu's, shared by 2020 population` : ''),
        ]
      : []),
    `  Redis: ${b.embeddedRedis ? `embedded, files in ${b.dataDir}/redis` : 'external (REDIS_URL)'} · simulator: ${b.simulator ? 'on' : 'off'}`,
    ...(b.olderHistory
      ? [
          '  History: the recent days first, then (first start only, in the background, the feed live meanwhile)',
          '           every day back to the 1st of last month, for its 通报 — 4–20 min on 2 cores, ~0.4 GB of Redis;',
          '           the log says month frozen when its 通报 is final (SIMULATOR_HISTORY=off skips it).',
        ]
      : []),
    '  Stop with Ctrl-C.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
