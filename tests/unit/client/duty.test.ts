import { describe, expect, it, vi } from 'vitest';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import type { AlertDetail } from '../../../shared/alert-machine.ts';
import type { DutyApi } from '../../../client/src/duty/api.ts';
import { ApiFailure } from '../../../client/src/lib/api.ts';
import { commandFor } from '../../../client/src/duty/keys.ts';
import { ServerClock } from '../../../client/src/lib/state/server-clock.svelte.ts';
import { DutyQueue } from '../../../client/src/duty/state/queue.svelte.ts';
import {
  BUSY_TEXT,
  DutyConsole,
  NONE_SELECTED_TEXT,
  refusalText,
} from '../../../client/src/duty/state/console.svelte.ts';
import type { WallSocket } from '../../../client/src/lib/socket.ts';
import { alert } from './fixtures.ts';

type Handler = (...args: unknown[]) => void;

/** Just enough of a Socket.IO client: listeners, connect, and a way to deliver server events. */
class FakeSocket {
  connected = true;
  handlers = new Map<string, Set<Handler>>();
  io = { on: () => undefined, off: () => undefined };
  on(e: string, fn: Handler) {
    if (!this.handlers.has(e)) this.handlers.set(e, new Set());
    this.handlers.get(e)!.add(fn);
    return this;
  }
  off(e: string, fn: Handler) {
    this.handlers.get(e)?.delete(fn);
    return this;
  }
  emit() {
    return this;
  }
  connect() {
    return this;
  }
  deliver(e: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(e) ?? []) fn(...args);
  }
}

function fakeApi(over: Partial<DutyApi> = {}): DutyApi {
  return {
    list: vi.fn(async () => []),
    closed: vi.fn(async () => []),
    detail: vi.fn(
      async (id: string) => ({ alert: alert(id), explanation: '', history: [], events: [] }) as AlertDetail,
    ),
    act: vi.fn(async (id: string) => alert(id, { state: 'acknowledged' })),
    departments: vi.fn(async () => []),
    supervision: vi.fn(async () => []),
    ...over,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the duty queue', () => {
  it('orders by level, then the longest waiting first, and splits desk, open and to-verify', () => {
    const q = new DutyQueue('620702');
    q.reset([
      alert('y-new', { level: 'yellow', createdAt: '2026-11-22T10:05:00.000+08:00' }),
      alert('r', { level: 'red', desk: '620702001', region: '620702001001' }),
      alert('y-old', { level: 'yellow', createdAt: '2026-11-22T09:00:00.000+08:00' }),
      alert('done', { state: 'resolved' }),
      alert('elsewhere', { region: '620102' }),
    ]);
    expect(q.open.map((a) => a.id)).toEqual(['r', 'y-old', 'y-new']);
    expect(q.atDesk.map((a) => a.id)).toEqual(['y-old', 'y-new']);
    expect(q.toVerify.map((a) => a.id)).toEqual(['done']);
    expect(q.selectedId).toBe('r');
    q.step(1);
    expect(q.selectedId).toBe('y-old');
    expect(q.upsert(alert('r', { level: 'red', state: 'closed' }))).toBe(false);
    expect(q.open.map((a) => a.id)).toEqual(['y-old', 'y-new']);
  });
});

describe('the queue after an alert leaves it', () => {
  it('opens the next alert of the list when the selected one is verified and closed', () => {
    const q = new DutyQueue('620702');
    q.reset([alert('a', { level: 'red' }), alert('b'), alert('c', { level: 'blue' })]);
    q.step(1);
    expect(q.selectedId).toBe('b');
    q.upsert(alert('b', { state: 'closed' }));
    expect(q.selectedId).toBe('c');
    q.upsert(alert('c', { state: 'closed' }));
    expect(q.selectedId).toBe('a');
  });

  it('stays on the to-verify tab and opens the next alert to verify after 核验', () => {
    const q = new DutyQueue('620702');
    q.reset([alert('o'), alert('v1', { state: 'resolved' }), alert('v2', { state: 'resolved' })]);
    q.tab = 'verify';
    q.select('v1');
    q.upsert(alert('v1', { state: 'closed' }));
    expect(q.selected?.id).toBe('v2');
    q.upsert(alert('v2', { state: 'closed' }));
    // Nothing left to verify, but others wait: open the first of them.
    expect(q.selected?.id).toBe('o');
  });
});

describe('核验 at the console', () => {
  it('shows the detail of the next alert once the selected one is verified and closed', async () => {
    const act = vi.fn(async (id: string) => alert(id, { state: 'closed' }));
    const duty = new DutyConsole({
      api: fakeApi({ act }),
      socket: new FakeSocket() as unknown as WallSocket,
      user: { username: 'zhou', role: 'duty', region: '620702' },
      now: () => Date.now(),
      onAuthLost: () => undefined,
    });
    duty.queue.reset([alert('v', { state: 'resolved' }), alert('next')]);
    duty.queue.tab = 'verify';
    duty.queue.select('v');
    expect(await duty.act('close')).toBe(true);
    expect(duty.queue.selected?.id).toBe('next');
    expect(duty.detail?.alert.id).toBe('next');
  });
});

describe('the 已办结 tab', () => {
  it('lists closed alerts found by region, rule and day, and opens one of them', async () => {
    const closed = vi.fn(async () => [alert('old', { state: 'closed', rule: 'overdue' })]);
    const duty = new DutyConsole({
      api: fakeApi({ closed }),
      socket: new FakeSocket() as unknown as WallSocket,
      user: { username: 'zhou', role: 'duty', region: '620702' },
      now: () => Date.now(),
      onAuthLost: () => undefined,
    });
    duty.queue.reset([alert('open1')]);
    await duty.searchClosed({ region: '620702001', rule: 'overdue', from: '2026-11-01', to: '2026-11-22' });
    expect(closed).toHaveBeenCalledWith({ region: '620702001', rule: 'overdue', from: '2026-11-01', to: '2026-11-22' });
    duty.queue.tab = 'done';
    expect(duty.queue.shown.map((a) => a.id)).toEqual(['old']);
    duty.queue.select('old');
    expect(duty.queue.selected?.state).toBe('closed');
    // The open queue is untouched by a search.
    expect(duty.queue.open.map((a) => a.id)).toEqual(['open1']);
  });
});

describe('the console keyboard', () => {
  it('maps letters to actions outside fields and leaves typing alone', () => {
    const k = (key: string, inField = false) =>
      commandFor({ key, ctrlKey: false, metaKey: false, altKey: false }, inField);
    expect(k('a')).toEqual({ kind: 'action', action: 'ack' });
    expect(k('D')).toEqual({ kind: 'action', action: 'dispatch' });
    expect(k('ArrowDown')).toEqual({ kind: 'move', delta: 1 });
    expect(k('n')).toEqual({ kind: 'note' });
    expect(k('m')).toEqual({ kind: 'mute' });
    expect(k('a', true)).toBeUndefined();
    expect(k('Escape', true)).toEqual({ kind: 'escape' });
    expect(commandFor({ key: 'r', ctrlKey: true, metaKey: false, altKey: false }, false)).toBeUndefined();
  });
});

describe('the duty console state', () => {
  const user = { username: 'zhou', role: 'duty', region: '620702' };

  it('beeps once for a new red alert, not for changes or other levels', async () => {
    const socket = new FakeSocket();
    const c = new DutyConsole({
      api: fakeApi(),
      socket: socket as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    const stop = c.start();
    await flush();
    socket.deliver('alert', alert('x', { level: 'red', region: '620702001001' }));
    socket.deliver('alert', alert('x', { level: 'red', region: '620702001001', state: 'acknowledged' }));
    socket.deliver('alert', alert('y', { level: 'orange', region: '620702001001' }));
    expect(c.beeper.count).toBe(1);
    expect(c.queue.items.map((a) => a.id)).toEqual(['x', 'y']);
    stop();
    expect([...socket.handlers.values()].every((s) => s.size === 0)).toBe(true);
  });

  it('alerts the desk once when a department it dispatched to becomes late to report', async () => {
    const socket = new FakeSocket();
    const c = new DutyConsole({
      api: fakeApi(),
      socket: socket as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    const stop = c.start();
    await flush();
    const dep = { name: '公安局', dispatchedAt: '2026-11-22T10:00:00.000+08:00', dispatchedBy: 'zhou' };
    const late = { ...dep, lateAt: '2026-11-22T10:30:00.000+08:00' };
    const region = '620702001001';
    socket.deliver('alert', alert('x', { state: 'dispatched', region, departments: [dep] }));
    expect(c.notice).toBeNull();
    socket.deliver('alert', alert('x', { state: 'dispatched', region, departments: [late] }));
    expect(c.notice).toEqual({ kind: 'error', text: '公安局 报到超时' });
    const beeps = c.beeper.count;
    expect(beeps).toBe(1);
    socket.deliver('alert', alert('x', { state: 'dispatched', region, departments: [late], count: 2 }));
    expect(c.beeper.count).toBe(beeps);
    stop();
  });

  it('tells the desk when a department asks for help (请求协办), with what it asked', async () => {
    const socket = new FakeSocket();
    const c = new DutyConsole({
      api: fakeApi(),
      socket: socket as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    const stop = c.start();
    await flush();
    const dep = { name: '公安局', dispatchedAt: '2026-11-22T10:00:00.000+08:00', dispatchedBy: 'zhou' };
    const asked = { ...dep, assist: { text: '需要司法所到场', at: '2026-11-22T10:20:00.000+08:00', by: 'police' } };
    const region = '620702001001';
    socket.deliver('alert', alert('x', { state: 'dispatched', region, departments: [dep] }));
    socket.deliver('alert', alert('x', { state: 'dispatched', region, departments: [asked] }));
    expect(c.notice).toEqual({ kind: 'error', text: '公安局 请求协办：需要司法所到场' });
    stop();
  });

  it('says who signed first when a sign is refused', async () => {
    const refused = new ApiFailure(409, 'conflict', 'already signed by wu', {
      state: 'acknowledged',
      signedBy: 'wu',
    });
    const socket = new FakeSocket();
    const api = fakeApi({ act: vi.fn(async () => Promise.reject(refused)) });
    const c = new DutyConsole({
      api,
      socket: socket as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    const stop = c.start();
    c.queue.upsert(alert('x', { level: 'red' }) as AlertView);
    expect(await c.act('ack')).toBe(false);
    expect(c.notice).toEqual({ kind: 'error', text: '已由 wu 签收' });
    stop();
  });

  it('asks for a note before resolving, and explains an illegal step in Chinese', async () => {
    const c = new DutyConsole({
      api: fakeApi(),
      socket: new FakeSocket() as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    c.queue.upsert(alert('x', { state: 'acknowledged' }));
    expect(await c.act('resolve')).toBe(false);
    expect(c.notice?.text).toContain('办理情况');
    expect(refusalText(new ApiFailure(409, 'illegal_transition', 'x', { state: 'closed' }), 'resolve')).toBe(
      '当前状态为「已核验」，不能办结',
    );
  });

  it('lets a wall only watch, and only an upper level supervise', () => {
    const mk = (u: typeof user) =>
      new DutyConsole({
        api: fakeApi(),
        socket: new FakeSocket() as unknown as WallSocket,
        user: u,
        now: () => 0,
        onAuthLost: () => undefined,
      });
    const a = alert('x', { desk: '620702001', region: '620702001001' });
    expect(mk({ ...user, role: 'wall' }).can('ack', a)).toBe(false);
    expect(mk(user).can('ack', a)).toBe(true);
    expect(mk(user).can('supervise', a)).toBe(true);
    expect(mk({ ...user, region: '620702001' }).can('supervise', a)).toBe(false);
    expect(mk({ ...user, region: '620102' }).can('ack', a)).toBe(false);
  });
});

/**
 * The server as the console sees it: one alert whose steps keep its updatedAt (a server clock
 * that did not move between them), and a history that grows with each step.
 */
function stillServer(start: AlertView) {
  let current = start;
  const history: AlertDetail['history'] = [];
  const step = (id: string, action: string, body: { note?: string }) => {
    if (action === 'ack') current = { ...current, state: 'acknowledged', signedBy: 'zhou' };
    if (action === 'dispatch') current = { ...current, state: 'dispatched' };
    history.push({ seq: history.length + 1, at: current.updatedAt, action, by: 'zhou', ...body } as never);
    return current;
  };
  const api = fakeApi({
    list: vi.fn(async (_region: string, state?: string) => (state === 'resolved' ? [] : [current])),
    detail: vi.fn(async () => ({ alert: current, explanation: '', history: [...history], events: [] }) as AlertDetail),
    act: vi.fn(async (id: string, action: string, body: { note?: string }) => step(id, action, body)),
  });
  return { api, step, current: () => current };
}

describe('the detail at a desk whose server stamps two steps alike', () => {
  const user = { username: 'zhou', role: 'duty', region: '620702' };
  const grouped = alert('x', { rule: 'overdue', count: 12, region: '620702001001', desk: '620702' });

  async function open(api: DutyApi): Promise<{ c: DutyConsole; socket: FakeSocket; stop: () => void }> {
    const socket = new FakeSocket();
    const c = new DutyConsole({
      api,
      socket: socket as unknown as WallSocket,
      user,
      now: () => 0,
      onAuthLost: () => undefined,
    });
    const stop = c.start();
    await flush();
    // Selected: the console loads its detail once the alert is announced.
    socket.deliver('alert', grouped);
    await flush();
    expect(c.detail?.alert.state).toBe('new');
    return { c, socket, stop };
  }

  it('shows 签收 in the detail although the reply keeps the alert’s updatedAt', async () => {
    const server = stillServer(grouped);
    const { c, stop } = await open(server.api);
    expect(await c.act('ack')).toBe(true);
    expect(server.current().updatedAt).toBe(grouped.updatedAt);
    expect(c.queue.selected?.state).toBe('acknowledged');
    expect(c.detail?.alert.state).toBe('acknowledged');
    expect(c.notice).toEqual({ kind: 'ok', text: '已签收' });
    stop();
  });

  it('follows a step another desk took, announced with the same updatedAt', async () => {
    const server = stillServer(grouped);
    const { c, socket, stop } = await open(server.api);
    socket.deliver('alert', server.step('x', 'ack', {}));
    await flush();
    expect(c.detail?.alert.state).toBe('acknowledged');
    stop();
  });

  it('shows a 备注 in the history although the alert’s view did not change at all', async () => {
    const server = stillServer(grouped);
    const { c, stop } = await open(server.api);
    c.note = '已电话联系村调解员';
    expect(await c.act('note')).toBe(true);
    expect(server.current()).toEqual(grouped);
    expect(c.detail?.history.map((h) => h.note)).toEqual(['已电话联系村调解员']);
    stop();
  });

  it('keeps the newest detail when an older reply for the same view arrives last', async () => {
    const server = stillServer(grouped);
    const replies: Array<(d: AlertDetail) => void> = [];
    const { c, stop } = await open(server.api);
    const slow = vi.mocked(server.api.detail);
    slow.mockImplementationOnce(() => new Promise((r) => replies.push(r)));
    const stale = { alert: grouped, explanation: '', history: [], events: [] } as AlertDetail;
    const first = c.loadDetail(grouped, true);
    c.note = '已电话联系村调解员';
    expect(await c.act('note')).toBe(true);
    replies[0]!(stale);
    await first;
    expect(c.detail?.history).toHaveLength(1);
    stop();
  });
});

describe('a click the console does not act on', () => {
  const user = { username: 'zhou', role: 'duty', region: '620702001' };
  const mk = (u = user, api = fakeApi()) =>
    new DutyConsole({
      api,
      socket: new FakeSocket() as unknown as WallSocket,
      user: u,
      now: () => 0,
      onAuthLost: () => undefined,
    });

  it('says to select an alert when none is, and to wait while the last step is under way', async () => {
    let answer: (a: AlertView) => void = () => undefined;
    const api = fakeApi({ act: vi.fn(() => new Promise<AlertView>((r) => (answer = r))) });
    const c = mk(user, api);
    expect(await c.act('ack')).toBe(false);
    expect(c.notice).toEqual({ kind: 'error', text: NONE_SELECTED_TEXT });
    c.queue.upsert(alert('x', { region: '620702001001', desk: '620702001' }));
    const first = c.act('ack');
    expect(c.busy).toBe(true);
    expect(await c.act('ack')).toBe(false);
    expect(c.notice).toEqual({ kind: 'error', text: BUSY_TEXT });
    answer(alert('x', { region: '620702001001', desk: '620702001', state: 'acknowledged' }));
    expect(await first).toBe(true);
    expect(api.act).toHaveBeenCalledTimes(1);
  });

  it('names the reason: the alert’s state, a desk above, a wall account, supervision', () => {
    const here = alert('x', { region: '620702001001', desk: '620702001' });
    const c = mk();
    expect(c.refusal('ack', here)).toBeNull();
    expect(c.refusal('close', here)).toBe('当前状态为「新预警」，不能核验');
    expect(c.refusal('ack', { ...here, state: 'acknowledged' })).toBe('当前状态为「已签收」，不能签收');
    expect(c.refusal('ack', { ...here, desk: '620702' })).toBe('该预警已升级至上级值班台，本级不能签收');
    expect(c.refusal('note', { ...here, desk: '620702' })).toBeNull();
    expect(c.refusal('supervise', here)).toBe('督办针对下级值班台的预警，本级的预警请直接处置');
    expect(mk({ ...user, region: '620702' }).refusal('supervise', here)).toBeNull();
    expect(mk({ ...user, region: '620702' }).refusal('supervise', { ...here, supervised: true })).toBe(
      '该预警已挂牌督办',
    );
    expect(mk({ ...user, role: 'wall' }).refusal('ack', here)).toBe('大屏账号只能查看预警，不能处置');
    expect(c.refusal('ack', null)).toBe(NONE_SELECTED_TEXT);
  });
});

describe('the server’s clock at a PC whose own is off', () => {
  it('counts on the server’s time once the server said it, and ignores a stamp it cannot read', () => {
    let page = Date.parse('2026-11-22T10:00:00.000+08:00');
    const c = new ServerClock(() => page);
    expect(c.now).toBe(page);
    c.heard('2026-11-22T10:11:00.000+08:00');
    page += 30_000;
    expect(new Date(c.now).toISOString()).toBe('2026-11-22T02:11:30.000Z');
    c.heard('not a time');
    expect(c.offset).toBe(11 * 60_000);
  });
});
