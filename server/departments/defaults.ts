import { levelOf } from '../../shared/regions.ts';

/**
 * The default departments of a 矛调中心 (issue 15), by level. They are derived on read, not
 * stored: Gansu alone has 88 counties and 1,403 townships, and twenty-odd departments each would
 * be ~20,000 records that say nothing a table cannot; only what an admin adds is stored.
 * Ids are `dep-<region>-<kind>`, so they are stable and never equal to a name.
 */
const COUNTY: readonly [kind: string, name: string][] = [
  ['police', '公安局'],
  ['justice', '司法局'],
  ['petition', '信访局'],
  ['hrss', '人社局'],
  ['housing', '住建局'],
  ['land', '自然资源局'],
  ['health', '卫健局'],
  ['court', '法院'],
  ['women', '妇联'],
  ['civil', '民政局'],
  ['education', '教育局'],
  ['market', '市场监管局'],
  ['agri', '农业农村局'],
];

const TOWNSHIP: readonly [kind: string, name: string][] = [
  ['township', '乡镇（街道）'],
  ['police', '派出所'],
  ['justice', '司法所'],
  ['grid', '综治中心'],
  ['land', '自然资源所'],
  ['health', '卫生院'],
  ['court', '人民法庭'],
  ['women', '妇联'],
];

export interface DefaultDepartment {
  id: string;
  kind: string;
  name: string;
}

/**
 * The built-in departments of a region: county-like levels (province, city, county) and townships;
 * villages have none, nor has the nation (its ministries are registered, not assumed).
 */
export function defaultDepartments(region: string): DefaultDepartment[] {
  const level = levelOf(region);
  const set = level === 'township' ? TOWNSHIP : level === 'village' || level === 'nation' ? [] : COUNTY;
  return set.map(([kind, name]) => ({ id: `dep-${region}-${kind}`, kind, name }));
}
