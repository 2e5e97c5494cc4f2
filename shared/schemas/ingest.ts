import { z } from 'zod';
import { count } from './common.ts';

/** One event of a batch that was not kept, and why (each error names its field). */
export const rejectionSchema = z.object({
  /** Position in the batch, from 0. */
  index: z.number().int().nonnegative(),
  /** The event's id when it had a readable one. */
  id: z.string().nullable(),
  errors: z.array(z.string()),
});
export type Rejection = z.infer<typeof rejectionSchema>;

/** The answer of the ingest contract (`POST /api/v1/events`): the good events of a batch are kept. */
export const ingestResultSchema = z.object({
  accepted: count,
  /** Ids already in the log of record: re-sending is a no-op. */
  duplicates: count,
  rejected: z.array(rejectionSchema),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;
