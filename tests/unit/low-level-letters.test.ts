import { describe, expect, it } from 'vitest';
import { lowDayMarginals, lowMonthField, lowOpenField, lowOpenMarginals } from '../../server/counters/low-level.ts';
import { CATEGORIES, CHANNELS, DISPUTE_STATUSES, INCIDENT_STATUSES } from '../../shared/vocab.ts';

// The township combination fields hold category, channel, status and outcome as letters
// (server/counters/low-level.ts): each must read back as the value it stands for, fields written
// in full names before the letters must still count, and both must sum.
const village = '620702001001';

describe('combination fields in letters', () => {
  it('reads every category, channel, status and outcome back as itself', () => {
    const statuses = [...INCIDENT_STATUSES, ...DISPUTE_STATUSES];
    for (const cat of CATEGORIES)
      for (const chan of CHANNELS)
        for (const status of statuses)
          for (const out of ['', 'resolved', 'failed']) {
            const field = lowMonthField(village, 'd', cat, chan, status, out);
            const want = {
              d: 1,
              [`c:${cat}`]: 1,
              [`ch:${chan}`]: 1,
              [`s:${status}`]: 1,
              ...(out ? { [`o:${out}`]: 1 } : {}),
            };
            expect(lowDayMarginals({ [field]: '1' }, village), field).toEqual(want);
          }
    for (const cat of CATEGORIES)
      for (const status of statuses)
        expect(lowOpenMarginals({ [lowOpenField(village, 'i', status, cat, '')]: '1' }, village)).toEqual({
          i: 1,
          [`c:${cat}`]: 1,
          [`s:${status}`]: 1,
        });
  });

  it('writes a letter for each of category, channel and status', () => {
    const field = lowMonthField(village, 'i', 'public_order', 'police_110', 'handling', '');
    expect(field).toBe(`${village}|i|o|p|h|`);
  });

  it('counts a field written in full names (before the letters) with its lettered twin', () => {
    const old = `${village}|d|neighbour|walk_in|resolved|resolved`;
    const now = lowMonthField(village, 'd', 'neighbour', 'walk_in', 'resolved', 'resolved');
    expect(now).not.toBe(old);
    expect(lowDayMarginals({ [old]: '2', [now]: '-1' }, village)).toEqual({
      d: 1,
      'c:neighbour': 1,
      'ch:walk_in': 1,
      's:resolved': 1,
      'o:resolved': 1,
    });
  });

  it('writes a value that has no letter in full, and reads it back', () => {
    const field = lowMonthField(village, 'i', 'drone_sighting', 'satellite', 'reported', '');
    expect(field).toBe(`${village}|i|drone_sighting|satellite|r|`);
    expect(lowDayMarginals({ [field]: '1' }, village)).toEqual({
      i: 1,
      'c:drone_sighting': 1,
      'ch:satellite': 1,
      's:reported': 1,
    });
  });
});
