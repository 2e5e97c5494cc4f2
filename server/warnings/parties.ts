import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { RuleEnv } from './types.ts';

/** One case a party appeared in (first time seen, region and category of that event). */
export interface PartyCase {
  caseId: string;
  region: string;
  category: string;
  ts: number;
}

/** Members `caseId|region|category`, scored by time: distinct cases per party in the window. */
export async function partyCases(
  env: RuleEnv,
  key: (p: string) => string,
  events: StoredEvent[],
  windowMs: number,
  now: number,
): Promise<Map<string, PartyCase[]>> {
  const parties = new Set<string>();
  const tx = env.redis.multi();
  for (const e of events) {
    for (const p of e.parties ?? []) {
      parties.add(p);
      tx.zadd(key(p), 'NX', e.ts, `${e.caseId}|${e.region}|${e.category}`);
    }
  }
  const list = [...parties];
  for (const p of list) {
    tx.zremrangebyscore(key(p), '-inf', now - windowMs - 86_400_000);
    tx.expire(key(p), Math.ceil(windowMs / 1000) + 86_400);
    tx.zrangebyscore(key(p), now - windowMs, '+inf', 'WITHSCORES');
  }
  const replies = (await tx.exec()) ?? [];
  const base = replies.length - list.length * 3;
  const out = new Map<string, PartyCase[]>();
  list.forEach((p, i) => {
    const flat = (replies[base + i * 3 + 2]?.[1] ?? []) as string[];
    const byCase = new Map<string, PartyCase>();
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const [caseId = '', region = '', category = ''] = flat[j]!.split('|');
      if (!byCase.has(caseId)) byCase.set(caseId, { caseId, region, category, ts: Number(flat[j + 1]) });
    }
    out.set(
      p,
      [...byCase.values()].sort((a, b) => a.ts - b.ts),
    );
  });
  return out;
}

/** Of an event's parties over the threshold, the one with most cases (ties: smallest id), so a series groups on one alert. */
export function pickParty(
  e: StoredEvent,
  cases: Map<string, PartyCase[]>,
  min: number,
): [string, PartyCase[]] | undefined {
  let best: [string, PartyCase[]] | undefined;
  for (const p of [...(e.parties ?? [])].sort()) {
    const c = cases.get(p) ?? [];
    if (c.length >= min && (!best || c.length > best[1].length)) best = [p, c];
  }
  return best;
}
