import { z } from 'zod';

/**
 * Small pieces the reply schemas share. Replies are never parsed by the server; their schemas
 * exist so the types the code uses and the OpenAPI document (server/http/openapi/) come from one
 * source and cannot drift apart.
 */

/** A count of cases, events or reports. */
export const count = z.number().int().nonnegative();

/** A share 0–1, or null when there was nothing to divide. */
export const rate = z.number().min(0).max(1).nullable();

/** A time as the server writes it: ISO 8601 with an offset (Beijing, `+08:00`). */
export const isoTime = z.string();

/** `YYYY-MM`, a Beijing calendar month. */
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM');
