import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/ack.ts';
import type { WallDrillReply, WallOrder, WallView } from '../../shared/schemas/wall.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { createWallRegistry } from '../../server/walls/registry.ts';
import { systemClock } from '../../server/clock.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { io as connect } from 'socket.io-client';
import { next, type TestSocket } from '../helpers/socket.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';

/**
 * Named walls and 一键上墙 across two server processes sharing one Redis: registration, the list
 * in scope, orders to a group, their refusals, delivery checked per socket, release, expiry, the
 * main wall's drill-down moving its group, and a dead wall disappearing.
 */

let redis: TestRedis;
let t1: TestServer;
let t2: TestServer;
const tokens: Record<string, string> = {};
const sockets: TestSocket[] = [];
const ids: Record<string, string> = {};

async function wall(
  server: TestServer,
  token: string,
  auth: Record<string, unknown>,
): Promise<{ s: TestSocket; reply: Ack<WallView> }> {
  // Listening before connecting: the registration can be answered before a later listener is on.
  const s: TestSocket = connect(server.url, {
    transports: ['websocket'],
    auth: { token, ...auth },
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  sockets.push(s);
  const reply = next(s, 'wall:registered', 10_000);
  s.connect();
  return { s, reply: await reply };
}

async function api(server: TestServer, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

/** Every event of a kind that arrives within `ms` (to show something did NOT come). */
function collect<T>(s: TestSocket, event: 'wall:focus' | 'wall:release', ms: number): Promise<T[]> {
  const got: T[] = [];
  const on = (v: T) => got.push(v);
  s.on(event, on as never);
  return new Promise((r) =>
    setTimeout(() => {
      s.off(event, on as never);
      r(got);
    }, ms),
  );
}

let main: TestSocket;
let side: TestSocket;
let lanzhou: TestSocket;

beforeAll(async () => {
  redis = await startTestRedis();
  const env = { WALL_TTL_SECONDS: '3', WALL_GROUPS: '会商:主屏,左屏' };
  [t1, t2] = await Promise.all([startTestServer({ redis, env }), startTestServer({ redis, env })]);
  tokens.cmd = await t1.userToken('wl-cmd', 'commander', '6207');
  tokens.duty = await t1.userToken('wl-duty', 'duty', '620702');
  tokens.prov = await t1.userToken('wl-prov', 'commander', '62');
  tokens.wallCity = await t1.userToken('wl-wall-zy', 'wall', '6207');
  tokens.wallLz = await t1.userToken('wl-wall-lz', 'wall', '6201');
  tokens.admin = await t1.login('admin', t1.adminPassword);
  // The main wall has a commander logged in (it leads), on one process; the side wall is a wall
  // account on the other; a wall of 兰州 joins the same group by its address.
  const m = await wall(t1, tokens.cmd!, { wall: '主屏' });
  const l = await wall(t2, tokens.wallCity!, { wall: '左屏' });
  const z = await wall(t1, tokens.wallLz!, { wall: '兰州屏', group: '会商' });
  for (const [name, r] of [
    ['main', m],
    ['side', l],
    ['lanzhou', z],
  ] as const) {
    expect(r.reply.ok, JSON.stringify(r.reply)).toBe(true);
    if (r.reply.ok) ids[name] = r.reply.data.id;
  }
  [main, side, lanzhou] = [m.s, l.s, z.s];
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await t1?.stop();
  await t2?.stop();
  await redis?.stop();
});

describe('named walls', () => {
  it('registers a wall under its name, with its configured group and main flag', async () => {
    const { body } = await api(t2, 'GET', '/walls', tokens.cmd!);
    const walls = body.walls as WallView[];
    expect(walls.map((w) => w.name).sort()).toEqual(['主屏', '左屏']);
    expect(walls.find((w) => w.name === '主屏')).toMatchObject({
      group: '会商',
      main: true,
      region: '6207',
      user: 'wl-cmd',
    });
    expect(walls.find((w) => w.name === '左屏')).toMatchObject({ group: '会商', region: '6207', user: 'wl-wall-zy' });
    expect(walls.find((w) => w.name === '左屏')!.main).toBeUndefined();
  });

  it('says what each wall shows once it has subscribed, as the console’s 大屏调度 table reads it', async () => {
    const reply = (await side.emitWithAck('subscribe', '620702')) as Ack<unknown>;
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    let shown: WallView | undefined;
    for (let i = 0; i < 50 && shown?.showing !== '620702'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      shown = ((await api(t1, 'GET', '/walls', tokens.cmd!)).body.walls as WallView[]).find((w) => w.name === '左屏');
    }
    expect(shown?.showing).toBe('620702');
    await side.emitWithAck('unsubscribe', '620702');
  });

  it('lists only the walls in the caller’s area, and only to desks', async () => {
    const prov = (await api(t1, 'GET', '/walls', tokens.prov!)).body.walls as WallView[];
    expect(prov.map((w) => w.name).sort()).toEqual(['主屏', '兰州屏', '左屏']);
    expect((await api(t1, 'GET', '/walls', tokens.duty!)).body.walls).toEqual([]);
    expect((await api(t1, 'GET', '/walls', tokens.wallCity!)).status).toBe(403);
  });

  it('refuses a wall name that is not a name, and the screen stays an unnamed wall', async () => {
    const { reply } = await wall(t1, tokens.wallCity!, { wall: '<b>主屏</b>' });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('bad_request');
    const long = await wall(t1, tokens.wallCity!, { wall: '屏'.repeat(17) });
    expect(long.reply.ok).toBe(false);
  });

  it('forgets a wall whose server stopped refreshing it', async () => {
    const keys = createKeys('62');
    const registry = createWallRegistry({ redis: redis.client(), keys, clock: systemClock, ttlMs: 1500 });
    await registry.register({
      id: 'w-6207-deadbeef',
      name: '死屏',
      region: '6207',
      user: 'x',
      role: 'wall',
      since: Date.now(),
      socket: 'gone',
    });
    expect((await registry.list()).some((w) => w.name === '死屏')).toBe(true);
    await new Promise((r) => setTimeout(r, 1700));
    expect((await registry.list()).some((w) => w.name === '死屏')).toBe(false);
    // A live wall, refreshed by its server every second, outlives its three-second TTL.
    await new Promise((r) => setTimeout(r, 2000));
    const walls = (await api(t1, 'GET', '/walls', tokens.cmd!)).body.walls as WallView[];
    expect(walls.map((w) => w.name).sort()).toEqual(['主屏', '左屏']);
  });
});

describe('一键上墙', () => {
  it('puts a region up on a group across processes; both walls get the order within a second', async () => {
    const focusMain = next(main, 'wall:focus', 1000);
    const focusSide = next(side, 'wall:focus', 1000);
    const quiet = collect<WallOrder>(lanzhou, 'wall:focus', 1200);
    const r = await api(t1, 'POST', '/walls/focus', tokens.cmd!, { group: '会商', target: { region: '620702' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const order = r.body.order as WallOrder;
    expect(order).toMatchObject({ target: { kind: 'region', region: '620702' }, by: 'wl-cmd' });
    expect(order.walls.sort()).toEqual([ids.main, ids.side].sort());
    expect((await focusMain).id).toBe(order.id);
    expect((await focusSide).id).toBe(order.id);
    expect(await quiet).toEqual([]);
    const listed = (await api(t2, 'GET', '/walls', tokens.cmd!)).body.walls as WallView[];
    expect(listed.find((w) => w.name === '左屏')?.following?.id).toBe(order.id);

    // A reconnecting wall picks up the order in force.
    const again = await wall(t1, tokens.wallCity!, { wall: '左屏' });
    expect(again.reply.ok).toBe(true);
    const resent = await next(again.s, 'wall:focus', 2000);
    expect(resent.id).toBe(order.id);
    side = again.s;

    const releaseMain = next(main, 'wall:release', 1000);
    const releaseSide = next(side, 'wall:release', 1000);
    const rel = await api(t2, 'POST', '/walls/focus', tokens.cmd!, { group: '会商', release: true });
    expect(rel.status).toBe(200);
    expect((rel.body.released as string[]).sort()).toEqual([ids.main, ids.side].sort());
    expect((await releaseMain).order).toBe(order.id);
    expect((await releaseSide).order).toBe(order.id);
  });

  it('refuses an order holding a wall whose viewer may not see the target, and delivers nothing', async () => {
    const none = collect<WallOrder>(side, 'wall:focus', 1200);
    const r = await api(t1, 'POST', '/walls/focus', tokens.prov!, { group: '会商', target: { region: '620702' } });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('target_out_of_scope');
    expect((r.body.error as { details?: { walls?: string[] } }).details?.walls).toEqual([ids.lanzhou]);
    expect(await none).toEqual([]);
  });

  it('never hands a wall an order outside its viewer’s area, even one that reached the channel', async () => {
    // As if a bad actor or an old process published it: the delivery checks each socket's viewer.
    const order: WallOrder = {
      id: 'o-00000000000000ff',
      walls: [ids.main!, ids.lanzhou!],
      target: { kind: 'region', region: '620702' },
      by: 'someone',
      at: new Date().toISOString(),
      until: new Date(Date.now() + 60_000).toISOString(),
    };
    const toMain = next(main, 'wall:focus', 1500);
    const toLanzhou = collect<WallOrder>(lanzhou, 'wall:focus', 1500);
    await redis.client().publish(createKeys('62').wallPush, JSON.stringify({ kind: 'focus', order }));
    expect((await toMain).id).toBe(order.id);
    expect(await toLanzhou).toEqual([]);
    await redis
      .client()
      .publish(
        createKeys('62').wallPush,
        JSON.stringify({ kind: 'release', releases: [{ wall: ids.main, order: order.id }] }),
      );
  });

  it('names what is wrong: a wall not up, a wall or a target outside the area, an alert that does not exist, a past until, a bad body', async () => {
    const focus = (token: string, body: unknown) => api(t1, 'POST', '/walls/focus', token, body);
    const cases: [string, unknown, number, string][] = [
      [tokens.cmd!, { walls: ['右屏'], target: { region: '620702' } }, 404, 'wall_not_found'],
      [tokens.cmd!, { group: '无此组', target: { region: '620702' } }, 404, 'wall_not_found'],
      [tokens.cmd!, { walls: [ids.lanzhou], target: { region: '6207' } }, 403, 'wall_out_of_scope'],
      [tokens.cmd!, { walls: ['主屏'], target: { region: '6201' } }, 403, 'target_out_of_scope'],
      [tokens.cmd!, { walls: ['主屏'], target: { region: '6299' } }, 404, 'unknown_region'],
      [tokens.cmd!, { walls: ['主屏'], target: { alert: 'no-such-alert' } }, 404, 'not_found'],
      [
        tokens.cmd!,
        { walls: ['主屏'], target: { region: '6207' }, until: new Date(Date.now() - 1000).toISOString() },
        400,
        'order_expired',
      ],
      [
        tokens.cmd!,
        { walls: ['主屏'], target: { region: '6207' }, until: '2999-01-01T00:00:00+08:00' },
        400,
        'bad_request',
      ],
      [tokens.cmd!, { walls: [], target: { region: '6207' } }, 400, 'bad_request'],
      [tokens.cmd!, { walls: ['主屏'] }, 400, 'bad_request'],
      [tokens.cmd!, { walls: ['主屏'], target: { region: '6207' }, release: true }, 400, 'bad_request'],
      [tokens.cmd!, { walls: ['主屏'], target: { region: '6207', alert: 'x' } }, 400, 'bad_request'],
      [tokens.cmd!, { group: '<script>', target: { region: '6207' } }, 400, 'bad_request'],
      [tokens.wallCity!, { walls: ['主屏'], target: { region: '6207' } }, 403, 'forbidden'],
      [tokens.admin!, { walls: ['主屏'], target: { region: '6207' } }, 403, 'forbidden'],
    ];
    const none = collect<WallOrder>(main, 'wall:focus', 300);
    for (const [token, body, status, code] of cases) {
      const r = await focus(token, body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const bad = await focus(tokens.cmd!, { walls: [], target: { region: '6207' } });
    expect(JSON.stringify(bad.body)).toContain('walls');
    expect(await none).toEqual([]);
  });

  it('puts an alert up with its region, and refuses to release an order that ran out', async () => {
    const posted = await t1.postEvents([
      killThreatDispute('wl-red-1', { caseId: 'wl-red-case-1', channel: 'grid', summary: '持刀扬言杀人' }),
    ]);
    expect(posted.status).toBe(200);
    let alertId: string | undefined;
    for (const end = Date.now() + 10_000; !alertId && Date.now() < end;) {
      const list = (await api(t1, 'GET', '/alerts?region=620702', tokens.duty!)).body.alerts as {
        id: string;
        caseId?: string;
      }[];
      alertId = list.find((a) => a.caseId === 'wl-red-case-1')?.id;
      if (!alertId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alertId).toBeDefined();
    const got = next(side, 'wall:focus', 1000);
    const until = new Date(Date.now() + 1500).toISOString();
    const r = await api(t1, 'POST', '/walls/focus', tokens.cmd!, {
      walls: ['左屏'],
      target: { alert: alertId },
      until,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const order = r.body.order as WallOrder;
    expect(order.target).toEqual({ kind: 'alert', alert: alertId, region: '620702001001' });
    expect((await got).id).toBe(order.id);

    expect((await api(t1, 'DELETE', '/walls/orders/o-0123456789abcdef', tokens.cmd!)).body.error?.code).toBe(
      'not_found',
    );
    expect((await api(t1, 'DELETE', '/walls/orders/nope', tokens.cmd!)).status).toBe(400);
    // Only a desk whose area holds every wall of the order may release it.
    const foreign = await api(t1, 'DELETE', `/walls/orders/${order.id}`, tokens.duty!);
    expect([foreign.status, foreign.body.error?.code]).toEqual([403, 'wall_out_of_scope']);
    await new Promise((res) => setTimeout(res, 1700));
    const late = await api(t1, 'DELETE', `/walls/orders/${order.id}`, tokens.cmd!);
    expect([late.status, late.body.error?.code]).toEqual([410, 'order_expired']);
    const listed = (await api(t1, 'GET', '/walls', tokens.cmd!)).body.walls as WallView[];
    expect(listed.find((w) => w.name === '左屏')?.following).toBeUndefined();
  });

  it('puts a 重点问题 and a replay moment up; refuses, each by its own code and field, what the walls may not show, and the wall keeps following what it had', async () => {
    const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const newProblem = async (token: string, region: string) => {
      const r = await api(t1, 'POST', '/problems', token, {
        region,
        title: `上墙问题 ${region}`,
        description: '一键上墙测试',
        stars: 1,
        lead: `dep-${region.slice(0, 6)}-police`,
        milestones: [{ title: '措施', deadline: later, weight: 1 }],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return (r.body.problem as { id: string }).id;
    };
    const zhangye = await newProblem(tokens.cmd!, '620702');
    const lanzhouProblem = await newProblem(tokens.prov!, '620102');

    const got = next(side, 'wall:focus', 2000);
    const r = await api(t1, 'POST', '/walls/focus', tokens.cmd!, { walls: ['左屏'], target: { problem: zhangye } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const order = r.body.order as WallOrder;
    expect(order.target).toEqual({ kind: 'problem', problem: zhangye, region: '620702' });
    expect((await got).id).toBe(order.id);

    const hourAgo = Date.now() - 3_600_000;
    const cases: [string, unknown, number, string, string?][] = [
      // A problem outside the caller's area, one a wall's viewer may not see, one that does not exist.
      [tokens.cmd!, { walls: ['左屏'], target: { problem: lanzhouProblem } }, 403, 'target_out_of_scope'],
      [tokens.prov!, { walls: [ids.side, ids.lanzhou], target: { problem: zhangye } }, 403, 'target_out_of_scope'],
      [tokens.cmd!, { walls: ['左屏'], target: { problem: 'pr-nope-0' } }, 404, 'not_found'],
      [tokens.cmd!, { walls: ['左屏'], target: { problem: '<b>' } }, 400, 'bad_request', 'target.problem'],
      // Replay moments: in the future, beyond the 30 days kept, a speed out of range or without a moment.
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: new Date(Date.now() + 600_000).toISOString() } },
        400,
        'replay_out_of_range',
        'target.at: is in the future',
      ],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: new Date(Date.now() - 31 * 86_400_000).toISOString() } },
        400,
        'replay_out_of_range',
        'target.at: is older than the replay window of 30 days',
      ],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: '2026-11-22 02:00' } },
        400,
        'bad_request',
        'target.at',
      ],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: new Date(hourAgo).toISOString(), speed: 3601 } },
        400,
        'bad_request',
        'target.speed: must be at most 3600',
      ],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: new Date(hourAgo).toISOString(), speed: 0 } },
        400,
        'bad_request',
        'target.speed: must be at least 1',
      ],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6207', at: new Date(hourAgo).toISOString(), speed: 1.5 } },
        400,
        'bad_request',
        'target.speed',
      ],
      [tokens.cmd!, { walls: ['左屏'], target: { region: '6207', speed: 60 } }, 400, 'bad_request', 'target.speed'],
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { problem: zhangye, at: new Date(hourAgo).toISOString() } },
        400,
        'bad_request',
        'target.at',
      ],
      // A replay of a region outside the caller's area, or for a wall that is not up or not theirs.
      [
        tokens.cmd!,
        { walls: ['左屏'], target: { region: '6201', at: new Date(hourAgo).toISOString() } },
        403,
        'target_out_of_scope',
      ],
      [
        tokens.cmd!,
        { walls: ['右屏'], target: { region: '6207', at: new Date(hourAgo).toISOString() } },
        404,
        'wall_not_found',
      ],
      [
        tokens.cmd!,
        { walls: [ids.lanzhou], target: { region: '6207', at: new Date(hourAgo).toISOString() } },
        403,
        'wall_out_of_scope',
      ],
    ];
    const none = collect<WallOrder>(side, 'wall:focus', 500);
    for (const [token, body, status, code, text] of cases) {
      const res = await api(t1, 'POST', '/walls/focus', token, body);
      expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
      if (text) expect(JSON.stringify(res.body.error), JSON.stringify(body)).toContain(text);
    }
    expect(await none).toEqual([]);
    const listed = (await api(t2, 'GET', '/walls', tokens.cmd!)).body.walls as WallView[];
    expect(listed.find((w) => w.name === '左屏')?.following?.id).toBe(order.id);

    // A replay moment replaces the problem; its release returns the wall to its own region.
    const replayed = next(side, 'wall:focus', 2000);
    const at = new Date(hourAgo).toISOString();
    const rp = await api(t1, 'POST', '/walls/focus', tokens.cmd!, {
      walls: ['左屏'],
      target: { region: '620702', at, speed: 600 },
    });
    expect(rp.status, JSON.stringify(rp.body)).toBe(201);
    const replay = rp.body.order as WallOrder;
    expect(replay.target).toMatchObject({ kind: 'replay', region: '620702', speed: 600 });
    expect(Date.parse((replay.target as { at: string }).at)).toBe(Date.parse(at));
    expect((replay.target as { at: string }).at).toMatch(/\+08:00$/);
    expect((await replayed).id).toBe(replay.id);
    const released = next(side, 'wall:release', 2000);
    const rel = await api(t1, 'POST', '/walls/focus', tokens.cmd!, { walls: ['左屏'], release: true });
    expect(rel.body.released).toEqual([ids.side]);
    expect((await released).order).toBe(replay.id);
  });

  it('moves the group when its main wall drills down, and lets it go when the main wall comes home', async () => {
    const moved = next(side, 'wall:focus', 1000);
    const lz = collect<WallOrder>(lanzhou, 'wall:focus', 1200);
    const reply = (await main.timeout(3000).emitWithAck('wall:drill', '620702')) as Ack<WallDrillReply>;
    expect(reply).toEqual({ ok: true, data: { moved: 1 } });
    const order = await moved;
    expect(order).toMatchObject({ lead: ids.main, by: 'wl-cmd', target: { kind: 'region', region: '620702' } });
    expect(await lz).toEqual([]);

    const back = next(side, 'wall:release', 1000);
    const home = (await main.timeout(3000).emitWithAck('wall:drill', '6207')) as Ack<WallDrillReply>;
    expect(home).toEqual({ ok: true, data: { moved: 1 } });
    expect((await back).order).toBe(order.id);

    // A wall account's screen leads nobody; a region outside the viewer's area is refused.
    const sideDrill = (await side.timeout(3000).emitWithAck('wall:drill', '620702')) as Ack<WallDrillReply>;
    expect(sideDrill.ok ? 'ok' : sideDrill.error.code).toBe('forbidden');
    const far = (await main.timeout(3000).emitWithAck('wall:drill', '6201')) as Ack<WallDrillReply>;
    expect(far.ok ? 'ok' : far.error.code).toBe('out_of_scope');
  });
});
