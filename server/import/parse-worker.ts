/**
 * A parse worker of the import (parse-pool.ts): scans a range of the file (scan.ts), or reads the
 * byte range of a part itself, parses and validates its lines (parse-part.ts) and posts the
 * columns back; typed arrays are moved rather than copied.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parsePart, readText } from './parse-part.ts';
import type { PoolData, PoolJob } from './parse-pool.ts';
import { scanRange } from './scan.ts';

const data = workerData as PoolData;
const regions = new Set(data.regions);
const hasRegion = (code: string) => regions.has(code);
const fd = fs.openSync(data.file, 'r');

parentPort!.on('message', (job: PoolJob) => {
  if (job.scan) {
    const result = scanRange(fd, job, data.provinces);
    parentPort!.postMessage({ index: job.index, result }, [result.slots.buffer as ArrayBuffer]);
    return;
  }
  const result = parsePart(readText(fd, job.start, job.end), job.first, { source: 'import', now: job.now, hasRegion });
  const moved = [result.line.buffer, result.ts.buffer, result.code.buffer] as ArrayBuffer[];
  parentPort!.postMessage({ index: job.index, result }, moved);
});
