/**
 * An unattended wall picks up a new client by itself. The build stamps index.html with
 * `<meta name="build-id">` and writes the same id to `/version.json` (scripts/build-id-plugin.ts);
 * the wall polls that file and reloads when the served id is not its own.
 *
 * It reloads only into a build that is really there: the served index.html must carry the new id
 * and its entry script must load, so a deploy caught half-copied (version.json already new, the
 * chunks not yet) is simply seen again at the next check. A reload that did not bring the new id
 * (a cache in the way) is not repeated for the same id within an hour, so a wall never reloads in a loop.
 */

export const VERSION_URL = '/version.json';
/** How often the wall asks, besides on every socket (re)connect. */
export const VERSION_POLL_MS = 5 * 60_000;
const META = 'build-id';
const TRIED_KEY = 'pingan:reloaded-for';
/** After a reload that did not bring the new id, how long before trying that id again. */
const RETRY_SAME_ID_MS = 60 * 60_000;

/** The id of the code this page runs; null in the dev server (no stamped index.html). */
export function currentBuildId(doc: Document = document): string | null {
  return doc.querySelector<HTMLMetaElement>(`meta[name="${META}"]`)?.content || null;
}

/** The build id in an index.html, or null. */
export function buildIdOf(html: string): string | null {
  return /<meta\s+name="build-id"\s+content="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** The entry module an index.html loads (`/assets/index-….js`), or null. */
export function entryScriptOf(html: string): string | null {
  return /<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** What one check found. */
export type VersionCheck =
  | 'same'
  /** Could not tell (offline, 404, a malformed reply): asked again later. */
  | 'unknown'
  /** A new id, but its index.html or entry script is not served yet. */
  | 'incomplete'
  /** A new build, but someone is using the screen: reloaded at a later check. */
  | 'deferred'
  /** Reloaded for this id within the hour and still not running it: not again yet. */
  | 'given-up'
  | 'reloading';

export interface VersionWatchDeps {
  /** The running page's build id (`currentBuildId()`). */
  current: string;
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  reload: () => void;
  /** False while someone is using the screen. */
  idle?: () => boolean;
  /** Remembers the id a reload was made for and when, across the reload (sessionStorage). */
  memory?: ReloadMemory;
  everyMs?: number;
  now?: () => number;
}

export interface ReloadMemory {
  get(): { id: string; at: number } | null;
  set(id: string, at: number): void;
}

export class VersionWatch {
  readonly #deps: VersionWatchDeps;
  #checking: Promise<VersionCheck> | null = null;

  constructor(deps: VersionWatchDeps) {
    this.#deps = deps;
  }

  /** One check; concurrent calls (a reconnect during a poll) share it. */
  check(): Promise<VersionCheck> {
    this.#checking ??= this.#check().finally(() => (this.#checking = null));
    return this.#checking;
  }

  async #check(): Promise<VersionCheck> {
    const d = this.#deps;
    const served = await this.#servedId();
    if (served === null) return 'unknown';
    if (served === d.current) return 'same';
    const now = d.now?.() ?? Date.now();
    const tried = d.memory?.get();
    if (tried && tried.id === served && now - tried.at < RETRY_SAME_ID_MS) return 'given-up';
    if (!(await this.#deployed(served))) return 'incomplete';
    if (d.idle && !d.idle()) return 'deferred';
    d.memory?.set(served, now);
    d.reload();
    return 'reloading';
  }

  async #servedId(): Promise<string | null> {
    try {
      const res = await this.#deps.fetch(VERSION_URL, { cache: 'no-store' });
      if (!res.ok) return null;
      const body = (await res.json()) as { id?: unknown } | null;
      return typeof body?.id === 'string' && body.id.length > 0 ? body.id : null;
    } catch {
      return null;
    }
  }

  /** The page a reload would get carries `id`, and the script it starts with is served. */
  async #deployed(id: string): Promise<boolean> {
    try {
      const page = await this.#deps.fetch('/', { cache: 'no-store' });
      if (!page.ok) return false;
      const html = await page.text();
      const entry = entryScriptOf(html);
      if (buildIdOf(html) !== id || !entry) return false;
      const script = await this.#deps.fetch(entry, { method: 'HEAD', cache: 'no-store' });
      return script.ok;
    } catch {
      return false;
    }
  }

  /** Polls every `everyMs` (5 min); returns the teardown. */
  start(): () => void {
    const timer = setInterval(() => void this.check(), this.#deps.everyMs ?? VERSION_POLL_MS);
    return () => clearInterval(timer);
  }
}

/** sessionStorage memory of the id last reloaded for (forgetful when storage is unavailable). */
export function sessionMemory(storage: Storage | undefined = globalThis.sessionStorage): ReloadMemory {
  return {
    get: () => {
      try {
        const v = JSON.parse(storage?.getItem(TRIED_KEY) ?? 'null') as { id?: unknown; at?: unknown } | null;
        return typeof v?.id === 'string' && typeof v.at === 'number' ? { id: v.id, at: v.at } : null;
      } catch {
        return null;
      }
    },
    set: (id, at) => {
      try {
        storage?.setItem(TRIED_KEY, JSON.stringify({ id, at }));
      } catch {
        // Private mode or full: the loop guard is lost, the reload still happens.
      }
    },
  };
}

/** How long after the last touch, click or key the screen counts as unattended again. */
const IDLE_AFTER_MS = 60_000;

/**
 * The wall's auto-update: polls every 5 minutes and at every (re)connect of the socket (a server
 * restart is the usual sign of a deploy), and reloads into a new build only while nobody is using
 * the screen. Nothing happens in the dev server. Returns the teardown.
 */
export function startAutoUpdate(
  onConnect: (listener: () => void) => () => void,
  target: EventTarget = window,
): () => void {
  const current = currentBuildId();
  if (!current) return () => {};
  let lastActivity = 0;
  const onActivity = () => (lastActivity = Date.now());
  const events = ['pointerdown', 'keydown', 'wheel'] as const;
  for (const e of events) target.addEventListener(e, onActivity, { passive: true });
  const watch = new VersionWatch({
    current,
    fetch: (url, init) => fetch(url, init),
    reload: () => location.reload(),
    idle: () => Date.now() - lastActivity >= IDLE_AFTER_MS,
    memory: sessionMemory(),
  });
  const stopPolling = watch.start();
  const stopListening = onConnect(() => void watch.check());
  return () => {
    stopListening();
    stopPolling();
    for (const e of events) target.removeEventListener(e, onActivity);
  };
}
