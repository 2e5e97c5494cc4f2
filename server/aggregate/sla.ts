import { z } from 'zod';
import { DISPUTE_CATEGORIES, type DisputeCategory } from '../../shared/vocab.ts';
import type { SlaTable } from './case-state.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Time limits of a dispute: to be dispatched (分流) after receipt, and to be resolved (化解). */
export interface Sla {
  dispatchMs: number;
  resolveMs: number;
}

/**
 * Defaults follow common practice in 综治中心 work: dispatch within a working day, resolution within
 * the 30 days the People's Mediation Law allows (15 for urgent family and neighbour matters).
 */
export const DEFAULT_SLA: Record<DisputeCategory | '*', Sla> = {
  '*': { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  family: { dispatchMs: 12 * HOUR, resolveMs: 15 * DAY },
  neighbour: { dispatchMs: 12 * HOUR, resolveMs: 15 * DAY },
  land: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  labour: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  debt: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  property: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  medical: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
  other: { dispatchMs: 24 * HOUR, resolveMs: 30 * DAY },
};

const slaSchema = z.strictObject({
  dispatchMs: z.number().int().positive(),
  resolveMs: z.number().int().positive(),
});
export const slaTableSchema = z.partialRecord(z.enum([...DISPUTE_CATEGORIES, '*']), slaSchema);

/** The table as the aggregator uses it: `{category: [dispatchMs, resolveMs]}`. */
export function slaTable(table: Partial<Record<DisputeCategory | '*', Sla>> = DEFAULT_SLA): SlaTable {
  const merged = { ...DEFAULT_SLA, ...table };
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, [v.dispatchMs, v.resolveMs] as const]));
}
