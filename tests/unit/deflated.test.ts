import { describe, expect, it } from 'vitest';
import { deflated, inflated } from '../../server/redis/deflated.ts';

// Records written once (frozen months) are stored deflated, with or without a preset dictionary,
// and values stored before as plain JSON still read.
const record = JSON.stringify({ v: 1, s: 87.4, p: 7, n: 342, l: 'village', i: [['crime', 0, null, 0, 85, 0.25]] });

describe('deflated records', () => {
  it('reads back what was written, plain or against a dictionary, and reads plain JSON of before', () => {
    const dictionary = Buffer.from(record.replace('87.4', '90.1'));
    expect(inflated(deflated(record))).toBe(record);
    expect(inflated(deflated(record, dictionary), dictionary)).toBe(record);
    expect(inflated(Buffer.from(record))).toBe(record);
    // The dictionary is what makes a record this small worth deflating.
    expect(deflated(record, dictionary).length * 3).toBeLessThan(deflated(record).length);
  });

  it('refuses to read a value deflated against a dictionary without it', () => {
    const dictionary = Buffer.from(record);
    expect(() => inflated(deflated(record, dictionary))).toThrow(/dictionary/);
  });
});
