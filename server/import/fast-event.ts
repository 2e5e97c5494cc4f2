/**
 * The import's fast path for one parsed line: ingest's hand-written check (server/ingest/fast-check.ts)
 * and, when it is sure, the case event zod's output would have become, built straight from the line.
 */
import { stripInvisible } from '../../shared/text.ts';
import type { CaseEvent } from '../aggregate/case-state.ts';
import { sureTime, type FastContext } from '../ingest/fast-check.ts';

export type { FastContext };

/**
 * The case event zod and ingest's checks would make of `raw`, when the fast check is sure `raw` is
 * valid; undefined when it is not sure (then ask validateEvents, which also words the reason).
 */
export function fastEvent(raw: unknown, ctx: FastContext): CaseEvent | undefined {
  const ts = sureTime(raw, ctx);
  if (ts === undefined) return undefined;
  const o = raw as Record<string, string | number | undefined>;
  return {
    id: o.id as string,
    caseId: o.caseId as string,
    k: o.kind === 'incident' ? 'i' : 'd',
    category: o.category as string,
    status: o.status as CaseEvent['status'],
    severity: o.severity as number,
    region: o.region as string,
    channel: o.channel as string,
    ts,
    summary: o.summary === undefined ? '' : stripInvisible(o.summary as string),
  };
}
