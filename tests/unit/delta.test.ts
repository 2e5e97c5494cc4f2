import { describe, expect, it } from 'vitest';
import { applyChanges, diff, diffValues, flatten } from '../../shared/delta.ts';
import { prng } from '../helpers/prng.ts';

/** Random JSON-like trees with few keys, so two draws often share shape and differ in places. */
function tree(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth === 0 || r < 0.3) return [0, 1, 2, 'a', 'b', null, true][Math.floor(rand() * 7)];
  if (r < 0.45) return rand() < 0.5 ? [] : {};
  const n = 1 + Math.floor(rand() * 4);
  if (r < 0.7) return Array.from({ length: n }, () => tree(rand, depth - 1));
  return Object.fromEntries(Array.from({ length: n }, () => [`k${Math.floor(rand() * 5)}`, tree(rand, depth - 1)]));
}

describe('diffValues', () => {
  it('gives exactly the changes of diff(flatten, flatten) for random trees', () => {
    const rand = prng(11);
    for (let i = 0; i < 3000; i++) {
      const before = tree(rand, 4);
      const after = rand() < 0.3 ? structuredClone(before) : tree(rand, 4);
      expect(diffValues(before, after, 's', {})).toEqual(diff(flatten(before, 's'), flatten(after, 's')));
    }
  });

  it('turns the earlier object into the later one when applied', () => {
    const before = { counts: { today: { incident: 3, byStatus: { reported: 2, closed: 1 } } }, hourly: [1, 2, 3] };
    const after = { counts: { today: { incident: 4, byStatus: { reported: 4 } } }, hourly: [1, 2] };
    const changes = diffValues(before, after, '', {});
    expect(changes).toEqual({
      'counts.today.incident': 4,
      'counts.today.byStatus.reported': 4,
      'counts.today.byStatus.closed': null,
      'hourly.2': null,
    });
    expect(applyChanges(structuredClone(before), changes)).toEqual(after);
  });

  it('fills an empty object or list that gains its first entries, after the trip over the wire', () => {
    const before = { counts: { today: { incident: 0, byCategory: {} } }, hourly: [] as number[] };
    const after = { counts: { today: { incident: 30, byCategory: { public_order: 30 } } }, hourly: [30] };
    const sent = JSON.parse(JSON.stringify(diffValues(before, after, '', {}))) as Record<string, null | number>;
    expect(applyChanges(structuredClone(before), sent)).toEqual(after);
  });
});
