// `npm run import -- <file.ndjson> [--chunk-lines N]`: loads history from an NDJSON file of the
// ingest contract (server/import/run.ts). Prints each bad line with its number and reason, then a
// summary. Exit 0: every line imported (or the file already was); 1: some lines were bad (the good
// ones are imported); 2: refused, usage or connection error. Uses REDIS_URL when set, otherwise the
// embedded Redis of DATA_DIR (started for the import when the server is not running).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { socketPath, startEmbeddedRedis, type EmbeddedRedis } from '../server/redis/embedded.ts';
import { singleNode, targetFromConfig } from '../server/redis/target.ts';
import { closeRedis, connectionReady, openRedis } from '../server/redis/connection.ts';
import { createLogger } from '../server/log.ts';
import { loadRegionTree } from '../server/regions/tree.ts';
import { importDepsFor, importHistory } from '../server/import/run.ts';

const SHOWN_BAD_LINES = 1000;

function running(pidFile: string): boolean {
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'chunk-lines': { type: 'string' },
      // Bytes of a part of the file parsed at once, and parse workers: tests make small files use them.
      'part-bytes': { type: 'string' },
      workers: { type: 'string' },
      // For tests that interrupt an import halfway: a pause after each chunk (ms).
      'pause-ms': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('usage: npm run import -- <file.ndjson> [--chunk-lines N]');
    return 2;
  }
  if (!fs.existsSync(file)) {
    console.error(`no such file: ${file}`);
    return 2;
  }
  const config = loadConfig();
  const tree = await loadRegionTree(config.regionRoot, undefined, config.provinces);
  let embedded: EmbeddedRedis | undefined;
  // REDIS_URL or REDIS_CLUSTER_NODES as the server takes them; else the embedded Redis of DATA_DIR.
  let target = targetFromConfig(config);
  if (!target) {
    const dir = path.join(config.dataDir, 'redis');
    if (running(path.join(dir, 'redis.pid'))) target = singleNode({ path: socketPath(dir) });
    else {
      fs.mkdirSync(dir, { recursive: true });
      embedded = await startEmbeddedRedis({ dir });
      target = singleNode(embedded.connection);
    }
  }
  const redis = openRedis(target, 'import', createLogger('warn', false));
  let shown = 0;
  try {
    await connectionReady(redis);
    const r = await importHistory(
      importDepsFor(redis, tree, config.regionRoot, {
        ...(values['chunk-lines'] ? { chunkLines: Number(values['chunk-lines']) } : {}),
        ...(values['pause-ms'] ? { pauseMs: Number(values['pause-ms']) } : {}),
        ...(values['part-bytes'] ? { partBytes: Number(values['part-bytes']) } : {}),
        ...(values.workers ? { workers: Number(values.workers) } : {}),
        onBadLine: (line, reason) => {
          if (shown++ < SHOWN_BAD_LINES) console.error(`line ${line}: ${reason}`);
        },
        onProgress: ({ chunk, chunks }) => {
          if (process.stderr.isTTY) process.stderr.write(`\rchunk ${chunk + 1}/${chunks}`);
        },
      }),
      file,
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (shown > SHOWN_BAD_LINES) console.error(`… and ${shown - SHOWN_BAD_LINES} more bad lines`);
    if (r.refused) {
      console.error(`refused: ${r.refused}`);
      return 2;
    }
    if (r.alreadyImported) {
      console.log(`already imported (finished ${r.alreadyImported}, file sha256 ${r.digest}); nothing changed`);
      return 0;
    }
    const rate = Math.round(r.events / (r.ms / 1000));
    console.log(
      [
        `imported ${file} (sha256 ${r.digest.slice(0, 16)}…, as of ${r.asOf}) in ${(r.ms / 1000).toFixed(1)} s, ${rate} events/s`,
        `  lines ${r.lines}, events ${r.events}, bad lines ${r.badLines}, duplicates ${r.duplicates}, kind conflicts ${r.conflicts}`,
        `  history (months): ${r.history.cases} cases, ${r.history.events} events`,
        `  kept as cases (recent or open): ${r.kept.cases} cases, ${r.kept.events} events`,
        `  skipped, older than the months kept: ${r.skipped.cases} cases, ${r.skipped.events} events`,
        `  chunks ${r.chunks.total}: committed ${r.chunks.committed}, already committed ${r.chunks.alreadyCommitted}`,
      ].join('\n'),
    );
    return r.badLines ? 1 : 0;
  } finally {
    await closeRedis(redis);
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
