// The import's scan cut at fixed byte offsets (scan.ts, scanRange on the workers): whatever the
// cut, the ranges' whole lines are the file's lines, each once, in order, numbered as a line-by-line
// reading numbers them (blank lines counted, no line after a final newline), with each line's
// case-id slots and the first foreign region.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cutFile, scanRange } from '../../server/import/scan.ts';
import { slotsOf } from '../../server/import/last-lines.ts';
import { prng } from '../helpers/prng.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-scan-range-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function lines(seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < 400; i++) {
    const r = rand();
    if (r < 0.05) out.push('');
    else if (r < 0.08) out.push('not json at all');
    else if (r < 0.1) out.push(JSON.stringify({ caseId: `长-${i}`, region: '620102', pad: 'x'.repeat(300) }));
    else if (r < 0.12) out.push(`{ "region" : "620102", "caseId" : "c\\u002d${i % 50}" }`);
    else out.push(JSON.stringify({ id: `e${i}`, caseId: `c-${i % 50}`, region: '620702001' }));
  }
  // Two lines of other provinces, one written the unusual way.
  out[77] = `{ "region" : "440103", "caseId" : "c\\u002d7" }`;
  out[201] = JSON.stringify({ id: 'e201', caseId: 'c-1', region: '110101' });
  return out;
}

function expected(all: string[]): { slots: number[]; foreign: number[] } {
  const slots: number[] = [];
  const foreign: number[] = [];
  const pair = new Int32Array(2);
  all.forEach((l, i) => {
    let o: { caseId?: unknown; region?: unknown } = {};
    try {
      o = JSON.parse(l) as typeof o;
    } catch {
      // no case id
    }
    if (typeof o.caseId === 'string') {
      slotsOf(o.caseId, pair, 0);
      slots.push(pair[0]!, pair[1]!);
    } else slots.push(-1, 0);
    if (typeof o.region === 'string' && !o.region.startsWith('62')) foreign.push(i + 1);
  });
  return { slots, foreign };
}

describe('the scan of ranges cut at fixed offsets', () => {
  for (const [name, trailing] of [
    ['a final newline', true],
    ['no final newline', false],
  ] as const)
    it(`finds every line once, in order, with its slots (${name})`, () => {
      const all = lines(trailing ? 1 : 2);
      const file = path.join(dir, `f-${name.length}.ndjson`);
      fs.writeFileSync(file, all.join('\n') + (trailing ? '\n' : ''));
      const size = fs.statSync(file).size;
      const want = expected(all);
      const fd = fs.openSync(file, 'r');
      try {
        for (const cut of [1, 2, 17, 100, 333, 4096, size, size * 2]) {
          let n = 0;
          let next = 0;
          const slots: number[] = [];
          const foreign: number[] = [];
          for (const r of cutFile(size, cut)) {
            const s = scanRange(fd, r, ['62']);
            if (!s.lines) continue;
            expect(s.start, `cut ${cut}`).toBe(next);
            next = s.end;
            for (let i = 0; i < s.lines; i++)
              slots.push(s.slots[2 * i]!, s.slots[2 * i]! < 0 ? 0 : s.slots[2 * i + 1]!);
            if (s.foreign) foreign.push(n + s.foreign.line);
            n += s.lines;
          }
          expect(next, `cut ${cut}`).toBe(size);
          expect(n, `cut ${cut}`).toBe(all.length);
          expect(slots, `cut ${cut}`).toEqual(want.slots);
          // Each range reports its first foreign line: the file's first is among them.
          expect(foreign[0], `cut ${cut}`).toBe(want.foreign[0]);
          expect(want.foreign.length).toBe(2);
        }
      } finally {
        fs.closeSync(fd);
      }
    });
});
