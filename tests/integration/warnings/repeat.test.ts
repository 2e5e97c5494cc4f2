import { describe, expect, it } from 'vitest';
import { bj, DAY, ev, type EventOver, useRulesHarness, type RulesHarness } from '../../helpers/warnings.ts';

const NOW = bj('2026-11-24T10:00');
let h: RulesHarness;
useRulesHarness(NOW, (harness) => (h = harness));

const petition = (over: EventOver) => ev({ category: 'petition', channel: 'petition', ...over });

describe('repeat (重复信访)', () => {
  it('fires when the same person petitions three times in 30 days, and not at two', async () => {
    const parties = ['pet-1'];
    await h.feed([petition({ id: 'a1', ts: NOW - 25 * DAY, parties })]);
    await h.feed([petition({ id: 'a2', ts: NOW - 10 * DAY, parties, region: '620702001002' })]);
    expect(await h.open()).toEqual([]);
    await h.feed([petition({ id: 'a3', ts: NOW - 1000, parties })]);
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'repeat', level: 'blue', region: '620702001', count: 3 });
  });

  it('turns yellow at five petitions and stays one alert', async () => {
    for (let i = 0; i < 5; i++)
      await h.feed([
        petition({ id: `b${i}`, ts: NOW - (5 - i) * DAY, parties: ['pet-2'], region: `62070200100${i + 1}` }),
      ]);
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ level: 'yellow', count: 5 });
  });

  it('fires for a village with five petitions in a week from different people', async () => {
    for (let i = 0; i < 4; i++) await h.feed([petition({ id: `v${i}`, ts: NOW - i * DAY, region: '620702001003' })]);
    expect(await h.open()).toEqual([]);
    await h.feed([petition({ id: 'v4', ts: NOW - 1000, region: '620702001003' })]);
    const list = await h.open();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'repeat', level: 'yellow', region: '620702001003' });
  });

  it('does not count ordinary incidents as petitions', async () => {
    for (let i = 0; i < 6; i++)
      await h.feed([ev({ id: `n${i}`, ts: NOW - i * DAY, region: '620702001004', parties: ['x'] })]);
    expect(await h.open()).toEqual([]);
  });
});
