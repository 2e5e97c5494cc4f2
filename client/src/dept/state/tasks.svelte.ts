import { ApiFailure, ERROR_TEXT } from '../../lib/api.ts';
import type { AlertView } from '../../../../shared/schemas/alert.ts';
import {
  ownRow,
  taskStateOf,
  TASK_STATES,
  type DeptApi,
  type FeedbackResult,
  type Task,
  type TaskState,
} from '../api.ts';

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

type Lists = Record<TaskState, Task[]>;

const at = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

/** 待报到 by the deadline that bites first; the others newest first. */
function sorted(state: TaskState, tasks: Task[]): Task[] {
  const copy = [...tasks];
  const row = (t: Task) => ownRow(t.alert, t.department);
  if (state === 'pending') return copy.sort((a, b) => at(row(a)?.reportBy) - at(row(b)?.reportBy));
  const when = (t: Task) => {
    const r = row(t);
    return Date.parse(r?.feedback?.at ?? r?.checkedInAt ?? r?.dispatchedAt ?? t.alert.updatedAt);
  };
  return copy.sort((a, b) => when(b) - when(a));
}

/**
 * A department's tasks (中心吹哨、部门报到) in the three lists of its page: 待报到, 办理中, 已反馈.
 * Loaded whole on every (re)connect; live updates move one task between lists.
 */
export class TaskBoard {
  tab = $state<TaskState>('pending');
  lists = $state.raw<Lists>({ pending: [], active: [], done: [] });
  loaded = $state(false);
  /** The alert whose task is being sent, so its buttons wait. */
  busy = $state<string | null>(null);
  notice = $state.raw<Notice | null>(null);
  readonly shown = $derived(this.lists[this.tab]);
  readonly counts = $derived({
    pending: this.lists.pending.length,
    active: this.lists.active.length,
    done: this.lists.done.length,
  });
  readonly #api: Pick<DeptApi, 'tasks' | 'act'>;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #gen = 0;

  readonly #onAuthLost: () => void;

  constructor(api: Pick<DeptApi, 'tasks' | 'act'>, onAuthLost: () => void = () => undefined) {
    this.#api = api;
    this.#onAuthLost = onAuthLost;
  }

  async reload(): Promise<void> {
    // Live updates may start reloads that overlap: only the latest one's answer is shown.
    const gen = ++this.#gen;
    try {
      const [pending, active, done] = await Promise.all(TASK_STATES.map((s) => this.#api.tasks(s)));
      if (gen !== this.#gen) return;
      this.lists = {
        pending: sorted('pending', pending ?? []),
        active: sorted('active', active ?? []),
        done: sorted('done', done ?? []),
      };
      this.loaded = true;
    } catch (err) {
      this.#failed(err);
    }
  }

  /**
   * A new or changed alert from the department's room. Which of its departments is ours is known
   * from the tasks already listed; an alert new to the page is loaded through the task list.
   */
  receive(alert: AlertView): void {
    const known = TASK_STATES.flatMap((s) => this.lists[s]).find((t) => t.alert.id === alert.id);
    const row = known && ownRow(alert, known.department);
    if (!known || !row) return void this.reload();
    this.#place({ ...known, alert, state: taskStateOf(row) });
  }

  #place(task: Task): void {
    const id = task.alert.id;
    const next = {} as Lists;
    for (const s of TASK_STATES) {
      const rest = this.lists[s].filter((t) => t.alert.id !== id);
      next[s] = s === task.state ? sorted(s, [task, ...rest]) : rest;
    }
    this.lists = next;
  }

  checkin(alertId: string): Promise<boolean> {
    return this.#send(alertId, 'checkin', {}, '已报到');
  }

  feedback(alertId: string, text: string, result: FeedbackResult): Promise<boolean> {
    if (!text.trim()) return Promise.resolve(this.#refuse('请填写办理情况'));
    return this.#send(alertId, 'feedback', { text: text.trim(), result }, '已反馈');
  }

  assist(alertId: string, text: string): Promise<boolean> {
    if (!text.trim()) return Promise.resolve(this.#refuse('请写明需要协办的事项'));
    return this.#send(alertId, 'assist', { text: text.trim() }, '已请求协办');
  }

  stop(): void {
    clearTimeout(this.#noticeTimer);
  }

  async #send(
    alertId: string,
    action: 'checkin' | 'feedback' | 'assist',
    body: object,
    done: string,
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = alertId;
    try {
      await this.#api.act(alertId, action, body as never);
      this.#say('ok', done);
      await this.reload();
      return true;
    } catch (err) {
      this.#failed(err);
      return false;
    } finally {
      this.busy = null;
    }
  }

  #refuse(text: string): false {
    this.#say('error', text);
    return false;
  }

  #failed(err: unknown): void {
    if (err instanceof ApiFailure && err.code === 'unauthenticated') return this.#onAuthLost();
    this.#say('error', err instanceof ApiFailure ? ERROR_TEXT[err.code] : ERROR_TEXT.internal);
  }

  #say(kind: Notice['kind'], text: string): void {
    this.notice = { kind, text };
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = null), kind === 'error' ? 8000 : 4000);
  }
}
