import { describe, expect, it } from 'vitest';
import { groupByRegion } from '../../../client/src/duty/registry.ts';
import type { Department } from '../../../shared/schemas/department.ts';

const dep = (region: string, name: string): Department => ({
  id: `dep-${region}-${name.length}`,
  region,
  name,
  builtin: true,
});

describe('the dispatch picker', () => {
  it("groups the registry by level, the desk's own first, so 公安局 of the county and of the city differ", () => {
    const groups = groupByRegion([dep('620702', '公安局'), dep('620702', '司法局'), dep('6207', '公安局')]);
    expect(groups.map((g) => [g.region, g.departments.map((d) => d.name)])).toEqual([
      ['620702', ['公安局', '司法局']],
      ['6207', ['公安局']],
    ]);
  });
});
