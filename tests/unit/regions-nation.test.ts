import { describe, expect, it } from 'vitest';
import { ancestry, isWithin, levelOf, NATION, parentOf, provinceAncestry, provinceOf } from '../../shared/regions.ts';
import { inScope } from '../../server/auth/scope.ts';
import { createKeyRing } from '../../server/redis/keys.ts';

describe('the nation 00 in the region codes', () => {
  it('is its own level, the parent of every province and the ancestor of every code', () => {
    expect(levelOf(NATION)).toBe('nation');
    expect(levelOf('62')).toBe('province');
    expect(parentOf('62')).toBe(NATION);
    expect(parentOf('44')).toBe(NATION);
    expect(parentOf(NATION)).toBeUndefined();
    expect(ancestry('620702001001')).toEqual(['00', '62', '6207', '620702', '620702001', '620702001001']);
    expect(provinceAncestry('620702')).toEqual(['62', '6207', '620702']);
    expect(provinceOf('440106')).toBe('44');
    expect(provinceOf(NATION)).toBeUndefined();
  });

  it('scopes: a national user sees every province; a province user neither the nation nor another province', () => {
    const national = { region: NATION };
    const gansu = { region: '62' };
    for (const code of ['00', '62', '44', '440106', '110101001001']) expect(inScope(national, code), code).toBe(true);
    expect(inScope(gansu, '00')).toBe(false);
    expect(inScope(gansu, '44')).toBe(false);
    expect(inScope(gansu, '440106')).toBe(false);
    expect(inScope(gansu, '620702')).toBe(true);
    expect(isWithin('6', NATION)).toBe(false);
  });

  it("routes a region to its province's keys, the nation to the deployment's own", () => {
    const ring = createKeyRing(NATION, ['44', '62']);
    expect(ring.of('620702001').events).toBe('pa:{62}:events');
    expect(ring.of('4401').day('4401', 1)).toBe('pa:{44}:day:4401:1');
    expect(ring.of(NATION).prefix).toBe('pa:{00}:');
    expect(ring.root.prefix).toBe('pa:{00}:');
    expect(createKeyRing('62').of('620702').prefix).toBe('pa:{62}:');
  });
});
