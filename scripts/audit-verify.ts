// `npm run audit:verify [-- --expect <seq>:<hash>]`: checks the audit trail's hash chain, from the
// segments archived under DATA_DIR/audit/ through the entries still in Redis, and exits 0 when
// every entry is intact, 1 naming the first broken link (and its segment file), 2 on a usage or
// connection error.
// Uses REDIS_CLUSTER_NODES or REDIS_URL when set; otherwise the embedded Redis of DATA_DIR (started for the check when the
// server is not running, so the trail can be checked offline too).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { createKeys } from '../server/redis/keys.ts';
import { singleNode, targetFromConfig, type RedisTarget } from '../server/redis/target.ts';
import { connectionReady, openRedis } from '../server/redis/connection.ts';
import { createLogger } from '../server/log.ts';
import { socketPath, startEmbeddedRedis, type EmbeddedRedis } from '../server/redis/embedded.ts';
import { verifyAuditChain } from '../server/audit/verify.ts';

function running(pidFile: string): boolean {
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { expect: { type: 'string' } } });
  const config = loadConfig();
  let embedded: EmbeddedRedis | undefined;
  let target = targetFromConfig(config);
  if (!target) {
    const dir = path.join(config.dataDir, 'redis');
    if (running(path.join(dir, 'redis.pid'))) target = singleNode({ path: socketPath(dir) });
    else {
      if (!fs.existsSync(dir)) {
        console.error(`no data in ${config.dataDir} (set DATA_DIR or REDIS_URL)`);
        return 2;
      }
      embedded = await startEmbeddedRedis({ dir });
      target = singleNode(embedded.connection);
    }
  }
  const check: RedisTarget = { ...target, options: { ...target.options, maxRetriesPerRequest: 2 } };
  const redis = openRedis(check, 'audit-verify', createLogger('warn', false));
  try {
    // A Redis that is not there is a connection error (exit 2), not a wait.
    await Promise.race([connectionReady(redis), new Promise((_, reject) => redis.once('error', reject))]);
    const r = await verifyAuditChain(redis, createKeys(config.regionRoot).prefix, {
      expect: values.expect,
      archiveDir: path.join(config.dataDir, 'audit'),
    });
    if (r.ok) {
      console.log(`audit trail intact: ${r.count} entries (${r.archived} of them archived on disk), head ${r.head}`);
      return 0;
    }
    console.log(`audit trail BROKEN (${r.count} entries read):`);
    for (const p of r.problems.slice(0, 20)) console.log(`  - ${p}`);
    if (r.problems.length > 20) console.log(`  … and ${r.problems.length - 20} more`);
    return 1;
  } finally {
    redis.disconnect();
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
