/**
 * A parse worker of the import (parse-pool.ts): reads the byte range of a part of the file itself,
 * parses and validates its lines (parse-part.ts) and posts the columns back, moving the typed
 * arrays rather than copying them.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parsePart, readText } from './parse-part.ts';
import type { PartJob, PoolData } from './parse-pool.ts';

const data = workerData as PoolData;
const regions = new Set(data.regions);
const hasRegion = (code: string) => regions.has(code);
const fd = fs.openSync(data.file, 'r');

parentPort!.on('message', (job: PartJob) => {
  const part = parsePart(readText(fd, job.start, job.end), job.first, { source: 'import', now: job.now, hasRegion });
  const moved = [part.line.buffer, part.ts.buffer, part.code.buffer] as ArrayBuffer[];
  parentPort!.postMessage({ index: job.index, part }, moved);
});
