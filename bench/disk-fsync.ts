import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hdr from 'hdr-histogram-js';

/**
 * What one fsync costs on the disk the benchmark's Redis writes to (os.tmpdir()): a 4 KiB append
 * then fsync, `n` times. The floor under every answer that `appendfsync always` makes wait.
 */
export function fsyncLatency(n = 200): { p50: number; p99: number; where: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-fsync-'));
  const file = path.join(dir, 'probe');
  const fd = fs.openSync(file, 'a');
  const block = Buffer.alloc(4096, 1);
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000,
    numberOfSignificantValueDigits: 3,
  });
  try {
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      fs.writeSync(fd, block);
      fs.fsyncSync(fd);
      h.recordValue(Math.max(1, Math.round((performance.now() - s) * 1000)));
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, where: os.tmpdir() };
}
