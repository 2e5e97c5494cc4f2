import { isWithin } from '../../../shared/regions.ts';

/**
 * Which region the wall shows, mirrored in the address (`?region=`) so a reload or a bookmarked
 * wall comes back to the same place. Users can only go within their home region's subtree.
 */
export class WallNav {
  code = $state('');
  readonly home: string;

  constructor(home: string, requested: string | null) {
    this.home = home;
    this.code = requested && isWithin(requested, home) ? requested : home;
  }

  canOpen(code: string): boolean {
    return isWithin(code, this.home);
  }

  go(code: string): void {
    if (!this.canOpen(code) || code === this.code) return;
    this.code = code;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built, written to history, dropped
    const url = new URL(location.href);
    if (code === this.home) url.searchParams.delete('region');
    else url.searchParams.set('region', code);
    history.replaceState(history.state, '', url);
  }
}
