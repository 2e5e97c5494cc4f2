import type { TickerItem } from '../../../shared/events.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import type { ChildSummary, HourPoint, Snapshot } from '../../../shared/schemas/snapshot.ts';

/** Hours of the last 48, oldest first, ending with the hour that contains `asOf` (Beijing). */
export function hours(asOf: string, value: (i: number) => { incident: number; dispute: number }): HourPoint[] {
  const end = Date.parse(asOf);
  const startOfHour = end - (end % 3_600_000);
  return Array.from({ length: 48 }, (_, i) => {
    const t = startOfHour - (47 - i) * 3_600_000;
    const iso = new Date(t + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    return { hour: iso, ...value(i) };
  });
}

export function child(
  code: string,
  name: string,
  over: Partial<{ today: number; open: number; overdue: number; red: number; yellow: number }> = {},
): ChildSummary {
  return {
    code,
    name,
    counts: {
      today: { incident: over.today ?? 0, dispute: 0 },
      open: { incident: 0, dispute: over.open ?? 0 },
      overdue: { dispute: over.overdue ?? 0 },
    },
    alerts: { red: over.red ?? 0, orange: 0, yellow: over.yellow ?? 0, blue: 0 },
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  const asOf = over.asOf ?? '2026-11-22T10:30:00.000+08:00';
  return {
    region: { code: '62', name: '甘肃省', level: 'province', path: ['62'] },
    asOf,
    seq: 10,
    counts: {
      today: {
        incident: 40,
        dispute: 12,
        byCategory: { criminal: 5, family: 3 },
        byStatus: { received: 4, resolved: 6, verified: 2 },
        byChannel: { grid: 10 },
      },
      yesterday: { incident: 90, dispute: 30 },
      month: { incident: 900, dispute: 300, byCategory: {}, byStatus: {}, byChannel: {} },
      last15m: { incident: 1, dispute: 0 },
      last1h: { incident: 4, dispute: 1 },
      last24h: { incident: 90, dispute: 30 },
      open: { incident: 7, dispute: 20, byStatus: { received: 4, dispatched: 8, mediating: 8 } },
      overdue: { dispute: 3, dispatch: 1, resolve: 2 },
    },
    rates: { disputeResolution: 0.8, mediationSuccess: 0.75 },
    rateCounts: { disputeResolution: { num: 8, den: 10 }, mediationSuccess: { num: 6, den: 8 } },
    hourly: hours(asOf, () => ({ incident: 4, dispute: 1 })),
    children: [child('6201', '兰州市', { today: 10 }), child('6207', '张掖市', { today: 30, red: 1 })],
    alerts: [],
    alertCounts: { red: 1, orange: 0, yellow: 0, blue: 0 },
    ...over,
  };
}

export function alert(id: string, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    level: 'yellow',
    rule: 'spike',
    region: '620702',
    state: 'new',
    title: `预警 ${id}`,
    createdAt: '2026-11-22T10:00:00.000+08:00',
    updatedAt: '2026-11-22T10:00:00.000+08:00',
    count: 1,
    desk: '620702',
    ...over,
  };
}

export function tick(id: string, over: Partial<TickerItem> = {}): TickerItem {
  return {
    id,
    kind: 'incident',
    category: 'criminal',
    status: 'reported',
    severity: 1,
    region: '620702001',
    regionName: '梁家墩镇',
    occurredAt: '2026-11-22T10:29:00.000+08:00',
    channel: 'police_110',
    summary: `事件 ${id}`,
    ...over,
  };
}
