import { describe, expect, it, vi } from 'vitest';
import {
  buildIdOf,
  entryScriptOf,
  VersionWatch,
  type ReloadMemory,
  type VersionWatchDeps,
} from '../../../client/src/lib/version.ts';
import { createWallSocket } from '../../../client/src/lib/socket.ts';

/** index.html as the build writes it (scripts/build-id-plugin.ts). */
const page = (id: string, entry = '/assets/index-abc.js') =>
  `<!doctype html><html><head><script type="module" crossorigin src="${entry}"></script>` +
  `<meta name="build-id" content="${id}" /></head><body><div id="app"></div></body></html>`;

/** A server whose files the test changes: path → body (missing path: 404). */
function site(files: Record<string, string>) {
  const requests: string[] = [];
  const fetch = vi.fn(async (url: string) => {
    requests.push(url);
    const body = files[url];
    return body === undefined ? new Response('not found', { status: 404 }) : new Response(body, { status: 200 });
  });
  return { files, fetch, requests };
}

function memory(): ReloadMemory & { value: { id: string; at: number } | null } {
  return {
    value: null,
    get() {
      return this.value;
    },
    set(id, at) {
      this.value = { id, at };
    },
  };
}

function watch(s: ReturnType<typeof site>, extra: Partial<VersionWatchDeps> = {}) {
  const reload = vi.fn();
  const w = new VersionWatch({ current: 'old', fetch: s.fetch, reload, memory: memory(), ...extra });
  return { w, reload };
}

describe('reading a build out of index.html', () => {
  it('finds the build id and the entry script the page starts with', () => {
    expect(buildIdOf(page('abc123'))).toBe('abc123');
    expect(entryScriptOf(page('x', '/assets/index-Zz_9.js'))).toBe('/assets/index-Zz_9.js');
    expect(buildIdOf('<html></html>')).toBeNull();
  });
});

describe('the wall picking up a new client', () => {
  it('stays when the served build is its own', async () => {
    const s = site({ '/version.json': '{"id":"old"}' });
    const { w, reload } = watch(s);
    expect(await w.check()).toBe('same');
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads when a new build is fully deployed', async () => {
    const s = site({ '/version.json': '{"id":"new"}', '/': page('new'), '/assets/index-abc.js': '' });
    const { w, reload } = watch(s);
    expect(await w.check()).toBe('reloading');
    expect(reload).toHaveBeenCalledTimes(1);
    expect(s.requests).toEqual(['/version.json', '/', '/assets/index-abc.js']);
  });

  it('does not reload into a half-copied deploy: new version.json, old page or missing script', async () => {
    const s = site({ '/version.json': '{"id":"new"}', '/': page('old') });
    const { w, reload } = watch(s);
    expect(await w.check()).toBe('incomplete');
    s.files['/'] = page('new');
    expect(await w.check()).toBe('incomplete'); // the entry script is not served yet
    s.files['/assets/index-abc.js'] = '';
    expect(await w.check()).toBe('reloading');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does nothing when it cannot tell: server down, 404, or a reply that is not a version', async () => {
    const down = { fetch: vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))), reload: vi.fn() };
    expect(await new VersionWatch({ current: 'old', ...down }).check()).toBe('unknown');
    for (const body of [undefined, 'not json', '{"id":""}', '{"id":42}', 'null']) {
      const s = site(body === undefined ? {} : { '/version.json': body });
      const { w, reload } = watch(s);
      expect(await w.check()).toBe('unknown');
      expect(reload).not.toHaveBeenCalled();
    }
  });

  it('waits while someone is using the screen, and reloads once it is left alone', async () => {
    const s = site({ '/version.json': '{"id":"new"}', '/': page('new'), '/assets/index-abc.js': '' });
    let idle = false;
    const { w, reload } = watch(s, { idle: () => idle });
    expect(await w.check()).toBe('deferred');
    expect(reload).not.toHaveBeenCalled();
    idle = true;
    expect(await w.check()).toBe('reloading');
  });

  it('does not reload in a loop when a reload did not bring the new build, and tries again after an hour', async () => {
    const s = site({ '/version.json': '{"id":"new"}', '/': page('new'), '/assets/index-abc.js': '' });
    const mem = memory();
    let now = 1_000_000;
    const { w, reload } = watch(s, { memory: mem, now: () => now });
    expect(await w.check()).toBe('reloading');
    // The page came back still running "old" (a cache in the way): the same memory survives it.
    const after = watch(s, { memory: mem, now: () => now });
    expect(await after.w.check()).toBe('given-up');
    now += 61 * 60_000;
    expect(await after.w.check()).toBe('reloading');
    expect(reload.mock.calls.length + after.reload.mock.calls.length).toBe(2);
  });

  it('shares one check between a poll and a reconnect arriving together', async () => {
    const s = site({ '/version.json': '{"id":"old"}' });
    const { w } = watch(s);
    const [a, b] = await Promise.all([w.check(), w.check()]);
    expect([a, b]).toEqual(['same', 'same']);
    expect(s.fetch).toHaveBeenCalledTimes(1);
  });

  it('polls every five minutes until torn down', async () => {
    vi.useFakeTimers();
    try {
      const s = site({ '/version.json': '{"id":"old"}' });
      const { w } = watch(s);
      const stop = w.start();
      await vi.advanceTimersByTimeAsync(4 * 60_000);
      expect(s.fetch).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(s.fetch).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(s.fetch).toHaveBeenCalledTimes(2);
      stop();
      await vi.advanceTimersByTimeAsync(30 * 60_000);
      expect(s.fetch).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a visitor-facing wall (?public=1)', () => {
  const authOf = (socket: ReturnType<typeof createWallSocket>) =>
    new Promise<object>((resolve) => (socket.auth as (cb: (d: object) => void) => void)(resolve));

  it('asks the server for masked data in the handshake', async () => {
    expect(await authOf(createWallSocket(() => 't', { public: true }))).toEqual({ token: 't', public: true });
  });

  it('does not ask for it on an ordinary wall', async () => {
    expect(await authOf(createWallSocket(() => 't'))).toEqual({ token: 't' });
  });
});
