import { describe, expect, it, vi } from 'vitest';
import type { DeptApi, Task, TaskState } from '../../../client/src/dept/api.ts';
import type { DepartmentView } from '../../../shared/schemas/alert.ts';
import { ApiFailure } from '../../../client/src/lib/api.ts';
import { TaskBoard } from '../../../client/src/dept/state/tasks.svelte.ts';
import { alert } from './fixtures.ts';

const DEP = 'dep-620702-police';

function row(over: Partial<DepartmentView> = {}): DepartmentView {
  return {
    id: DEP,
    name: '公安局',
    dispatchedAt: '2026-11-22T10:00:00.000+08:00',
    dispatchedBy: 'zhou',
    reportBy: '2026-11-22T10:30:00.000+08:00',
    ...over,
  };
}

function task(id: string, state: TaskState = 'pending', over: Partial<DepartmentView> = {}): Task {
  return { state, department: DEP, alert: alert(id, { state: 'dispatched', departments: [row(over)] }) };
}

type BoardApi = Pick<DeptApi, 'tasks' | 'act'>;

function fakeApi(lists: Partial<Record<TaskState, Task[]>> = {}, over: Partial<BoardApi> = {}): BoardApi {
  return {
    tasks: vi.fn(async (state: TaskState) => lists[state] ?? []),
    act: vi.fn(async () => ({})),
    ...over,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the department task board', () => {
  it('loads the three lists and counts them for the tabs', async () => {
    const board = new TaskBoard(fakeApi({ pending: [task('a'), task('b')], active: [task('c', 'active')] }));
    await board.reload();
    expect(board.counts).toEqual({ pending: 2, active: 1, done: 0 });
    expect(board.shown.map((t) => t.alert.id)).toEqual(['a', 'b']);
    board.tab = 'active';
    expect(board.shown.map((t) => t.alert.id)).toEqual(['c']);
  });

  it('puts the task whose report-in deadline comes first at the top of 待报到', async () => {
    const board = new TaskBoard(
      fakeApi({
        pending: [
          task('later', 'pending', { reportBy: '2026-11-22T12:00:00.000+08:00' }),
          task('sooner', 'pending', { reportBy: '2026-11-22T10:05:00.000+08:00' }),
        ],
      }),
    );
    await board.reload();
    expect(board.shown.map((t) => t.alert.id)).toEqual(['sooner', 'later']);
  });

  it('moves a known task to 办理中 when the live alert says its department reported in', async () => {
    const api = fakeApi({ pending: [task('a')] });
    const board = new TaskBoard(api);
    await board.reload();
    const reported = task('a', 'active', { checkedInAt: '2026-11-22T10:10:00.000+08:00' }).alert;
    board.receive(reported);
    expect(board.counts).toEqual({ pending: 0, active: 1, done: 0 });
    expect(api.tasks).toHaveBeenCalledTimes(3);
  });

  it('loads the lists again when a live alert is new to the page, so a new task appears', async () => {
    const lists: Partial<Record<TaskState, Task[]>> = { pending: [] };
    const board = new TaskBoard(fakeApi(lists));
    await board.reload();
    lists.pending = [task('new')];
    board.receive(task('new').alert);
    await flush();
    expect(board.lists.pending.map((t) => t.alert.id)).toEqual(['new']);
  });

  it('refuses a feedback without text before asking the server', async () => {
    const api = fakeApi({ active: [task('a', 'active')] });
    const board = new TaskBoard(api);
    expect(await board.feedback('a', '  ', 'handled')).toBe(false);
    expect(api.act).not.toHaveBeenCalled();
    expect(board.notice).toEqual({ kind: 'error', text: '请填写办理情况' });
    board.stop();
  });

  it('reports in with an empty body and loads the lists again', async () => {
    const api = fakeApi({ pending: [task('a')] });
    const board = new TaskBoard(api);
    expect(await board.checkin('a')).toBe(true);
    expect(api.act).toHaveBeenCalledWith('a', 'checkin', {});
    expect(api.tasks).toHaveBeenCalledTimes(3);
    expect(board.notice?.kind).toBe('ok');
    board.stop();
  });

  it('says in Chinese why the server refused, never its message', async () => {
    const api = fakeApi(
      {},
      {
        act: vi.fn(async () => {
          throw new ApiFailure(409, 'conflict', 'already checked in');
        }),
      },
    );
    const board = new TaskBoard(api);
    expect(await board.assist('a', '需要公安协助')).toBe(false);
    expect(board.notice).toEqual({ kind: 'error', text: '状态冲突' });
    board.stop();
  });
});
