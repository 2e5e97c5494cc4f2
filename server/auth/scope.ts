import { isWithin } from '../../shared/regions.ts';
import type { Principal } from './tokens.ts';

export { ALERT_ACTORS, TASK_ACTORS } from '../../shared/roles.ts';

/** A user sees its home region's subtree and nothing else. */
export function inScope(p: Pick<Principal, 'region'>, region: string): boolean {
  return isWithin(region, p.region);
}
