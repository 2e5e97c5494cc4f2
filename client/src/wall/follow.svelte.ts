import type { ApiError } from '../../../shared/ack.ts';
import { wallOrderSchema, type WallOrder, type WallView } from '../../../shared/schemas/wall.ts';
import { listen, type WallSocket } from '../lib/socket.ts';

/** The parts of the socket the follower listens on (a test hands in a fake). */
export type FollowSocket = Pick<WallSocket, 'on' | 'off' | 'io'>;

export interface FollowOptions {
  /** Whether this wall's viewer may see a region (its home subtree): an order outside it is ignored. */
  canSee: (code: string) => boolean;
  /** Epoch ms. */
  now?: () => number;
}

/**
 * A named wall's side of 一键上墙: its registration (as the server answered it), and the order it
 * follows now. An order ends by itself at its `until`, whatever becomes of the connection, so a
 * wall is never left on someone else's target; a release ends it only if it is the one followed.
 */
export class WallFollow {
  /** The wall as registered; null before the answer, or when refused (`refusal` says why). */
  registered = $state.raw<WallView | null>(null);
  refusal = $state.raw<ApiError | null>(null);
  order = $state.raw<WallOrder | null>(null);
  /** When the wall took `order` (epoch ms, the page's clock): what a test measures the wall's render from. */
  heardAt = $state(0);
  /** Orders refused here (outside the viewer's area, malformed, already over): for tests and the log. */
  ignored = $state(0);

  readonly #opts: FollowOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: FollowOptions) {
    this.#opts = opts;
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  /** Takes an order pushed by the server, if it is well-formed, in force and within the viewer's area. */
  receive(raw: unknown): boolean {
    const r = wallOrderSchema.safeParse(raw);
    const left = r.success ? Date.parse(r.data.until) - this.#now() : 0;
    if (!r.success || !(left > 0) || !this.#opts.canSee(r.data.target.region)) {
      this.ignored++;
      return false;
    }
    clearTimeout(this.#timer);
    this.order = r.data;
    this.heardAt = this.#now();
    this.#timer = setTimeout(() => this.end(r.data.id), Math.min(left, 2 ** 31 - 1));
    return true;
  }

  /** Stops following `id` (released, or its time is up); another order is left alone. */
  end(id: string): void {
    if (this.order?.id !== id) return;
    clearTimeout(this.#timer);
    this.order = null;
  }

  start(socket: FollowSocket): () => void {
    const unlisten = listen(socket, {
      'wall:registered': (reply) => {
        if (reply?.ok) {
          this.registered = reply.data;
          this.refusal = null;
        } else {
          this.registered = null;
          this.refusal = reply?.error ?? { code: 'internal', message: 'malformed reply' };
        }
      },
      'wall:focus': (order) => void this.receive(order),
      'wall:release': (r) => {
        if (typeof r?.order === 'string') this.end(r.order);
      },
    });
    return () => {
      unlisten();
      clearTimeout(this.#timer);
    };
  }
}
