import { isWithin } from '../../shared/regions.ts';
import type { Role } from '../../shared/schemas/user.ts';
import type { Principal } from './tokens.ts';

/** A user sees its home region's subtree and nothing else. */
export function inScope(p: Pick<Principal, 'region'>, region: string): boolean {
  return isWithin(region, p.region);
}

/** Who may act on alerts (sign, dispatch, resolve …): not walls, which only read. */
export const ALERT_ACTORS: readonly Role[] = ['duty', 'commander', 'admin'];
