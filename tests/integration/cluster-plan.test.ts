import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';

// The slot plan of docs/cluster.md, as scripts/cluster-plan.ts prints it, run on a real cluster:
// the provinces it moves end on the planned masters with their keys, the cluster still whole.
let c: TestCluster;
let r: Cluster;
beforeAll(async () => {
  c = await startTestCluster();
  r = new Cluster(c.nodes.map((n) => ({ host: n.host, port: n.port })));
}, 90_000);
afterAll(async () => {
  r?.disconnect();
  await c?.stop();
});

describe('the province slot plan', () => {
  it('moves {13} and {50} to the planned masters, keys and all, with redis-cli alone', async () => {
    const plan = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/cluster-plan.ts', '3'], {
      encoding: 'utf8',
    });
    expect(plan).toMatch(/default split \(redis-cli --cluster create\): 421 M \/ 437 M \/ 551 M/);
    expect(plan).toMatch(/this plan: +463 M \/ 470 M \/ 477 M/);
    // Event ids may hold spaces: such keys must move too.
    for (let i = 0; i < 1200; i++) await r.set(`pa:{13}:ev:id ${i}`, String(i));
    await r.set('pa:{50}:events', '1');
    const slots = (await r.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const masters = slots.sort((a, b) => a[0] - b[0]).map((s) => `${s[2][0]}:${s[2][1]}`);
    const out = execFileSync('bash', ['-c', plan], {
      env: { ...process.env, M0: masters[0], M1: masters[1], M2: masters[2] },
      encoding: 'utf8',
    });
    expect(out).toMatch(/All 16384 slots covered/);
    const after = (await r.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const owner = (slot: number) => {
      const s = after.find(([a, b]) => slot >= a && slot <= b)![2];
      return `${s[0]}:${s[1]}`;
    };
    expect(owner(12436)).toBe(masters[0]);
    expect(owner(3123)).toBe(masters[1]);
    expect(await r.get('pa:{13}:ev:id 7')).toBe('7');
    expect(await r.get('pa:{50}:events')).toBe('1');
  }, 60_000);
});
