import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { AuditLog } from './log.ts';
import { defineLua, runLua } from '../redis/lua.ts';

/** How long failures of one address are counted before they become one audit entry. */
export const LOGIN_FAILURE_WINDOW_MS = 60_000;

/** Names kept per address and window: enough to see whom an attack aimed at, bounded all the same. */
const NAMES_KEPT = 10;

export interface LoginFailures {
  /** Counts one failed login of `ip` (trying `username`) in the current window. */
  record(ip: string, username: string): Promise<void>;
  /** Writes one `auth.login_failed` entry per address counted so far, and starts a new window. */
  flush(): Promise<number>;
  /** Flushes every window; the returned function stops and flushes once more. */
  start(): () => Promise<void>;
}

/** The hash holding the current window's counts, `<ip>` → count plus `<ip>|since` and `<ip>|names`. */
export const loginFailuresKey = (prefix: string) => `${prefix}audit:login-failures`;

const RECORD_SCRIPT = defineLua(
  'loginFailuresRecord',
  `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n == 1 then redis.call('HSET', KEYS[1], ARGV[1] .. '|since', ARGV[3]) end
local namesField = ARGV[1] .. '|names'
local names = cjson.decode(redis.call('HGET', KEYS[1], namesField) or '[]')
if #names < tonumber(ARGV[4]) then
  for _, v in ipairs(names) do if v == ARGV[2] then return n end end
  names[#names + 1] = ARGV[2]
  redis.call('HSET', KEYS[1], namesField, cjson.encode(names))
end
return n
`,
);

/** Takes the window and empties it in one step, so two processes never write the same counts. */
const TAKE_SCRIPT = defineLua(
  'loginFailuresTake',
  `
local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all
`,
);

/**
 * Failed logins of unauthenticated clients, summed per address and window instead of one audit
 * entry each: the trail is never trimmed, and a spray of wrong passwords wrote one hash-chained
 * entry per attempt. The counts live in Redis, so every server process adds to the same window and
 * one that dies leaves them for the next flush by any other.
 */
export function createLoginFailures(deps: {
  redis: RedisClient;
  prefix: string;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}): LoginFailures {
  const key = loginFailuresKey(deps.prefix);

  async function flush(): Promise<number> {
    const flat = await runLua<string[]>(deps.redis, TAKE_SCRIPT, [key], []);
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    const until = isoBeijing(deps.clock.now());
    let written = 0;
    for (const [ip, count] of fields) {
      if (ip.includes('|')) continue;
      let names: string[] = [];
      try {
        names = JSON.parse(fields.get(`${ip}|names`) ?? '[]') as string[];
      } catch {
        /* a malformed list only loses the names, not the count */
      }
      await deps.audit.append({
        actor: 'anonymous',
        action: 'auth.login_failed',
        detail: {
          ip,
          count: Number(count),
          usernames: names.join(','),
          since: fields.get(`${ip}|since`) ?? until,
          until,
        },
      });
      written++;
    }
    return written;
  }

  return {
    async record(ip, username) {
      await runLua(
        deps.redis,
        RECORD_SCRIPT,
        [key],
        [ip, username.toLowerCase().slice(0, 64), isoBeijing(deps.clock.now()), NAMES_KEPT],
      );
    },
    flush,
    start() {
      let running: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        running = flush().catch((err: unknown) =>
          deps.logger.error({ err }, 'writing failed logins to the audit trail'),
        );
      }, LOGIN_FAILURE_WINDOW_MS);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await running;
        await flush();
      };
    },
  };
}
