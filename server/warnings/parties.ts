import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { RuleEnv } from './types.ts';
import { luaKeys, runLua } from '../redis/lua.ts';
import { PARTY_CASES_SCRIPT } from '../redis/scripts.ts';
import { partyField, ruleBucket } from './rule-buckets.ts';

const DAY_MS = 86_400_000;

/** One case a party appeared in (first time seen, region and category of that event). */
export interface PartyCase {
  caseId: string;
  region: string;
  category: string;
  ts: number;
}

/**
 * The distinct cases each of the events' parties appeared in within the window (`kind`: `d`
 * disputes, `p` petitions), the events' own included, earliest first. Kept as one field a party of
 * the rule buckets (rule-buckets.ts, party-cases.lua): entries `caseId|region|category` by time,
 * trimmed a day behind the window.
 */
export async function partyCases(
  env: Pick<RuleEnv, 'redis' | 'keys' | 'wkeys'>,
  kind: 'd' | 'p',
  events: StoredEvent[],
  windowMs: number,
  now: number,
): Promise<Map<string, PartyCase[]>> {
  const byParty = new Map<string, (string | number)[]>();
  for (const e of events)
    for (const p of e.parties ?? []) {
      let added = byParty.get(p);
      if (!added) byParty.set(p, (added = []));
      added.push(e.ts, `${e.caseId}|${e.region}|${e.category}`);
    }
  const parties = [...byParty.keys()];
  const { keys, index } = luaKeys();
  const args: (string | number)[] = [];
  for (const p of parties) {
    const field = partyField(kind, p);
    const added = byParty.get(p)!;
    args.push(
      index(ruleBucket(env.keys, env.wkeys, field)),
      field,
      index(env.wkeys.legacyParty(kind, p)),
      added.length / 2,
      ...added,
    );
  }
  const replies = await runLua<string[][]>(env.redis, PARTY_CASES_SCRIPT, keys, [
    Math.floor(now / 1000),
    now - windowMs - DAY_MS,
    now - windowMs,
    Math.ceil(windowMs / 1000) + DAY_MS / 1000,
    ...args,
  ]);
  const out = new Map<string, PartyCase[]>();
  parties.forEach((p, i) => {
    const flat = replies[i] ?? [];
    const byCase = new Map<string, PartyCase>();
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const [caseId = '', region = '', category = ''] = flat[j + 1]!.split('|');
      if (!byCase.has(caseId)) byCase.set(caseId, { caseId, region, category, ts: Number(flat[j]) });
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
