import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTestCluster, type TestCluster } from '../helpers/redis-cluster.ts';
import { openRedis, type RedisClient } from '../../server/redis/connection.ts';
import { defineLua, luaRuns, luaScripts, runLua } from '../../server/redis/lua.ts';
import { AGGREGATOR_GROUP, createKeys } from '../../server/redis/keys.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { sweepMarks } from '../../server/ingest/marks.ts';
import { hashesBySlot } from '../../server/redis/by-slot.ts';
import { applyBatch } from '../../server/aggregate/apply.ts';
import { caseEvent, encodeCase } from '../../server/aggregate/case-state.ts';
import { caseKey, readCases, sweepCases } from '../../server/aggregate/case-store.ts';
import { moveLegacyCases } from '../../server/aggregate/legacy-cases.ts';
import { foldCase } from '../../server/import/fold.ts';
import { commitNewCases } from '../../server/import/new-cases.ts';
import { listCases } from '../../server/aggregate/case-list.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { ensureGroup, trimAcknowledged } from '../../server/aggregate/consumer.ts';
import { reapConsumers } from '../../server/aggregate/group.ts';
import { AlertStore } from '../../server/alerts/store.ts';
import { alertKeys } from '../../server/alerts/keys.ts';
import { createAuditLog } from '../../server/audit/log.ts';
import { createLoginFailures } from '../../server/audit/login-failures.ts';
import { freeze } from '../../server/safety-index/store.ts';
import { recordEpisode } from '../../server/assessment/report-timeliness.ts';
import { freezeReplies } from '../../server/assessment/store.ts';
import { ReplayBase } from '../../server/replay/base.ts';
import { packClosedHours } from '../../server/replay/pack.ts';
import { createWallRegistry, wallId } from '../../server/walls/registry.ts';
import { createWallOrders } from '../../server/walls/orders.ts';
import { createProblems } from '../../server/problems/service.ts';
import { ManualClock } from '../../server/clock.ts';
import { warningKeys } from '../../server/warnings/keys.ts';
import { partyCases } from '../../server/warnings/parties.ts';
import { firstSeverities, sweepRuleBuckets } from '../../server/warnings/rule-buckets.ts';
import { buckets } from '../../server/time/beijing.ts';
import { packClosedMonths } from '../../server/counters/month-pack.ts';
import { PACKED_FIELD } from '../../server/counters/low-level.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

// Every script of the server is run here on a real Redis Cluster with the key check of
// server/redis/lua.ts on (vitest.config.ts sets PINGAN_LUA_KEYCHECK=1): a script that builds a key
// name it was not given in KEYS fails, and Redis itself refuses a key of another slot.
const NOW = Date.parse('2026-11-22T10:00:00+08:00');
const keys = createKeys('62');
let cluster: TestCluster;
let redis: RedisClient;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  cluster = await startTestCluster();
  redis = openRedis(cluster.target, 'lua-keys', logger);
}, 90_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

function event(id: string, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id,
    kind: 'dispute',
    category: 'family',
    status: 'received',
    severity: 2,
    region: '620702001001',
    channel: 'grid',
    summary: '邻里纠纷',
    occurredAt: new Date(NOW - 60_000).toISOString(),
    caseId: `case-${id}`,
    source: 'test',
    ts: NOW - 60_000,
    ...over,
  } as StoredEvent;
}

describe('Lua scripts declare every key they touch', () => {
  it('the key check refuses a key built inside a script, and lets declared keys through', async () => {
    const bad = defineLua('testUndeclared', "return redis.call('GET', ARGV[1])");
    const good = defineLua('testDeclared', "return redis.call('GET', KEYS[1])");
    await expect(runLua(redis, bad, [`${keys.prefix}a`], [`${keys.prefix}b`])).rejects.toThrow(
      /key check: GET touches pa:\{62\}:b, which is not in KEYS/,
    );
    expect(await runLua(redis, good, [`${keys.prefix}a`], [])).toBeNull();
    // And Redis Cluster refuses keys of two slots in one script.
    await expect(runLua(redis, good, [`${keys.prefix}a`, 'pa:{44}:a'], [])).rejects.toThrow(/CROSSSLOT/);
  });

  it('every script of the server runs through its own caller on the cluster without an undeclared key', async () => {
    const clock = new ManualClock(NOW);
    // ingest.lua, commit.lua, reap-consumers.lua
    const events = [
      event('e1'),
      event('e2', { status: 'mediating' }),
      event('e3', { kind: 'incident', category: 'criminal', status: 'reported' } as Partial<StoredEvent>),
    ];
    const appended = await appendEvents(redis, keys, events);
    expect(appended.appended).toEqual([true, true, true]);
    await ensureGroup(redis, keys.events);
    // replay-base.lua first, so commit.lua also writes the replay log of the epoch it names.
    const replay = new ReplayBase({ redis, keys, owners: ['62', '6207', '620702'] });
    const res = await applyBatch(
      { redis, keys, sla: slaTable(), replay },
      events.map((e) => ({ entryId: '', event: e })),
      NOW,
    );
    expect(res.codes).toEqual(['N', 'N', 'N']);
    const epoch = await redis.get(keys.replayEpoch);
    expect(await redis.llen(keys.replayLog(epoch!, Math.floor(NOW / 3_600_000)))).toBe(3);
    // replay-pack.lua: the hour, once closed, packed into one string.
    expect(await packClosedHours(redis, keys, NOW + 2 * 3_600_000)).toMatchObject({ lists: 1, moved: 0 });
    expect(await redis.exists(keys.replayLogPacked(epoch!, Math.floor(NOW / 3_600_000)))).toBe(1);
    expect(await reapConsumers(redis, keys.events, 'me', 1)).toEqual([]);
    // bucket-sweep.lua: the three marks are past their day 65 days on.
    expect(await sweepMarks(redis, keys, NOW + 65 * 86_400_000)).toBe(3);
    // read-hashes.lua: the case bucket just written, whole and by fields, from two provinces' slots.
    const [whole, named, other] = await hashesBySlot(
      redis,
      [caseKey(keys, 'case-e1'), caseKey(keys, 'case-e1'), createKeys('44').caseBucket(0)],
      [undefined, ['case-e1', 'no-such-field'], undefined],
    );
    expect(Object.keys(whole!)).toContain('case-e1');
    expect(named).toEqual({ 'case-e1': whole!['case-e1'] });
    expect(other).toEqual({});
    // case-move.lua: a case kept as a key of its own (an older version's) moved into its bucket.
    await redis.hset(
      keys.legacyCase('old-1'),
      'v',
      '3',
      'j',
      encodeCase('old-1', foldCase([caseEvent(event('o1', { caseId: 'old-1' }))]).state),
    );
    await moveLegacyCases(redis, keys, logger);
    expect(await redis.exists(keys.legacyCase('old-1'))).toBe(0);
    expect((await readCases(redis, keys, ['old-1'], NOW)).get('old-1')).toMatchObject({ v: '3', state: { i0: 'o1' } });
    // bucket-sweep.lua again: no case is forgotten yet.
    expect(await sweepCases(redis, keys, NOW)).toBe(0);
    // import-cases.lua: an import's cases new to Redis (one open dispute with an SLA deadline, one
    // closed incident), with the replay log of the epoch above; then refused for a case it has.
    const imported = [
      [event('i1', { caseId: 'imp-1', region: '620102001001' })],
      [
        event('i2', {
          caseId: 'imp-2',
          region: '620102001001',
          kind: 'incident',
          category: 'criminal',
          status: 'reported',
        } as Partial<StoredEvent>),
        event('i3', {
          caseId: 'imp-2',
          region: '620102001001',
          kind: 'incident',
          category: 'criminal',
          status: 'closed',
        } as Partial<StoredEvent>),
      ],
    ].map((events) => {
      const f = foldCase(events.map(caseEvent));
      return { caseId: f.state.i0 === 'i1' ? 'imp-1' : 'imp-2', state: f.state, summary: f.summary };
    });
    const ctx = { redis, keys, sla: slaTable() };
    expect(await commitNewCases(ctx, imported, NOW)).toEqual({ touched: expect.arrayContaining(['62', '620102']) });
    expect((await readCases(redis, keys, ['imp-2'], NOW)).get('imp-2')!.v).toBe('1');
    expect(await redis.zscore(keys.slaQueue, 'imp-1')).not.toBeNull();
    // The hour's list was packed above: the import's two records start a new one beside it.
    expect(await redis.llen(keys.replayLog(epoch!, Math.floor(NOW / 3_600_000)))).toBe(2);
    expect(await commitNewCases(ctx, imported, NOW)).toBeUndefined();
    // case-index-page.lua: a village's page and count from its county's set.
    const village = { redis, keys, regionName: () => undefined, counties: () => ['620702'] };
    const local = await listCases(village, { region: '620702001001' }, undefined, 10, NOW);
    expect(local.total).toBe(3);
    expect(local.cases.length).toBe(3);
    // A city's page merges its county sets in the same script.
    expect((await listCases(village, { region: '6207' }, undefined, 2, NOW)).total).toBe(3);
    // trim-acked.lua: nothing delivered keeps everything; delivered and acknowledged goes.
    expect(await trimAcknowledged(redis, keys.events)).toBe(0);
    const read = (await redis.xreadgroup('GROUP', AGGREGATOR_GROUP, 'me', 'STREAMS', keys.events, '>')) as [
      string,
      [string, string[]][],
    ][];
    await redis.xack(keys.events, AGGREGATOR_GROUP, ...read[0]![1].map(([id]) => id));
    expect(await trimAcknowledged(redis, keys.events)).toBe(3);

    // The alert scripts, through every step of an alert's life.
    const store = new AlertStore(redis, alertKeys(keys), clock);
    const raise = (evidence: string, level: 'red' | 'orange' | 'yellow' = 'yellow') =>
      store.raise({
        rule: 'repeat',
        level,
        region: '620702001',
        desk: '620702',
        group: 'repeat:620702001:x',
        title: '重复纠纷',
        explanation: '同一地点反复发生',
        signLimitMs: 600_000,
        evidence: [{ id: evidence, at: '2026-11-22T10:00:00+08:00', summary: '纠纷', region: '620702001001' }],
      });
    const first = await raise('ev1');
    expect(first.code).toBe('N');
    expect((await raise('ev2', 'red')).code).toBe('U');
    expect((await raise('ev2')).code).toBe('D');
    const id = first.code === 'N' ? first.alert.id : '';
    const step = async (input: Parameters<AlertStore['act']>[1]) => {
      const r = await store.act(id, input);
      expect(r, input.action).toMatchObject({ ok: true });
    };
    await step({ action: 'escalate', actor: 'system', signLimitMs: 600_000 });
    await step({ action: 'ack', actor: 'duty' });
    await step({ action: 'supervise', actor: 'commander', supervision: { region: '62', deadline: NOW + 86_400_000 } });
    await step({
      action: 'dispatch',
      actor: 'duty',
      targets: [
        { key: 'dep-police', name: '公安局', id: 'dep-police', reportBy: NOW - 1 },
        { key: '街道办', name: '街道办', adhoc: true, reportBy: NOW + 3_600_000 },
      ],
    });
    clock.set(NOW + 1000);
    await step({ action: 'late', actor: 'system', step: { key: 'dep-police' } });
    await step({ action: 'checkin', actor: 'police', step: { key: 'dep-police' } });
    await step({ action: 'assist', actor: 'police', step: { key: 'dep-police', text: '需要协助' } });
    await step({
      action: 'feedback',
      actor: 'police',
      step: { key: 'dep-police', text: '已处理', result: 'resolved' },
    });
    await step({ action: 'note', actor: 'duty', note: '跟进' });
    await step({ action: 'resolve', actor: 'duty', override: '街道办未报到，已电话确认' });
    await step({ action: 'close', actor: 'duty' });
    expect(await store.act('al-none', { action: 'ack', actor: 'duty' })).toEqual({ ok: false, reason: 'not_found' });
    const page = await store.read(alertKeys(keys).index('62', 'closed'), 10, '62', ['6207']);
    expect(page.alerts.map((a) => a.id)).toEqual([id]);

    // Audit trail, failed-login windows, 平安指数 months, 失联 episodes.
    const audit = createAuditLog({ redis, prefix: keys.prefix, clock });
    await audit.append({ actor: 'admin', action: 'test' });
    const failures = createLoginFailures({ redis, prefix: keys.prefix, audit, clock, logger });
    await failures.record('10.0.0.1', 'nobody');
    expect(await failures.flush()).toBe(1);
    const month = buckets(NOW).month;
    const scored = {
      code: '620702',
      score: 90,
      rank: { position: 1, of: 1, level: 'county' },
      indicators: [],
      coverage: {},
      at: NOW,
    } as unknown as Parameters<typeof freeze>[3][number];
    expect(await freeze(redis, keys, month, [scored])).toBe(1);
    expect(await recordEpisode(redis, keys, { id: 'ep1', region: '620702001' }, NOW)).toBe(true);

    // 督办考核 frozen months, 重点问题 commits, walls (registry, orders and their release).
    const reply = { region: { code: '620702' } } as unknown as Parameters<typeof freezeReplies>[3][number];
    expect(await freezeReplies(redis, keys, month, [reply])).toBe(1);
    const problems = createProblems({
      redis,
      keys,
      clock,
      departments: {
        callable: async () =>
          [{ id: 'dep-police', name: '公安局' }] as unknown as Awaited<
            ReturnType<Parameters<typeof createProblems>[0]['departments']['callable']>
          >,
      },
    });
    const registered = await problems.register({
      region: '620702',
      desk: '6207',
      title: '积案化解',
      description: '多年信访积案',
      stars: 3,
      lead: 'dep-police',
      partners: [],
      milestones: [{ title: '摸排', deadline: NOW + 86_400_000, weight: 1 }],
      alerts: [],
      by: 'commander',
    });
    expect(registered.ok).toBe(true);
    const registry = createWallRegistry({ redis, keys, clock, ttlMs: 60_000 });
    const wall = wallId('6207', '主屏');
    await registry.register({
      id: wall,
      name: '主屏',
      region: '6207',
      user: 'w',
      role: 'wall',
      since: NOW,
      socket: 's1',
    });
    expect(await registry.refresh(wall, 's1')).toBe(true);
    const orders = createWallOrders({
      redis,
      keys,
      clock,
      registry,
      audit,
      hasRegion: () => true,
      alertRegion: async () => undefined,
      problemRegion: async () => undefined,
      defaultMs: 600_000,
      maxMs: 3_600_000,
    });
    const commander = { username: 'commander', region: '6207' };
    const order = await orders.give(commander, { walls: [wall], target: { region: '620702' } });
    expect(await orders.releaseOrder(commander, order.id)).toEqual([wall]);

    // The warning rules' records in their buckets (party-cases.lua, first-severity.lua) and their sweep.
    const env = { redis, keys, wkeys: warningKeys(keys), clock };
    const disputeOf = (id: string, party: string) =>
      ({ ...event(id), caseId: `c-${id}`, ts: NOW, parties: [party] }) as StoredEvent;
    const parties = await partyCases(
      env,
      'd',
      [disputeOf('p1', '张三'), disputeOf('p2', '张三')],
      30 * 86_400_000,
      NOW,
    );
    expect(parties.get('张三')!.map((c) => c.caseId)).toEqual(['c-p1', 'c-p2']);
    expect(await firstSeverities(env, [{ caseId: 'c-p1', severity: 2, ts: NOW }])).toEqual([2]);
    expect(await sweepRuleBuckets(redis, keys, NOW + 90 * 86_400_000)).toBe(2);
    const closedMonth = keys.lowMonth('620702001', '202609');
    await redis.hset(closedMonth, '|i|a|b|c|', '2');
    expect(await packClosedMonths(redis, keys, ['620702001'], NOW)).toBe(1);
    expect(await redis.hkeys(closedMonth)).toEqual([PACKED_FIELD]);
    // Nothing defined and left untried: a new script must be added above. Every module that
    // defines one is loaded first, so a script in a module this test does not import is not missed.
    const root = path.join(import.meta.dirname, '../../server');
    const definers = (fs.readdirSync(root, { recursive: true }) as string[]).filter(
      (f) =>
        f.endsWith('.ts') &&
        !f.endsWith(path.join('redis', 'lua.ts')) &&
        /defineLua\(/.test(fs.readFileSync(path.join(root, f), 'utf8')),
    );
    expect(definers.length).toBeGreaterThan(5);
    for (const f of definers) await import(path.join(root, f));
    const tried = new Set(luaRuns().keys());
    expect(
      luaScripts()
        .filter((s) => !tried.has(s.name))
        .map((s) => s.name),
    ).toEqual([]);
  });

  it('no server module runs Lua but through server/redis/lua.ts', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(path.join('redis', 'lua.ts'))) {
          const src = fs.readFileSync(p, 'utf8');
          if (/\.(eval|evalsha|evalRo|defineCommand)\(|['"](EVAL|EVALSHA|FCALL)['"]/.test(src)) offenders.push(p);
        }
      }
    };
    walk(path.resolve('server'));
    expect(offenders).toEqual([]);
  });
});
