import { describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import { slotOf } from '../../server/redis/by-slot.ts';
import { prng } from '../helpers/prng.ts';

describe('a key’s cluster slot', () => {
  it('is the slot Redis Cluster gives it, tagged or not', () => {
    const keys = [
      'pingan:{62}:c:day:620702:20260',
      'pingan:{62}:c:open:6207',
      'pingan:{11}:events',
      'pingan:{}:odd',
      'pingan:}{62',
      'pingan:{62',
      'no tag at all',
      '{a}{b}',
      'x{ab}y{cd}',
      '{}{62}',
    ];
    for (const k of keys) expect(slotOf(k), k).toBe(calculateSlot(k));
    // Twice, the second time from the tags already seen.
    for (const k of keys) expect(slotOf(k), k).toBe(calculateSlot(k));
  });

  it('agrees with Redis Cluster on random keys with braces in them', () => {
    const rand = prng(7);
    const alphabet = ['{', '}', 'a', '6', '2', ':', '中'];
    for (let i = 0; i < 2000; i++) {
      const k = Array.from({ length: 1 + Math.floor(rand() * 10) }, () => alphabet[Math.floor(rand() * 7)]).join('');
      expect(slotOf(k), k).toBe(calculateSlot(k));
    }
  });
});
