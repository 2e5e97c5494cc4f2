import { describe, expect, it } from 'vitest';
import { rateText } from '../../../client/src/lib/rate.ts';
import { openAlertsNote } from '../../../client/src/lib/open-alerts.ts';
import { keyFigures } from '../../../client/src/lib/figures.ts';
import { snapshot } from './fixtures.ts';

describe('a rate on the wall', () => {
  it('shows the counts, not 100 %, when it rests on fewer than ten cases', () => {
    expect(rateText(1, 1)).toEqual({ text: '1/1', percent: false });
    expect(rateText(7, 9)).toEqual({ text: '7/9', percent: false });
  });

  it('shows a percentage once the denominator is large enough, and a dash with none', () => {
    expect(rateText(81, 100)).toEqual({ text: '81.0', percent: true });
    expect(rateText(0, 0)).toEqual({ text: '—', percent: false });
  });

  it('gives 本月化解率 its counts from the snapshot so a single dispute is not 100 %', () => {
    const s = snapshot({
      rates: { disputeResolution: 1, mediationSuccess: 1 },
      rateCounts: { disputeResolution: { num: 1, den: 1 }, mediationSuccess: { num: 1, den: 1 } },
    });
    expect(keyFigures(s).find((f) => f.key === 'rate')).toMatchObject({ counts: { num: 1, den: 1 } });
  });
});

describe('the open alerts note', () => {
  it('says the true number of open alerts of the region, and that the list shows only the first', () => {
    expect(openAlertsNote({ red: 3, orange: 10, yellow: 100, blue: 4 }, 12)).toBe('未办结 117 条 · 显示前 12');
    expect(openAlertsNote({ red: 1, orange: 0, yellow: 2, blue: 0 }, 3)).toBe('未办结 3 条');
  });
});
