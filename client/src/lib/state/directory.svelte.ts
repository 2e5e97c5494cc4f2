import { SvelteMap } from 'svelte/reactivity';
import type { RegionInfo, RegionRef } from '../../../../shared/regions.ts';
import { ancestry, isWithin } from '../../../../shared/regions.ts';

/** At most this many region names are kept; a wall that visits every village must not grow forever. */
const MAX_NAMES = 5000;
const MAX_INFOS = 200;

/**
 * Region names and infos fetched from `GET /api/v1/regions/:code`, cached. Alerts and ticker
 * items name regions anywhere in the subtree; their paths are shown as names, which are looked
 * up lazily (deduplicated) and re-render when they arrive.
 */
export class RegionDirectory {
  readonly #names = new SvelteMap<string, string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a request cache; nothing renders from it
  readonly #infos = new Map<string, Promise<RegionInfo>>();
  readonly #load: (code: string) => Promise<RegionInfo>;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping of lookups in flight, not state
  readonly #missing = new Set<string>();
  readonly #queue: string[] = [];
  #active = 0;

  constructor(load: (code: string) => Promise<RegionInfo>) {
    this.#load = load;
  }

  /** The region's info (cached, including failures' retries on the next call). */
  info(code: string): Promise<RegionInfo> {
    let p = this.#infos.get(code);
    if (!p) {
      p = this.#load(code).then((info) => {
        this.seed(info);
        return info;
      });
      p.catch(() => this.#infos.delete(code));
      if (this.#infos.size >= MAX_INFOS) this.#infos.clear();
      this.#infos.set(code, p);
    }
    return p;
  }

  /** Records the names an info carries: itself, its ancestors and its children. */
  seed(info: RegionInfo): void {
    const refs: RegionRef[] = [...info.ancestors, info, ...info.children];
    if (this.#names.size + refs.length > MAX_NAMES) this.#names.clear();
    for (const r of refs) if (this.#names.get(r.code) !== r.name) this.#names.set(r.code, r.name);
  }

  /** A name if known (reactive: re-renders when it arrives). */
  name(code: string): string | undefined {
    return this.#names.get(code);
  }

  /**
   * Names from just below `from` down to `code`, e.g. 张掖市 › 甘州区 › 梁家墩镇 for a province wall.
   * Unknown names show as their codes until they arrive; one request for the deepest code brings
   * all of them (its info carries its ancestors).
   */
  pathBelow(code: string, from: string): string[] {
    const codes = ancestry(code).filter((c) => c !== from && (!from || isWithin(c, from)));
    const names = codes.map((c) => this.#names.get(c));
    if (names.some((n) => n === undefined)) this.#request(code);
    return names.map((n, i) => n ?? codes[i]!);
  }

  #request(code: string): void {
    if (this.#missing.has(code)) return;
    this.#missing.add(code);
    this.#queue.push(code);
    // Deferred: this is called while rendering, where state must not change synchronously.
    queueMicrotask(() => this.#pump());
  }

  /** Few lookups at a time, so a list of fifty new alerts does not fire fifty requests at once. */
  #pump(): void {
    while (this.#active < 4 && this.#queue.length) {
      const code = this.#queue.shift()!;
      this.#active++;
      this.info(code)
        .then(
          () => this.#missing.delete(code),
          // A failed lookup is retried later, not in a loop.
          () => setTimeout(() => this.#missing.delete(code), 30_000),
        )
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}
