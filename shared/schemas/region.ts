import { z } from 'zod';
import { LEVELS } from '../regions.ts';

/** Compact region as served by the API and drawn by the client. */
export const regionRefSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(LEVELS),
});
export type RegionRef = z.infer<typeof regionRefSchema>;

/** `GET /api/v1/regions/:code`: a region, its ancestors and its children. */
export const regionInfoSchema = regionRefSchema.extend({
  /** Root-first codes from the province down to this region. */
  path: z.array(z.string()),
  /** Root-first ancestors with names, for the breadcrumb. */
  ancestors: z.array(regionRefSchema),
  children: z.array(regionRefSchema),
  /** Whether a boundary file with this region's children exists (province and cities). */
  hasMap: z.boolean(),
  /** Label point [lng, lat], when known. */
  center: z.tuple([z.number(), z.number()]).optional(),
});
export type RegionInfo = z.infer<typeof regionInfoSchema>;

/** A region code of any level (2, 4, 6, 9 or 12 digits); whether it exists is the server's to say. */
export const regionCodeSchema = z.string().regex(/^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$/, 'must be a region code');
