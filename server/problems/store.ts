import type { RedisClient } from '../redis/connection.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import { hashesBySlot } from '../redis/by-slot.ts';
import { ancestry } from '../../shared/regions.ts';
import type { ProblemKeys } from '../redis/keys.ts';
import { departmentsOf, type StoredEntry, type StoredProblem } from './model.ts';

const STAR_FIELDS = ['open', 'stars'] as const;

/** No deadline sorts last in a supervision list. */
const NO_DEADLINE = 2 ** 53 - 1;

/**
 * Commits a problem only if its version is still the one it was read at ('' = not there yet), so a
 * step computed from a stale read is refused and recomputed. KEYS[1] problem hash, KEYS[2]
 * history, KEYS[3…] the index keys the ops name by position; ARGV[1] expected version, ARGV[2]
 * the document, ARGV[3] the ops (JSON `[op, key index, a, b?]`), ARGV[4…] history lines.
 * Scores travel as strings: cjson would print epoch milliseconds in exponent form.
 */
const COMMIT_LUA = defineLua(
  'problemCommit',
  `
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring((tonumber(v) or 0) + 1), 'doc', ARGV[2])
for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for _, op in ipairs(cjson.decode(ARGV[3])) do
  local k = KEYS[op[2]]
  if op[1] == 'zadd' then redis.call('ZADD', k, op[3], op[4])
  elseif op[1] == 'zrem' then redis.call('ZREM', k, op[3])
  elseif op[1] == 'hincr' then redis.call('HINCRBY', k, op[3], op[4]) end
end
return 1
`,
);

type Op = ['zadd', string, string, string] | ['zrem', string, string] | ['hincr', string, string, number];

export const dueMember = (id: string, n: number) => `${id}\n${n}`;

/**
 * What the indexes must change for a problem going from `before` to `after`: subtree lists, stars
 * per region, department lists, milestone deadlines and supervision. Every change is derived from
 * the two states, so the indexes can never say something the documents do not.
 */
export function indexOps(k: ProblemKeys, before: StoredProblem | undefined, after: StoredProblem): Op[] {
  const ops: Op[] = [];
  const id = after.id;
  const regions = ancestry(after.region);
  const wasOpen = before?.state === 'open';
  const isOpen = after.state === 'open';
  for (const r of regions) {
    if (!before) ops.push(['zadd', k.index(r, 'all'), String(after.createdAt), id]);
    if (isOpen && !wasOpen) ops.push(['zadd', k.index(r, 'open'), String(after.createdAt), id]);
    if (!isOpen && wasOpen) {
      ops.push(['zrem', k.index(r, 'open'), id]);
      ops.push(['zadd', k.index(r, 'closed'), String(after.struckAt ?? after.updatedAt), id]);
    }
    const openDelta = Number(isOpen) - Number(wasOpen);
    if (openDelta) ops.push(['hincr', k.stars(r), 'open', openDelta]);
    const starDelta = (isOpen ? after.stars : 0) - (wasOpen ? before.stars : 0);
    if (starDelta) ops.push(['hincr', k.stars(r), 'stars', starDelta]);
  }
  const known = new Set(before ? departmentsOf(before) : []);
  for (const d of departmentsOf(after))
    if (!known.has(d)) ops.push(['zadd', k.department(d), String(after.createdAt), id]);
  after.milestones.forEach((m, i) => {
    const b = before?.milestones[i];
    const waiting = (x: typeof m | undefined) => !!x && x.state === 'open' && x.overdueAt === undefined && isOpen;
    if (waiting(m) && !waiting(b)) ops.push(['zadd', k.due, String(m.deadline), dueMember(id, m.n)]);
    if (!waiting(m) && waiting(b)) ops.push(['zrem', k.due, dueMember(id, m.n)]);
  });
  if (after.supervision && !before?.supervision)
    ops.push(['zadd', k.supervised(after.supervision.region), String(after.supervision.deadline ?? NO_DEADLINE), id]);
  return ops;
}

/** The one owner of the stored problem: documents, histories and their indexes. */
export class ProblemStore {
  constructor(
    private readonly redis: RedisClient,
    readonly keys: ProblemKeys,
  ) {}

  /** The problem and the version it was read at, or undefined. */
  async read(id: string): Promise<{ problem: StoredProblem; version: string } | undefined> {
    const [v, doc] = await this.redis.hmget(this.keys.problem(id), 'v', 'doc');
    return v && doc ? { problem: JSON.parse(doc) as StoredProblem, version: v } : undefined;
  }

  async readMany(ids: string[]): Promise<StoredProblem[]> {
    if (!ids.length) return [];
    const tx = this.redis.multi();
    for (const id of ids) tx.hget(this.keys.problem(id), 'doc');
    const replies = (await tx.exec()) ?? [];
    return replies.flatMap(([err, doc]) => (!err && typeof doc === 'string' ? [JSON.parse(doc) as StoredProblem] : []));
  }

  async history(id: string): Promise<StoredEntry[]> {
    return (await this.redis.lrange(this.keys.history(id), 0, -1)).map((l) => JSON.parse(l) as StoredEntry);
  }

  /**
   * Writes `after` with its history lines and index changes in one script, if the problem is still
   * at `version` ('' for a new one). False: someone changed it first; read again.
   */
  async commit(
    before: StoredProblem | undefined,
    version: string,
    after: StoredProblem,
    entries: StoredEntry[],
  ): Promise<boolean> {
    const ops = indexOps(this.keys, before, after);
    const keys = [this.keys.problem(after.id), this.keys.history(after.id)];
    const slot = new Map<string, number>();
    const at = (key: string) => {
      let i = slot.get(key);
      if (i === undefined) {
        keys.push(key);
        slot.set(key, (i = keys.length));
      }
      return i;
    };
    const encoded = ops.map(([op, key, ...rest]) => [op, at(key), ...rest]);
    const r = await runLua<number>(this.redis, COMMIT_LUA, keys, [
      version,
      JSON.stringify(after),
      JSON.stringify(encoded),
      ...entries.map((e) => JSON.stringify(e)),
    ]);
    return r === 1;
  }

  /** Ids of one bucket of a subtree, newest first. */
  async ids(region: string, bucket: 'all' | 'open' | 'closed', cap: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.index(region, bucket), 0, cap - 1);
  }

  /** Ids of a subtree's bucket with a score (registration or 销号 time) in [from, to). */
  async idsBetween(region: string, bucket: 'all' | 'closed', from: number, to: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.index(region, bucket), from, `(${to}`);
  }

  async countBetween(region: string, bucket: 'all' | 'closed', from: number, to: number): Promise<number> {
    return this.redis.zcount(this.keys.index(region, bucket), from, `(${to}`);
  }

  /** Open problems and stars of each region, in one command per slot. */
  async starsOf(regions: readonly string[]): Promise<Map<string, { open: number; stars: number }>> {
    const out = new Map<string, { open: number; stars: number }>();
    if (!regions.length) return out;
    const hashes = await hashesBySlot(
      this.redis,
      regions.map((r) => this.keys.stars(r)),
      regions.map(() => STAR_FIELDS),
    );
    regions.forEach((r, i) => out.set(r, { open: Number(hashes[i]!.open ?? 0), stars: Number(hashes[i]!.stars ?? 0) }));
    return out;
  }

  async departmentIds(department: string, cap: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.department(department), 0, cap - 1);
  }

  async supervisedIds(region: string, cap: number): Promise<string[]> {
    return this.redis.zrange(this.keys.supervised(region), '0', String(cap - 1));
  }

  /** Milestones whose deadline has passed, not done and not flagged yet: `[problem id, n]`. */
  async due(now: number, limit = 100): Promise<[id: string, n: number, deadline: number][]> {
    const flat = await this.redis.zrangebyscore(this.keys.due, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: [string, number, number][] = [];
    for (let j = 0; j < flat.length; j += 2) {
      const m = flat[j]!;
      const i = m.indexOf('\n');
      out.push([m.slice(0, i), Number(m.slice(i + 1)), Number(flat[j + 1])]);
    }
    return out;
  }

  /** Drops a deadline the sweep found nothing to flag for (done meanwhile, or a problem gone). */
  async dropDue(id: string, n: number): Promise<void> {
    await this.redis.zrem(this.keys.due, dueMember(id, n));
  }
}
