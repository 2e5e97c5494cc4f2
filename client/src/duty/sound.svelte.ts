const MUTE_KEY = 'pingan.duty.muted';

/**
 * The red-alert sound: two short tones made with the Web Audio API (no audio files to serve or
 * cache). Browsers keep an AudioContext suspended until the page is touched; `unlock` is called on
 * the first click or key, and `blocked` tells the console to ask for that click.
 */
export class Beeper {
  muted = $state(readMuted());
  /** Beeps asked for since the page opened (the console shows it; tests read it). */
  count = $state(0);
  blocked = $state(false);
  #ctx: AudioContext | null = null;

  toggle(): void {
    this.muted = !this.muted;
    try {
      localStorage.setItem(MUTE_KEY, this.muted ? '1' : '0');
    } catch {
      /* private mode: the toggle still works for this page */
    }
  }

  /**
   * Starts the audio now, while nothing waits on it: a browser's first AudioContext takes a few
   * hundred milliseconds to start its audio service (372 ms in headless chromium here), and made at
   * the first red alert it held that alert off the screen for as long. It stays suspended until
   * the page is touched (`unlock`).
   */
  prepare(): void {
    this.#context();
  }

  unlock(): void {
    const ctx = this.#context();
    if (ctx && ctx.state === 'suspended') void ctx.resume().then(() => (this.blocked = false));
  }

  /** Two 880 Hz tones of 180 ms, unless muted. */
  beep(): void {
    this.count++;
    if (this.muted) return;
    const ctx = this.#context();
    if (!ctx) return;
    if (ctx.state === 'suspended') {
      this.blocked = true;
      void ctx.resume().then(() => (this.blocked = false));
    }
    const t0 = ctx.currentTime + 0.02;
    for (const start of [t0, t0 + 0.28]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.2);
    }
  }

  close(): void {
    void this.#ctx?.close().catch(() => undefined);
    this.#ctx = null;
  }

  #context(): AudioContext | null {
    if (this.#ctx) return this.#ctx;
    try {
      this.#ctx = new AudioContext();
    } catch {
      return null;
    }
    return this.#ctx;
  }
}

function readMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}
