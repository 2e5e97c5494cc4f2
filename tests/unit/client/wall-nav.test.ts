import { describe, expect, it } from 'vitest';
import { WallNav, type NavWindow } from '../../../client/src/wall/nav.svelte.ts';

/** A browser history in miniature: entries, a cursor, and popstate fired on back. */
function fakeWindow(start: string) {
  const entries: Array<{ url: string; state: unknown }> = [{ url: start, state: null }];
  let at = 0;
  const listeners = new Set<() => void>();
  const win: NavWindow = {
    location: {
      get href() {
        return entries[at]!.url;
      },
    },
    history: {
      get state() {
        return entries[at]!.state;
      },
      pushState(state: unknown, _unused: string, url?: string | URL | null) {
        entries.splice(at + 1, entries.length, { url: String(url), state });
        at++;
      },
      replaceState(state: unknown, _unused: string, url?: string | URL | null) {
        entries[at] = { url: String(url), state };
      },
      go(delta = 0) {
        at = Math.max(0, Math.min(entries.length - 1, at + delta));
        queueMicrotask(() => listeners.forEach((l) => l()));
      },
    },
    addEventListener: (_type: 'popstate', l: () => void) => listeners.add(l),
    removeEventListener: (_type: 'popstate', l: () => void) => listeners.delete(l),
  };
  return {
    win,
    /** The browser's Back button: false when it would leave the wall (no entry before). */
    back(): boolean {
      if (at === 0) return false;
      at--;
      listeners.forEach((l) => l());
      return true;
    },
    region: () => new URL(entries[at]!.url).searchParams.get('region'),
  };
}

describe('the wall follows the browser Back button', () => {
  it('goes up one level per Back after drilling down from the province to a village, then leaves', () => {
    const b = fakeWindow('http://wall/');
    const nav = new WallNav('62', null, b.win);
    const stop = nav.listen();
    for (const code of ['6207', '620702', '620702001', '620702001001']) nav.go(code);
    expect(nav.code).toBe('620702001001');
    const seen: string[] = [];
    while (b.back()) seen.push(nav.code);
    expect(seen).toEqual(['620702001', '620702', '6207', '62']);
    stop();
  });

  it('goes up through every level between, when it jumped several levels down at once', () => {
    const b = fakeWindow('http://wall/');
    const nav = new WallNav('62', null, b.win);
    const stop = nav.listen();
    nav.go('620702001');
    expect(b.region()).toBe('620702001');
    b.back();
    expect(nav.code).toBe('620702');
    b.back();
    expect(nav.code).toBe('6207');
    stop();
  });

  it('opened deep (?region=620702), still goes up to the home region before leaving', () => {
    const b = fakeWindow('http://wall/?region=620702');
    const nav = new WallNav('62', '620702', b.win);
    const stop = nav.listen();
    expect(nav.code).toBe('620702');
    b.back();
    expect(nav.code).toBe('6207');
    b.back();
    expect(nav.code).toBe('62');
    expect(b.back()).toBe(false);
    stop();
  });

  it('jumps up through the breadcrumb by going back in history, so Back then continues from there', async () => {
    const b = fakeWindow('http://wall/');
    const nav = new WallNav('62', null, b.win);
    const stop = nav.listen();
    nav.go('6207');
    nav.go('620702');
    nav.go('620702001');
    nav.go('6207');
    expect(nav.code).toBe('6207');
    await Promise.resolve();
    expect(b.region()).toBe('6207');
    b.back();
    expect(nav.code).toBe('62');
    expect(b.back()).toBe(false);
    stop();
  });

  it('moves sideways (kiosk rotation, city to city) without piling up history entries', () => {
    const b = fakeWindow('http://wall/');
    const nav = new WallNav('62', null, b.win);
    const stop = nav.listen();
    nav.go('6201');
    nav.go('6202');
    nav.go('6203');
    expect(b.region()).toBe('6203');
    b.back();
    expect(nav.code).toBe('62');
    expect(b.back()).toBe(false);
    stop();
  });

  it('never leaves the home region through a forged history entry', () => {
    const b = fakeWindow('http://wall/?region=6207');
    const nav = new WallNav('6207', '6207', b.win);
    const stop = nav.listen();
    b.win.history.pushState(null, '', 'http://wall/?region=6201');
    b.win.history.pushState(null, '', 'http://wall/?region=6207');
    b.back();
    expect(nav.code).toBe('6207');
    stop();
  });
});

describe('the wall refuses a region it may not or cannot show, and says so', () => {
  it('opened with ?region= outside the user’s area, shows the home region under its own address and says 无权查看该区域', () => {
    const b = fakeWindow('http://wall/?region=6201');
    const nav = new WallNav('6207', '6201', b.win, () => 1000);
    expect(nav.code).toBe('6207');
    expect(b.region()).toBeNull();
    expect(nav.notice).toEqual({ text: '无权查看该区域', at: 1000 });
  });

  it('opened with ?region= that is no region code at all, says 未知区域 and shows the home region', () => {
    const b = fakeWindow('http://wall/?region=abc');
    const nav = new WallNav('62', 'abc', b.win, () => 5);
    expect(nav.code).toBe('62');
    expect(b.region()).toBeNull();
    expect(nav.notice?.text).toBe('未知区域');
  });

  it('says nothing when the address names a region within the user’s area', () => {
    const nav = new WallNav('62', '6207', fakeWindow('http://wall/?region=6207').win);
    expect(nav.notice).toBeNull();
  });

  it('goes home with the address corrected when the server says the region shown does not exist', () => {
    const b = fakeWindow('http://wall/?region=629999');
    const nav = new WallNav('62', '629999', b.win, () => 42);
    expect(nav.code).toBe('629999');
    nav.refuse('629999', 'unknown_region');
    expect(nav.code).toBe('62');
    expect(b.region()).toBeNull();
    expect(nav.notice).toEqual({ text: '未知区域', at: 42 });
    // A refusal of a region no longer shown changes nothing.
    nav.go('6207');
    nav.refuse('629999', 'out_of_scope');
    expect(nav.code).toBe('6207');
  });

  it('goes home and says 无权查看该区域 when the server refuses the region as out of scope', () => {
    const b = fakeWindow('http://wall/?region=6207');
    const nav = new WallNav('62', '6207', b.win, () => 7);
    nav.refuse('6207', 'out_of_scope');
    expect(nav.code).toBe('62');
    expect(b.region()).toBeNull();
    expect(nav.notice?.text).toBe('无权查看该区域');
  });
});
