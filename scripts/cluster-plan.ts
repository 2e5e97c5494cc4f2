// `npx tsx scripts/cluster-plan.ts [masters]` (default 3): where each province's slot should live so
// the masters of a Redis Cluster carry comparable load, by population (2020 census,
// regions/province-population-2020.json), and the redis-cli commands that move the slots there.
// Every key of a province carries its hash tag `{62}`, so a province is exactly one slot: its
// load cannot be split, only placed. docs/cluster.md explains the plan.
import calculateSlot from 'cluster-key-slot';
import { provincePopulation } from '../server/regions/population.ts';

const SLOTS = 16384;
const masters = Number(process.argv[2] ?? 3);
if (!Number.isInteger(masters) || masters < 1 || masters > 31) {
  console.error('usage: cluster-plan.ts [masters 1..31]');
  process.exit(2);
}
const population = provincePopulation();

/** The split `redis-cli --cluster create` makes: equal contiguous ranges, master 0 first. */
function defaultMaster(slot: number): number {
  const per = SLOTS / masters;
  for (let m = 0; m < masters; m++) if (slot < Math.round((m + 1) * per)) return m;
  return masters - 1;
}

interface Province {
  code: string;
  people: number;
  slot: number;
  from: number;
  to: number;
}
const provinces: Province[] = [...population].map(([code, people]) => {
  const slot = calculateSlot(`{${code}}`);
  return { code, people, slot, from: defaultMaster(slot), to: defaultMaster(slot) };
});

const load = (who: 'from' | 'to') => {
  const l = new Array<number>(masters).fill(0);
  for (const p of provinces) l[p[who]]! += p.people;
  return l;
};
const spread = (l: number[]) => Math.max(...l) - Math.min(...l);

// From the default split, move one province at a time from the heaviest master to the lightest
// while that narrows the gap between them: few slots move, and each move is a real gain.
for (;;) {
  const l = load('to');
  const heavy = l.indexOf(Math.max(...l));
  const light = l.indexOf(Math.min(...l));
  const gap = l[heavy]! - l[light]!;
  let best: Province | undefined;
  let bestGap = gap;
  for (const p of provinces) {
    if (p.to !== heavy) continue;
    const g = Math.abs(gap - 2 * p.people);
    if (g < bestGap) [best, bestGap] = [p, g];
  }
  if (!best) break;
  best.to = light;
}

const million = (n: number) => `${(n / 1e6).toFixed(0)} M`;
const before = load('from');
const after = load('to');
console.log(
  `# Province slots on ${masters} masters, by 2020 census population (${million(before.reduce((a, b) => a + b))} people)`,
);
console.log(
  `# default split (redis-cli --cluster create): ${before.map(million).join(' / ')} (spread ${million(spread(before))})`,
);
console.log(
  `# this plan:                                 ${after.map(million).join(' / ')} (spread ${million(spread(after))})`,
);
console.log('#');
console.log('# province  tag   slot   people  default → planned master');
for (const p of [...provinces].sort((a, b) => a.slot - b.slot))
  console.log(
    `#   ${p.code}      {${p.code}} ${String(p.slot).padStart(5)}  ${million(p.people).padStart(6)}  M${p.from} → M${p.to}${p.from === p.to ? '' : '   (moves)'}`,
  );
const moves = provinces.filter((p) => p.from !== p.to);
console.log(`
# ${moves.length} slot(s) to move. Set M0…M${masters - 1} to the masters as "host:port" in the order of their
# first slot (redis-cli --cluster check lists them), on a healthy cluster; a move is online: keys
# are migrated in batches while the slot keeps serving (ASK redirections, which ioredis follows).
move_slot() { # slot from to
  local slot=$1 src=$2 dst=$3
  local sid did
  sid=$(redis-cli -h "\${src%:*}" -p "\${src#*:}" CLUSTER MYID)
  did=$(redis-cli -h "\${dst%:*}" -p "\${dst#*:}" CLUSTER MYID)
  redis-cli -h "\${dst%:*}" -p "\${dst#*:}" CLUSTER SETSLOT "$slot" IMPORTING "$sid"
  redis-cli -h "\${src%:*}" -p "\${src#*:}" CLUSTER SETSLOT "$slot" MIGRATING "$did"
  # 500 keys a round, one argument per line (event ids may hold spaces).
  while [ "$(redis-cli -h "\${src%:*}" -p "\${src#*:}" CLUSTER COUNTKEYSINSLOT "$slot")" != 0 ]; do
    redis-cli -h "\${src%:*}" -p "\${src#*:}" CLUSTER GETKEYSINSLOT "$slot" 500 |
      xargs -d '\\n' redis-cli -h "\${src%:*}" -p "\${src#*:}" MIGRATE "\${dst%:*}" "\${dst#*:}" "" 0 60000 KEYS >/dev/null
  done
  for m in ${Array.from({ length: masters }, (_, i) => `"$M${i}"`).join(' ')}; do
    redis-cli -h "\${m%:*}" -p "\${m#*:}" CLUSTER SETSLOT "$slot" NODE "$did"
  done
}`);
for (const p of moves)
  console.log(`move_slot ${p.slot} "$M${p.from}" "$M${p.to}"   # {${p.code}} ${million(p.people)}`);
console.log('redis-cli --cluster check "$M0"');
