import { describe, expect, it } from 'vitest';
import {
  loadRulesConfig,
  parseRulesConfig,
  RulesConfigError,
  signLimitMs,
  tuningFor,
} from '../../../server/warnings/config.ts';
import { logFactorial, poissonTail, trimmedMean } from '../../../server/warnings/stats.ts';

type Raw = Record<string, unknown>;
const defaults = () => JSON.parse(JSON.stringify(loadRulesConfig())) as Raw;

/** Breaks the parsed file on purpose: `set(raw, 'rules.spike.windows.0.minCount', 0)`. */
function set(raw: Raw, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = raw as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) at = at[p] as Record<string, unknown>;
  at[parts.at(-1)!] = value;
}

describe('the rules file', () => {
  it('ships a default that validates', () => {
    const cfg = loadRulesConfig();
    expect(cfg.signMinutes).toEqual({ red: 5, orange: 15, yellow: 60, blue: 240 });
    expect(Object.keys(cfg.rules).sort()).toEqual([
      'cluster',
      'homicide_risk',
      'overdue',
      'repeat',
      'silence',
      'spike',
    ]);
  });

  it('names the rule and the field of every mistake', () => {
    const raw = defaults();
    set(raw, 'rules.spike.windows.0.minCount', 0);
    set(raw, 'rules.homicide_risk.redMarkers', ['knife']);
    set(raw, 'rules.cluster.radiusMeters', 'far');
    set(raw, 'signMinutes.red', -1);
    let message = '';
    try {
      parseRulesConfig(raw);
    } catch (err) {
      expect(err).toBeInstanceOf(RulesConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('rule spike, field windows.0.minCount:');
    expect(message).toContain('rule homicide_risk, field redMarkers.0:');
    expect(message).toContain('rule cluster, field radiusMeters:');
    expect(message).toContain('field signMinutes.red:');
  });

  it('names the field of a bad source-silence or 上报及时率 setting', () => {
    const raw = defaults();
    set(raw, 'rules.silence.sources.minGapMinutes', 1);
    set(raw, 'rules.silence.sources.level', 'purple');
    set(raw, 'timeliness.limitMinutes.incident', 0);
    let message = '';
    try {
      parseRulesConfig(raw);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('rule silence, field sources.minGapMinutes:');
    expect(message).toContain('rule silence, field sources.level:');
    expect(message).toContain('timeliness (上报及时率), field limitMinutes.incident:');
    expect(loadRulesConfig().timeliness).toEqual({ enabled: true, limitMinutes: { incident: 30, dispute: 1440 } });
  });

  it('refuses unknown rules and unknown fields (a typo must not silently do nothing)', () => {
    const raw = defaults();
    set(raw, 'rules.spike.minCuont', 3);
    set(raw, 'rules.speed', { enabled: true });
    expect(() => parseRulesConfig(raw)).toThrow(
      /rule spike, field \(rule\): Unrecognized key: "minCuont"[\s\S]*field rules: Unrecognized key: "speed"/,
    );
  });

  it('refuses a sensitive period that ends before it starts', () => {
    const raw = defaults();
    raw.sensitivePeriods = [
      { name: '国庆', start: '2026-10-07T00:00:00+08:00', end: '2026-10-01T00:00:00+08:00', regions: ['62'] },
    ];
    expect(() => parseRulesConfig(raw)).toThrow(/sensitive period #1, field end: must end after it starts/);
  });
});

describe('sensitive periods', () => {
  const cfg = parseRulesConfig({
    ...defaults(),
    sensitivePeriods: [
      {
        name: '国庆',
        start: '2026-10-01T00:00:00+08:00',
        end: '2026-10-08T00:00:00+08:00',
        regions: ['6207'],
        thresholdFactor: 0.6,
        timeFactor: 0.5,
        raiseLevel: true,
      },
    ],
  });
  const during = Date.parse('2026-10-03T12:00:00+08:00');

  it('tighten thresholds and time limits only in their regions and only while they last', () => {
    expect(tuningFor(cfg, '620702001', during)).toEqual({
      thresholdFactor: 0.6,
      timeFactor: 0.5,
      raiseLevel: true,
      periods: ['国庆'],
    });
    expect(tuningFor(cfg, '620102', during).periods).toEqual([]);
    expect(tuningFor(cfg, '620702', Date.parse('2026-10-08T00:00:00+08:00')).periods).toEqual([]);
    expect(signLimitMs(cfg, 'red', '620702', during)).toBe(150_000);
    expect(signLimitMs(cfg, 'red', '620102', during)).toBe(300_000);
  });
});

describe('statistics', () => {
  it('computes Poisson tails that stay precise when tiny', () => {
    expect(poissonTail(0, 3)).toBe(1);
    expect(poissonTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(poissonTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * (1 + 1 + 0.5), 12);
    const tiny = poissonTail(40, 3);
    expect(tiny).toBeGreaterThan(0);
    expect(tiny).toBeLessThan(1e-20);
  });

  it('takes ln n! in constant time without losing precision past the exact table', () => {
    const summed = (n: number) => {
      let s = 0;
      for (let i = 2; i <= n; i++) s += Math.log(i);
      return s;
    };
    for (const n of [0, 1, 2, 10, 255, 256, 257, 1000, 54_321]) expect(logFactorial(n)).toBeCloseTo(summed(n), 7);
    // A busy province's 15 minutes: the tail stays a probability and matches a plain sum of terms.
    const direct = (k: number, l: number) => {
      let sum = 0;
      for (let i = k; i < k + 2000; i++) sum += Math.exp(i * Math.log(l) - l - summed(i));
      return sum;
    };
    expect(poissonTail(1100, 1000)).toBeCloseTo(direct(1100, 1000), 9);
    expect(poissonTail(40_000, 100)).toBe(0);
    expect(poissonTail(50_000, 1)).toBe(0);
  });

  it('keeps one past spike from lifting the baseline', () => {
    expect(trimmedMean([4, 5, 6, 50])).toBe(5);
    expect(trimmedMean([4, 6])).toBe(5);
  });
});
