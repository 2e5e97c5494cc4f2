import type { FocusTargetInput, WallView } from '../../../../shared/schemas/wall.ts';
import { ApiFailure, ERROR_TEXT } from '../../lib/api.ts';
import type { WallPick, WallsApi } from '../../lib/walls-api.ts';

/** What the console says after an order: done, or the server's reason in Chinese. */
export interface WallNotice {
  kind: 'ok' | 'error';
  text: string;
}

/**
 * The 大屏 panel's state: the walls up in the officer's area (a short list, read again every few
 * seconds while the panel or a picker is open, and after every order), and the orders it gives.
 */
export class WallsState {
  walls = $state.raw<WallView[]>([]);
  loaded = $state(false);
  busy = $state(false);
  notice = $state.raw<WallNotice | null>(null);

  readonly #api: WallsApi;
  #followers = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(api: WallsApi) {
    this.#api = api;
  }

  /** Group names, in the order their walls are listed. */
  get groups(): string[] {
    const names = this.walls.flatMap((w) => (w.group ? [w.group] : []));
    return names.filter((g, i) => names.indexOf(g) === i);
  }

  async load(): Promise<void> {
    try {
      this.walls = await this.#api.list();
      this.loaded = true;
    } catch {
      // Kept as it was: the next read tries again.
    }
  }

  /**
   * Reads the list now and every `everyMs` until the teardown. Whoever looks at it (the 大屏调度
   * panel, a 上墙 picker) follows it; those open together share one timer.
   */
  follow(everyMs = 5000): () => void {
    void this.load();
    if (this.#followers++ === 0) this.#timer = setInterval(() => void this.load(), everyMs);
    return () => {
      if (--this.#followers === 0) clearInterval(this.#timer);
    };
  }

  async #run(what: () => Promise<unknown>, done: string): Promise<boolean> {
    this.busy = true;
    try {
      await what();
      this.notice = { kind: 'ok', text: done };
      return true;
    } catch (err) {
      const text = err instanceof ApiFailure ? (ERROR_TEXT[err.code] ?? err.message) : '推送失败，请重试';
      this.notice = { kind: 'error', text };
      return false;
    } finally {
      this.busy = false;
      void this.load();
    }
  }

  push(pick: WallPick, target: FocusTargetInput): Promise<boolean> {
    return this.#run(() => this.#api.focus(pick, target), '已推送上墙');
  }

  release(pick: WallPick): Promise<boolean> {
    return this.#run(() => this.#api.release(pick), '已恢复大屏轮播');
  }
}
