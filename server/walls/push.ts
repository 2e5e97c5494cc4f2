import { wallOrderSchema, type WallOrder } from '../../shared/schemas/wall.ts';
import { z } from 'zod';

/**
 * What the wall-order channel (`keys.wallPush`) carries from whichever server took an order to
 * every server's hub, which hands it to the walls' sockets it holds: an order to follow, or
 * releases (each wall with the order it is released from, so a release that crosses a newer
 * order on the wire leaves the newer one standing).
 */
export type WallPush = { kind: 'focus'; order: WallOrder } | { kind: 'release'; releases: WallReleaseItem[] };
export interface WallReleaseItem {
  wall: string;
  order: string;
}

const pushSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('focus'), order: wallOrderSchema }),
  z.object({
    kind: z.literal('release'),
    releases: z.array(z.object({ wall: z.string(), order: z.string() })),
  }),
]);

export function parseWallPush(message: string): WallPush | undefined {
  try {
    const r = pushSchema.safeParse(JSON.parse(message));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
