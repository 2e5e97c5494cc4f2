/**
 * A reply about one region that is not in the socket snapshot (it changes slowly, so it is
 * fetched): now, then every `refreshMs`, sooner again after a failure. The last good reply stays
 * on screen with `failed` set, so a panel can say it is old.
 */
export class FollowedReply<T extends { region: { code: string } }> {
  reply = $state.raw<T | null>(null);
  failed = $state(false);
  readonly #load: (code: string) => Promise<T>;
  readonly #refreshMs: number;
  readonly #retryMs: number;

  constructor(load: (code: string) => Promise<T>, refreshMs = 5 * 60_000, retryMs = 30_000) {
    this.#load = load;
    this.#refreshMs = refreshMs;
    this.#retryMs = retryMs;
  }

  /** Keeps `code`'s reply loaded until the returned teardown is called. */
  follow(code: string): () => void {
    if (this.reply?.region.code !== code) this.reply = null;
    this.failed = false;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      this.#load(code).then(
        (r) => {
          if (!live) return;
          this.reply = r;
          this.failed = false;
          timer = setTimeout(load, this.#refreshMs);
        },
        () => {
          if (!live) return;
          this.failed = true;
          timer = setTimeout(load, this.#retryMs);
        },
      );
    };
    load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }
}
