import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import type { Clock } from '../clock.ts';
import type { Keys } from '../redis/keys.ts';

/**
 * The walls that are up: one hash per wall (`keys.wall(id)`) that expires unless the server
 * holding its socket refreshes it, and a sorted set of ids by expiry to list them from. Every
 * server process reads and writes the same records, so a wall on one process can be commanded
 * from another, and a wall whose process died disappears within `ttlMs`. The only owner of the
 * stored wall shape.
 */
export interface WallRecord {
  id: string;
  name: string;
  /** Its viewer's home region: the wall shows this region's subtree and nothing else. */
  region: string;
  user: string;
  role: string;
  /** Epoch ms of this registration. */
  since: number;
  group?: string;
  main?: boolean;
  quiet?: boolean;
  /** The socket that holds the name now; a newer registration of the name takes it over. */
  socket: string;
  showing?: string;
}

/** The same name in the same home region is the same wall: a reload keeps its id (and its orders). */
export function wallId(home: string, name: string): string {
  return `w-${home}-${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

// Acts on a wall record only while `socket` still holds it: a screen that was replaced (the same
// name opened again) must not refresh, rename or delete its successor's record.
const OWNED = defineLua(
  'wallOwned',
  `
if redis.call('HGET', KEYS[1], 'socket') ~= ARGV[1] then return 0 end
if ARGV[2] == 'refresh' then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
elseif ARGV[2] == 'drop' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[5])
elseif ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[6], ARGV[7])
end
return 1
`,
);

export interface WallRegistry {
  readonly ttlMs: number;
  /** Writes the record, taking the name over from any earlier screen. */
  register(rec: WallRecord): Promise<void>;
  /** Extends the record's life; false when another screen took the name meanwhile (or it expired). */
  refresh(id: string, socket: string): Promise<boolean>;
  unregister(id: string, socket: string): Promise<void>;
  /** The region the wall shows now. */
  setShowing(id: string, socket: string, region: string): Promise<void>;
  get(id: string): Promise<WallRecord | undefined>;
  /** Every wall that is up, by name. */
  list(): Promise<WallRecord[]>;
}

export function createWallRegistry(deps: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  ttlMs: number;
}): WallRegistry {
  const { redis, keys, clock, ttlMs } = deps;
  const owned = (id: string, socket: string, ...args: (string | number)[]) =>
    runLua<number>(redis, OWNED, [keys.wall(id), keys.walls], [socket, ...args]).then((r) => r === 1);

  return {
    ttlMs,
    async register(rec) {
      const fields: Record<string, string> = {
        id: rec.id,
        name: rec.name,
        region: rec.region,
        user: rec.user,
        role: rec.role,
        since: String(rec.since),
        socket: rec.socket,
        ...(rec.group ? { group: rec.group } : {}),
        ...(rec.main ? { main: '1' } : {}),
        ...(rec.quiet ? { quiet: '1' } : {}),
        ...(rec.showing ? { showing: rec.showing } : {}),
      };
      await redis
        .multi()
        .del(keys.wall(rec.id))
        .hset(keys.wall(rec.id), fields)
        .pexpire(keys.wall(rec.id), ttlMs)
        .zadd(keys.walls, String(clock.now() + ttlMs), rec.id)
        .exec();
    },
    refresh: (id, socket) => owned(id, socket, 'refresh', clock.now() + ttlMs, ttlMs, id),
    async unregister(id, socket) {
      await owned(id, socket, 'drop', 0, 0, id);
    },
    async setShowing(id, socket, region) {
      await owned(id, socket, 'set', 0, 0, id, 'showing', region);
    },
    async get(id) {
      return toRecord(await redis.hgetall(keys.wall(id)));
    },
    async list() {
      // Ids of records that expired (their server died) are dropped here, not by a timer.
      const [, [, read] = []] =
        (await redis
          .multi()
          .zremrangebyscore(keys.walls, '-inf', String(clock.now()))
          .zrange(keys.walls, '0', '-1')
          .exec()) ?? [];
      const ids = (read ?? []) as string[];
      if (!ids.length) return [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hgetall(keys.wall(id));
      const rows = (await pipe.exec()) ?? [];
      return rows
        .map(([, v]) => toRecord(v as Record<string, string>))
        .filter((r): r is WallRecord => r !== undefined)
        .sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name, 'zh'));
    },
  };
}

function toRecord(h: Record<string, string> | null | undefined): WallRecord | undefined {
  if (!h?.id || !h.name || !h.region || !h.socket) return undefined;
  return {
    id: h.id,
    name: h.name,
    region: h.region,
    user: h.user ?? '',
    role: h.role ?? '',
    since: Number(h.since) || 0,
    socket: h.socket,
    ...(h.group ? { group: h.group } : {}),
    ...(h.main === '1' ? { main: true } : {}),
    ...(h.quiet === '1' ? { quiet: true } : {}),
    ...(h.showing ? { showing: h.showing } : {}),
  };
}
