/**
 * Kiosk rotation (`?kiosk=1`): an unattended wall shows its home region, then each child region in
 * turn, then home again, one step per interval. Any touch, click or key pauses the rotation for a
 * while so a leader drilling down is not pulled away.
 */
export interface KioskDeps {
  home: string;
  /** The home region's children, in display order (may be empty until loaded). */
  children: () => readonly string[];
  current: () => string;
  go: (code: string) => void;
  intervalMs?: number;
  pauseMs?: number;
  now?: () => number;
}

export class KioskRotation {
  readonly #deps: KioskDeps;
  #pausedUntil = 0;

  constructor(deps: KioskDeps) {
    this.#deps = deps;
  }

  /** The region after `current` in the round home → child 1 → … → child n → home. */
  next(current: string): string {
    const kids = this.#deps.children();
    if (kids.length === 0) return this.#deps.home;
    if (current === this.#deps.home) return kids[0]!;
    const i = kids.indexOf(current);
    return i >= 0 && i + 1 < kids.length ? kids[i + 1]! : this.#deps.home;
  }

  step(): void {
    const now = this.#deps.now?.() ?? Date.now();
    if (now < this.#pausedUntil) return;
    const target = this.next(this.#deps.current());
    if (target !== this.#deps.current()) this.#deps.go(target);
  }

  pause(): void {
    this.#pausedUntil = (this.#deps.now?.() ?? Date.now()) + (this.#deps.pauseMs ?? 120_000);
  }

  /** Starts the timer and listens for user activity; returns the teardown. */
  start(target: EventTarget = window): () => void {
    const timer = setInterval(() => this.step(), this.#deps.intervalMs ?? 30_000);
    const onActivity = () => this.pause();
    const events = ['pointerdown', 'keydown', 'wheel'] as const;
    for (const e of events) target.addEventListener(e, onActivity, { passive: true });
    return () => {
      clearInterval(timer);
      for (const e of events) target.removeEventListener(e, onActivity);
    };
  }
}
