import { z } from 'zod';
import { PIPELINE_STATES } from '../events.ts';

/** `GET /healthz`: the process is alive (it answers without asking Redis). */
export const healthReplySchema = z.object({ ok: z.literal(true) });

/** `GET /readyz`: 200 when this node can serve, 503 with the same body saying what is missing. */
export const readyReplySchema = z.object({
  ok: z.boolean(),
  /** Redis answered a ping. */
  redis: z.boolean(),
  /** This process's aggregator is running (always true with `AGGREGATOR=off`). */
  aggregator: z.boolean(),
  /**
   * How far the aggregators are behind (DESIGN.md "Outside surfaces"); it never makes the node
   * unready: the whole stream lags at once.
   */
  pipeline: z.object({
    state: z.enum(PIPELINE_STATES),
    lagEntries: z.number().int().nonnegative(),
    oldestAgeSeconds: z.number().nonnegative(),
  }),
  /** With a 503: what this node is missing. */
  reason: z.string().optional(),
});
export type ReadyReply = z.infer<typeof readyReplySchema>;
