/**
 * The import's parse workers: one per core (os.availableParallelism()), each scanning ranges of
 * the file first (scan.ts), then reading, parsing and validating parts of it (whole lines, cut by
 * the scan) while the main thread folds and commits. Parts come back in file order whatever order the workers finish in, and at most two
 * per worker are read ahead, so memory does not grow with the file. With no workers (a file of one
 * part: starting threads would cost more than parsing it) the parts are parsed on this thread by
 * the same code.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { parsePart, readText, type ParsedPart } from './parse-part.ts';
import { scanRange, type Range, type ScannedRange } from './scan.ts';

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
  /** The provinces served (the scan refuses a file with others). */
  provinces: readonly string[];
}

/** A part to parse, or (scan) a range of the file to scan (scan.ts). */
export type PoolJob =
  (Part & { index: number; now: number; scan?: undefined }) | (Range & { index: number; scan: true });
export type PartJob = Extract<PoolJob, { scan?: undefined }>;

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
  parse(parts: readonly Part[], now: number): AsyncGenerator<ParsedPart> {
    if (!this.workers.length) return this.parseHere(parts, now);
    return this.run<ParsedPart>(parts.map((p, index) => ({ ...p, index, now })));
  }

  /** The ranges scanned (scanRange), in the order given. */
  scan(ranges: readonly Range[]): AsyncGenerator<ScannedRange> {
    if (!this.workers.length) return this.scanHere(ranges);
    return this.run<ScannedRange>(ranges.map((r, index) => ({ ...r, index, scan: true })));
  }

  /** The jobs' results, in the order given, keeping every worker busy within the read-ahead bound. */
  private async *run<R>(jobs: PoolJob[]): AsyncGenerator<R> {
    const done = new Map<number, R>();
    const idle = [...this.workers];
    let next = 0;
    const onMessage = (w: Worker) => (m: { index: number; result: R }) => {
      done.set(m.index, m.result);
      idle.push(w);
      this.wake?.();
    };
    const listeners = this.workers.map((w) => {
      const l = onMessage(w);
      w.on('message', l);
      return [w, l] as const;
    });
    try {
      for (let want = 0; want < jobs.length; want++) {
        for (;;) {
          if (this.failure) throw this.failure;
          while (idle.length && next < jobs.length && next - want < this.workers.length * AHEAD_PER_WORKER) {
            idle.pop()!.postMessage(jobs[next]);
            next++;
          }
          const result = done.get(want);
          if (result) {
            done.delete(want);
            yield result;
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

  private async *scanHere(ranges: readonly Range[]): AsyncGenerator<ScannedRange> {
    const fd = fs.openSync(this.data.file, 'r');
    try {
      for (const r of ranges) yield scanRange(fd, r, this.data.provinces);
    } finally {
      fs.closeSync(fd);
    }
  }

  private async *parseHere(parts: readonly Part[], now: number): AsyncGenerator<ParsedPart> {
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
