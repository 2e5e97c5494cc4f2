import { isWithin } from '../../shared/regions.ts';

/**
 * 挂牌督办 (DESIGN.md "Departments and supervision"), the rule alerts and problems share: only a
 * level strictly above the item's desk may list it, and a deadline, when given, lies ahead.
 */
export type SupervisionRefusal = 'own_desk' | 'not_above' | 'deadline_past';

/** Why the level `supervisor` may not supervise an item at `desk` with this deadline (ms), or undefined. */
export function supervisionRefusal(
  desk: string,
  supervisor: string,
  deadline: number | undefined,
  now: number,
): SupervisionRefusal | undefined {
  if (desk === supervisor) return 'own_desk';
  if (!isWithin(desk, supervisor)) return 'not_above';
  if (deadline !== undefined && deadline <= now) return 'deadline_past';
  return undefined;
}
