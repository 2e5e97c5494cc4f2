/**
 * The import's parse workers: one per core (os.availableParallelism()), each reading, parsing and
 * validating parts of the file (whole lines, cut by the scan) while the main thread folds and
 * commits. Parts come back in file order whatever order the workers finish in, and at most two
 * per worker are read ahead, so memory does not grow with the file. With no workers (a file of one
 * part: starting threads would cost more than parsing it) the parts are parsed on this thread by
 * the same code.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { parsePart, readText, type ParsedPart } from './parse-part.ts';

/** A byte range of whole lines and the number of its first line. */
export interface Part {
  start: number;
  end: number;
  first: number;
}

export interface PoolData {
  file: string;
  /** Every region code the deployment serves (the workers check regions as ingest does). */
  regions: readonly string[];
}

export interface PartJob extends Part {
  index: number;
  now: number;
}

const AHEAD_PER_WORKER = 2;

export class ParsePool {
  private readonly workers: Worker[];
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(
    private readonly data: PoolData,
    size: number,
  ) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(new URL('./parse-entry.mjs', import.meta.url), { workerData: data });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`import parse worker exited with code ${code}`));
      });
      return w;
    });
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.wake?.();
  }

  /** The parts parsed, in the order given. `now`: the time validation judges the future by. */
  async *parse(parts: readonly Part[], now: number): AsyncGenerator<ParsedPart> {
    if (!this.workers.length) {
      yield* this.parseHere(parts, now);
      return;
    }
    const done = new Map<number, ParsedPart>();
    const idle = [...this.workers];
    let next = 0;
    const onMessage = (w: Worker) => (m: { index: number; part: ParsedPart }) => {
      done.set(m.index, m.part);
      idle.push(w);
      this.wake?.();
    };
    const listeners = this.workers.map((w) => {
      const l = onMessage(w);
      w.on('message', l);
      return [w, l] as const;
    });
    try {
      for (let want = 0; want < parts.length; want++) {
        for (;;) {
          if (this.failure) throw this.failure;
          // Keep every idle worker busy, within the read-ahead bound.
          while (idle.length && next < parts.length && next - want < this.workers.length * AHEAD_PER_WORKER) {
            const job: PartJob = { ...parts[next]!, index: next, now };
            idle.pop()!.postMessage(job);
            next++;
          }
          const part = done.get(want);
          if (part) {
            done.delete(want);
            yield part;
            break;
          }
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
        }
      }
    } finally {
      for (const [w, l] of listeners) w.off('message', l);
    }
  }

  private *parseHere(parts: readonly Part[], now: number): Generator<ParsedPart> {
    const regions = new Set(this.data.regions);
    const hasRegion = (code: string) => regions.has(code);
    const fd = fs.openSync(this.data.file, 'r');
    try {
      for (const p of parts)
        yield parsePart(readText(fd, p.start, p.end), p.first, { source: 'import', now, hasRegion });
    } finally {
      fs.closeSync(fd);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
