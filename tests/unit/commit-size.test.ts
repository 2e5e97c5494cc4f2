import { describe, expect, it } from 'vitest';
import { CommitSize } from '../../server/aggregate/commit-size.ts';

describe('CommitSize', () => {
  it('starts whole, halves after a slow commit down to its floor, and grows back by quarters after fast full ones', () => {
    const s = new CommitSize({ max: 2000, min: 100, slowMs: 1000, fastMs: 250 });
    expect(s.current).toBe(2000);
    s.took(2400, 2000);
    expect(s.current).toBe(1000);
    s.took(1500, 1000);
    s.took(1500, 500);
    s.took(1500, 250);
    s.took(1500, 125);
    expect(s.current).toBe(100);
    s.took(600, 100);
    expect(s.current).toBe(100);
    s.took(50, 100);
    expect(s.current).toBe(125);
    // A fast commit of a short piece (the end of a batch) says nothing about a full one.
    s.took(10, 30);
    expect(s.current).toBe(125);
    for (let i = 0; i < 20; i++) s.took(10, s.current);
    expect(s.current).toBe(2000);
  });
});
