import type { Department } from '../../../shared/schemas/department.ts';

/**
 * The registry a desk may call, by level, in the server's order (its own region first, then each
 * ancestor): the default sets repeat names (公安局 of the county, of the city), so the level shows.
 */
export function groupByRegion(registry: readonly Department[]): { region: string; departments: Department[] }[] {
  const groups = new Map<string, Department[]>();
  for (const d of registry) groups.set(d.region, [...(groups.get(d.region) ?? []), d]);
  return [...groups].map(([region, departments]) => ({ region, departments }));
}
