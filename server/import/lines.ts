import { createReadStream } from 'node:fs';
import type { Hash } from 'node:crypto';

/** Lines of a file, many at a time: `lines[0]` is line `first` (counted from 1). */
export interface LineBatch {
  first: number;
  lines: string[];
}

const NEWLINE = 0x0a;

/**
 * Reads a file in large blocks and splits it into lines without a per-line stream (readline costs
 * more than the parsing of a year's file). A block is cut at its last newline, which is never part
 * of a multi-byte UTF-8 character, so no character is split. Every byte also goes to `hash`.
 */
export async function* readLineBatches(path: string, hash?: Hash): AsyncGenerator<LineBatch> {
  let rest: Buffer = Buffer.alloc(0);
  let next = 1;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    hash?.update(chunk);
    const cut = chunk.lastIndexOf(NEWLINE);
    if (cut < 0) {
      rest = Buffer.concat([rest, chunk]);
      continue;
    }
    const text = (rest.length ? Buffer.concat([rest, chunk.subarray(0, cut)]) : chunk.subarray(0, cut)).toString(
      'utf8',
    );
    rest = Buffer.from(chunk.subarray(cut + 1));
    const lines = text.split('\n');
    yield { first: next, lines };
    next += lines.length;
  }
  if (rest.length) yield { first: next, lines: [rest.toString('utf8')] };
}
