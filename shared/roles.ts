/**
 * Roles of user accounts, one list for server and client (DESIGN.md "Access"). A `department`
 * account is bound to one registry department of its home region and sees only that
 * department's tasks: no wall, no admin route.
 */
export const ROLES = ['wall', 'duty', 'commander', 'admin', 'department'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  wall: '大屏',
  duty: '值班员',
  commander: '指挥长',
  admin: '管理员',
  department: '职能部门',
};

/** Who may act on alerts at a desk (sign, dispatch, resolve …): not walls, which only read, nor departments. */
export const ALERT_ACTORS: readonly Role[] = ['duty', 'commander', 'admin'];

/** Who may report in, feed back and ask for help on a task: the department itself, or a desk on its behalf. */
export const TASK_ACTORS: readonly Role[] = [...ALERT_ACTORS, 'department'];

/** Who may put things up on walls and release them (一键上墙, DESIGN: a duty officer or a commander). */
export const WALL_COMMANDERS: readonly Role[] = ['duty', 'commander'];
