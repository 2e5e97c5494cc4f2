import { ancestry, isRegionCode, isWithin } from '../../../shared/regions.ts';

/** The parts of `window` navigation needs; a test hands in a fake. */
export interface NavWindow {
  location: { readonly href: string };
  history: Pick<History, 'state' | 'pushState' | 'replaceState' | 'go'>;
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
}

/** What the wall writes into each of its history entries: how many levels below home it is. */
interface NavState {
  pinganDepth: number;
}

/** Why the wall went home instead of showing the region asked for. */
export type Refusal = 'out_of_scope' | 'unknown_region';

/** What the wall tells the room when it refused a region: shown for a few seconds (epoch ms). */
export interface NavNotice {
  text: string;
  at: number;
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  out_of_scope: '无权查看该区域',
  unknown_region: '未知区域',
};

/**
 * Which region the wall shows, mirrored in the address (`?region=`) so a reload or a bookmarked
 * wall comes back to the same place. Users can only go within their home region's subtree.
 *
 * History holds one entry per level from home down to the shown region, so the browser's Back
 * goes up one level (and only leaves the wall from home) instead of leaving at the first press.
 */
export class WallNav {
  code = $state('');
  /** Set when a region asked for was refused: a wall must never show another region under its address. */
  notice = $state.raw<NavNotice | null>(null);
  readonly home: string;
  readonly #win: NavWindow;
  readonly #now: () => number;

  constructor(home: string, requested: string | null, win: NavWindow = window, now: () => number = Date.now) {
    this.home = home;
    this.#win = win;
    this.#now = now;
    this.code = requested && isWithin(requested, home) ? requested : home;
    if (requested && this.code !== requested) this.#say(isRegionCode(requested) ? 'out_of_scope' : 'unknown_region');
    // Opened deep: the levels above are put in front of it, so Back still walks up to home.
    const chain = this.#chain(this.code);
    this.#write(chain[0]!, 'replace');
    for (const c of chain.slice(1)) this.#write(c, 'push');
  }

  canOpen(code: string): boolean {
    return isWithin(code, this.home);
  }

  /**
   * Shows `code`. Down the tree, one history entry per level; up the tree, back through those
   * entries; sideways (the kiosk rotation, a cousin), the current entry is rewritten.
   */
  go(code: string): void {
    if (!this.canOpen(code) || code === this.code) return;
    const from = this.#chain(this.code);
    const to = this.#chain(code);
    this.code = code;
    if (isWithin(code, from.at(-1)!)) {
      for (const c of to.slice(from.length)) this.#write(c, 'push');
    } else if (isWithin(from.at(-1)!, code) && this.#depth() >= from.length - to.length) {
      // The entries below are this region's own ancestors: stepping back keeps Back meaningful.
      this.#win.history.go(to.length - from.length);
    } else {
      this.#write(code, 'replace');
    }
  }

  /**
   * The server would not show `code` (it does not exist, or lies outside the user's area): go home,
   * with the address rewritten, and say why. A refusal of a region no longer shown is stale.
   */
  refuse(code: string, why: Refusal): void {
    if (code !== this.code || code === this.home) return;
    const depth = this.#depth();
    this.code = this.home;
    this.#say(why);
    // Back to the home entry when the levels above were written by us, so Forward is the only way back.
    if (depth > 0) this.#win.history.go(-depth);
    else this.#write(this.home, 'replace');
  }

  /** Follows Back and Forward; returns the teardown. */
  listen(): () => void {
    const onPop = () => {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, dropped
      const requested = new URLSearchParams(this.#win.location.href.split('?')[1]?.split('#')[0] ?? '').get('region');
      this.code = requested && this.canOpen(requested) ? requested : this.home;
    };
    this.#win.addEventListener('popstate', onPop);
    return () => this.#win.removeEventListener('popstate', onPop);
  }

  #say(why: Refusal): void {
    this.notice = { text: REFUSAL_TEXT[why], at: this.#now() };
  }

  /** Home first, down to `code`. */
  #chain(code: string): string[] {
    return ancestry(code).filter((c) => isWithin(c, this.home));
  }

  #depth(): number {
    const s = this.#win.history.state as Partial<NavState> | null;
    return typeof s?.pinganDepth === 'number' ? s.pinganDepth : 0;
  }

  #write(code: string, how: 'push' | 'replace'): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built, written to history, dropped
    const url = new URL(this.#win.location.href);
    if (code === this.home) url.searchParams.delete('region');
    else url.searchParams.set('region', code);
    const state: NavState = { pinganDepth: this.#chain(code).length - 1 };
    if (how === 'push') this.#win.history.pushState(state, '', url);
    else this.#win.history.replaceState(state, '', url);
  }
}
