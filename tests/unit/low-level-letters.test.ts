import { describe, expect, it } from 'vitest';
import {
  lowDayMarginals,
  lowKindTotalsByRegion,
  lowMarginalsByRegion,
  lowMonthField,
  lowOpenField,
  lowOpenMarginals,
} from '../../server/counters/low-level.ts';
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
    expect(field).toBe(`001|i|o|p|h|`);
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
    expect(field).toBe(`001|i|drone_sighting|satellite|r|`);
    expect(lowDayMarginals({ [field]: '1' }, village)).toEqual({
      i: 1,
      'c:drone_sighting': 1,
      'ch:satellite': 1,
      's:reported': 1,
    });
  });
});

// A field names its place by what its township hash's key does not say (nothing for the
// township's own cases, a village's last three digits); fields written before carry the whole
// code. Both must count for the same region.
describe('combination fields by place', () => {
  const township = '620702001';
  const other = '620702001002';

  it('names a village by its last three digits and the township by nothing', () => {
    expect(lowMonthField(township, 'i', 'fraud', 'app', 'reported', '')).toBe('|i|f|a|r|');
    expect(lowOpenField(other, 'd', 'mediating', 'land', 'd')).toBe('002|d|m|l|d');
  });

  it('counts old whole-code fields and new ones for the same region', () => {
    const h = {
      [`${township}|i|fraud|app|reported|`]: '2',
      [lowMonthField(township, 'i', 'fraud', 'app', 'reported', '')]: '3',
      [`${village}|d|land|grid|received|`]: '1',
      [lowMonthField(village, 'd', 'land', 'grid', 'received', '')]: '4',
      [lowMonthField(other, 'i', 'traffic', 'police_110', 'closed', 'resolved')]: '6',
    };
    expect(lowDayMarginals(h, village)).toEqual({ d: 5, 'c:land': 5, 'ch:grid': 5, 's:received': 5 });
    expect(lowDayMarginals(h, other)).toMatchObject({ i: 6, 'o:resolved': 6 });
    expect(lowDayMarginals(h, township)).toMatchObject({ i: 11, d: 5 });
    const by = lowMarginalsByRegion(h, 'month', township);
    expect([...by.keys()].sort()).toEqual([township, village, other]);
    expect(by.get(township)).toMatchObject({ i: 11, d: 5 });
    expect(by.get(village)).toMatchObject({ d: 5 });
    const totals = lowKindTotalsByRegion(h, false, township);
    expect(totals.get(township)).toEqual({ i: 5 });
    expect(totals.get(village)).toEqual({ d: 5 });
    expect(totals.get(other)).toEqual({ i: 6 });
  });
});
