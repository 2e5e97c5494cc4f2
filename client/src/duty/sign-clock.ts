import type { AlertView } from '../../../shared/schemas/alert.ts';

export interface SignClock {
  text: string;
  /** Past the deadline: shown in red. */
  late: boolean;
}

/**
 * What the sign deadline of an unsigned alert says now: `4分钟内签收` before it, `超时 17 分钟`
 * after. The overdue time is the point: at the desk an escalation reached, or at the top desk
 * where nothing escalates any more, "overdue" alone hides whether it is one minute or an hour.
 */
export function signClock(a: Pick<AlertView, 'signBy' | 'signedBy'>, now: number): SignClock | null {
  if (a.signedBy || !a.signBy) return null;
  const left = Date.parse(a.signBy) - now;
  if (!Number.isFinite(left)) return null;
  if (left > 0) return { text: `${Math.ceil(left / 60_000)}分钟内签收`, late: false };
  const minutes = Math.max(1, Math.floor(-left / 60_000));
  const text = minutes < 60 ? `超时 ${minutes} 分钟` : `超时 ${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
  return { text, late: true };
}
