import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bj, ev, MIN, rulesWith, startRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-10-03T21:30');
let h: RulesHarness;
beforeAll(async () => {
  h = await startRulesHarness(
    NOW,
    rulesWith({
      sensitivePeriods: [
        {
          name: '国庆',
          start: '2026-10-01T00:00:00+08:00',
          end: '2026-10-08T00:00:00+08:00',
          regions: ['620702'],
          thresholdFactor: 0.6,
          timeFactor: 0.5,
          raiseLevel: true,
        },
      ],
    }),
  );
});
afterAll(async () => h?.stop());

const at = (dLat: number, lng: number) => ({ lng, lat: 38.93 + dLat });
const brawls = (region: string, lng: number, tag: string) =>
  [0, 1, 2].map((i) => ev({ id: `${tag}${i}`, ts: NOW - (20 - i * 5) * MIN, region, location: at(i * 0.001, lng) }));

describe('a sensitive period (敏感节点)', () => {
  it('fires sooner, one level higher and with less time to sign in its regions only', async () => {
    await h.feed(brawls('620702001001', 100.45, 'in'));
    await h.feed(brawls('620102001001', 103.8, 'out'));
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'cluster', region: '620702001001', level: 'orange', count: 3 });
    // Orange signs within 15 minutes normally; half that during the period.
    expect(Date.parse(list[0]!.signBy!) - NOW).toBe(7.5 * MIN);
    const d = (await h.alerting.alerts.store.detail(list[0]!.id))!;
    expect(d.explanation).toContain('敏感时期「国庆」');
  });
});
