import { ALERT_ACTION_LABELS, canDo, type AlertAction, type AlertDetail } from '../../../../shared/alert-machine.ts';
import { ALERT_STATE_LABELS, type AlertView } from '../../../../shared/schemas/alert.ts';
import type { Snapshot } from '../../../../shared/schemas/snapshot.ts';
import type { Ack } from '../../../../shared/ack.ts';
import type { Department } from '../../../../shared/schemas/department.ts';
import { ALERT_ACTORS } from '../../../../shared/roles.ts';
import { isWithin } from '../../../../shared/regions.ts';
import { ERROR_TEXT } from '../../lib/api.ts';
import type { SessionUser } from '../../lib/auth.ts';
import { isAuthError, listen, type WallSocket } from '../../lib/socket.ts';
import { ConnectionState } from '../../lib/state/connection.svelte.ts';
import { PipelineState } from '../../lib/state/pipeline.svelte.ts';
import { ServerClock } from '../../lib/state/server-clock.svelte.ts';
import type { ActionBody, ClosedFilter, DutyApi, Recording, RefusalDetails } from '../api.ts';
import { ApiFailure } from '../../lib/api.ts';
import { Beeper } from '../sound.svelte.ts';
import { DutyQueue } from './queue.svelte.ts';

const ACTORS: ReadonlySet<string> = new Set(ALERT_ACTORS);
/** Actions whose note is the point of the action: what was done, why it goes up. */
const NOTE_REQUIRED: ReadonlySet<AlertAction> = new Set(['resolve', 'escalate', 'note']);

const DONE_TEXT: Record<AlertAction, string> = {
  ack: '已签收',
  dispatch: '已分派',
  checkin: '已登记报到',
  resolve: '已办结',
  close: '已核验',
  escalate: '已升级至上级值班台',
  note: '已备注',
  supervise: '已督办',
  feedback: '已登记反馈',
  assist: '已请求协办',
};

/** Said when a click or key comes while the last action is still on its way to the server. */
export const BUSY_TEXT = '正在处理上一步操作，请稍候';
/** Said when an action is asked for with no alert selected. */
export const NONE_SELECTED_TEXT = '请先在左侧列表中选择一条预警';

/**
 * What the detail was loaded for: the alert's whole view, not its updatedAt. Two versions of an
 * alert may carry the same updatedAt (the server stamps milliseconds; a server clock held still,
 * stepped back, or two steps in one millisecond), and the detail must still follow the queue.
 */
export function viewVersion(a: AlertView): string {
  return JSON.stringify(a);
}

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

/** Chinese text for a refused action, naming who signed first when that is the reason. */
export function refusalText(err: unknown, action: AlertAction): string {
  if (!(err instanceof ApiFailure)) return ERROR_TEXT.internal;
  const d = err.details as RefusalDetails;
  if (d.signedBy && (err.code === 'conflict' || action === 'ack')) return `已由 ${d.signedBy} 签收`;
  if (d.unreported?.length) return `尚有部门未报到：${d.unreported.join('、')}，请写明原因后再办结`;
  if (err.code === 'illegal_transition' && d.state)
    return `当前状态为「${ALERT_STATE_LABELS[d.state]}」，不能${ALERT_ACTION_LABELS[action]}`;
  if (err.code === 'bad_request' && d.errors?.some((e) => e.startsWith('note'))) return '请填写处置说明';
  if (err.code === 'bad_request' && d.errors?.some((e) => e.startsWith('departments'))) return '请选择要分派的部门';
  return ERROR_TEXT[err.code];
}

/** Departments the server has just flagged late to report (lateAt new since the alert we had). */
function newlyLate(before: AlertView | undefined, after: AlertView): string[] {
  if (!before) return [];
  const key = (d: { id?: string; name: string }) => d.id ?? d.name;
  const known = new Set((before.departments ?? []).filter((d) => d.lateAt).map(key));
  return (after.departments ?? []).filter((d) => d.lateAt && !d.checkedInAt && !known.has(key(d))).map((d) => d.name);
}

/** 请求协办 that arrived with this change: `公安局 请求协办：…`. */
function newAssists(before: AlertView | undefined, after: AlertView): string[] {
  if (!before) return [];
  const key = (d: { id?: string; name: string }) => d.id ?? d.name;
  const seen = new Map((before.departments ?? []).map((d) => [key(d), d.assist?.at]));
  return (after.departments ?? [])
    .filter((d) => d.assist && d.assist.at !== seen.get(key(d)))
    .map((d) => `${d.name} 请求协办：${d.assist!.text}`);
}

export interface ConsoleDeps {
  api: DutyApi;
  socket: WallSocket;
  user: SessionUser;
  /** Reads a reactive clock, epoch ms. */
  now: () => number;
  onAuthLost: () => void;
}

/**
 * The duty officer's console: the queue of the home region's alerts (REST on every (re)connect,
 * then `alert` events), the selected alert's detail, the actions, the red-alert sound. `start()`
 * registers every listener and returns the teardown that removes them.
 */
export class DutyConsole {
  readonly queue: DutyQueue;
  readonly connection: ConnectionState;
  /** 数据处理延迟: alerts may be late while the aggregate trails ingest. */
  readonly pipeline: PipelineState;
  /** The server's time: the queue's and the detail's deadlines are counted on it, not the PC's. */
  readonly serverClock: ServerClock;
  readonly beeper = new Beeper();
  readonly user: SessionUser;
  detail = $state.raw<AlertDetail | null>(null);
  note = $state('');
  busy = $state(false);
  notice = $state.raw<Notice | null>(null);
  /** The registry departments the desk may dispatch to; free text stays possible for a one-off. */
  registry = $state.raw<Department[]>([]);
  readonly #deps: ConsoleDeps;
  #detailFor = '';
  /** The latest detail request: an older reply never overwrites a newer one. */
  #detailSeq = 0;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: ConsoleDeps) {
    this.#deps = deps;
    this.user = deps.user;
    this.queue = new DutyQueue(deps.user.region);
    this.connection = new ConnectionState(deps.now);
    this.pipeline = new PipelineState(deps.now);
    this.serverClock = new ServerClock(deps.now);
  }

  get canActAtAll(): boolean {
    return ACTORS.has(this.user.role);
  }

  /**
   * Why the officer may not take `action` on `a` now, in words for the desk; null when the console
   * sends it (the server checks again and says why it refuses).
   */
  refusal(action: AlertAction, a: AlertView | null): string | null {
    const label = ALERT_ACTION_LABELS[action];
    if (!a) return NONE_SELECTED_TEXT;
    if (!this.canActAtAll) return '大屏账号只能查看预警，不能处置';
    if (!canDo(action, a.state)) return `当前状态为「${ALERT_STATE_LABELS[a.state]}」，不能${label}`;
    const home = this.user.region;
    if (action === 'note') return null;
    if (!isWithin(a.desk, home)) return `该预警已升级至上级值班台，本级不能${label}`;
    if (action !== 'supervise') return null;
    if (a.supervised) return '该预警已挂牌督办';
    return a.desk === home ? '督办针对下级值班台的预警，本级的预警请直接处置' : null;
  }

  /** Whether the officer may take `action` on `a` now (the server checks again). */
  can(action: AlertAction, a: AlertView | null): boolean {
    return this.refusal(action, a) === null;
  }

  /** A click or key the console does not act on: the desk is told why, never left guessing. */
  tell(text: string): void {
    this.#say('error', text);
  }

  start(): () => void {
    const s = this.#deps.socket;
    const onConnect = () => {
      this.connection.markConnected(Date.now());
      s.emit('subscribe', this.user.region, (reply: Ack<Snapshot>) => {
        // A snapshot is read when it is asked for: its asOf is the server's now.
        if (reply.ok) this.serverClock.heard(reply.data.asOf);
        if (!reply.ok && reply.error.code === 'unauthenticated') this.#deps.onAuthLost();
      });
      void this.reload();
    };
    const onDisconnect = () => this.connection.markDisconnected();
    const onConnectError = (err: Error) => {
      if (isAuthError(err)) this.#deps.onAuthLost();
    };
    const onAlert = (a: AlertView) => {
      this.connection.heard(Date.now());
      const before = this.queue.items.find((x) => x.id === a.id);
      const late = newlyLate(before, a);
      const asks = newAssists(before, a);
      const fresh = this.queue.upsert(a);
      if (late.length) {
        // The sweep flagged a department: the desk must chase it now, not when it next looks.
        this.#say('error', `${late.join('、')} 报到超时`);
        this.beeper.beep();
      } else if (asks.length) this.#say('error', asks.join('；'));
      if (fresh && a.level === 'red' && a.state === 'new') this.beeper.beep();
      if (a.id === this.queue.selectedId) void this.loadDetail(a);
      // The 督办 list shows each item's state and lateness: it follows the alerts it lists.
      if (this.queue.supervising.some((x) => x.id === a.id)) void this.loadSupervision();
    };
    const onEnded = () => this.#deps.onAuthLost();
    const heard = () => this.connection.heard(Date.now());
    const onPipeline = (p: unknown) => {
      heard();
      this.pipeline.receive(p, Date.now());
    };
    const unlisten = listen(
      s,
      {
        connect: onConnect,
        disconnect: onDisconnect,
        connect_error: onConnectError,
        alert: onAlert,
        pipeline: onPipeline,
        'session:ended': onEnded,
      },
      heard,
    );
    if (s.connected) onConnect();
    else s.connect();
    if (this.canActAtAll) void this.loadRegistry();
    this.beeper.prepare();
    return () => {
      unlisten();
      clearTimeout(this.#noticeTimer);
      this.beeper.close();
    };
  }

  /** The whole list again: after a (re)connect nothing heard while away may be missing. */
  async reload(): Promise<void> {
    try {
      const [open, resolved] = await Promise.all([
        this.#deps.api.list(this.user.region, 'open'),
        this.#deps.api.list(this.user.region, 'resolved'),
      ]);
      this.queue.reset([...open, ...resolved]);
    } catch (err) {
      this.#failed(err);
    }
    await this.loadSupervision();
  }

  /** The 督办 tab: what this level supervises. A level that supervises nothing just shows none. */
  async loadSupervision(): Promise<void> {
    if (!this.canActAtAll) return;
    try {
      this.queue.supervising = (await this.#deps.api.supervision(this.user.region)).flatMap((i) =>
        'alert' in i ? [i.alert] : [],
      );
    } catch {
      // The work queue matters more than this list; the next reconnect or action tries again.
    }
  }

  async loadRegistry(): Promise<void> {
    try {
      this.registry = await this.#deps.api.departments(this.user.region);
    } catch (err) {
      this.#failed(err);
    }
  }

  /** The 已办结 tab's search; the results replace the last ones. */
  async searchClosed(filter: ClosedFilter): Promise<void> {
    try {
      this.queue.closed = await this.#deps.api.closed(filter);
    } catch (err) {
      this.#failed(err);
    }
  }

  /**
   * Loads the detail of an alert unless it is loaded for this very view already; `fresh` loads it
   * anyway (after the desk's own step, whose history has a line more whatever the view says).
   */
  async loadDetail(a: AlertView, fresh = false): Promise<void> {
    const key = viewVersion(a);
    if (!fresh && this.#detailFor === key) return;
    this.#detailFor = key;
    const seq = ++this.#detailSeq;
    try {
      const d = await this.#deps.api.detail(a.id);
      if (seq === this.#detailSeq) this.detail = d;
    } catch (err) {
      if (seq === this.#detailSeq) this.#failed(err);
    }
  }

  async act(action: AlertAction, extra: ActionBody = {}): Promise<boolean> {
    const a = this.queue.selected;
    if (!a || this.busy) {
      this.#say('error', a ? BUSY_TEXT : NONE_SELECTED_TEXT);
      return false;
    }
    const note = this.note.trim();
    if (NOTE_REQUIRED.has(action) && !note) {
      this.#say(
        'error',
        `请先在「处置说明」中写明${action === 'resolve' ? '办理情况' : action === 'escalate' ? '升级原因' : '备注内容'}`,
      );
      return false;
    }
    this.busy = true;
    try {
      // A feedback's words are its `text`; its body has no note.
      const withNote = note && action !== 'feedback' && action !== 'assist';
      const updated = await this.#deps.api.act(a.id, action, { ...(withNote ? { note } : {}), ...extra });
      // Every step stamps the alert with the server's now.
      this.serverClock.heard(updated.updatedAt);
      this.queue.upsert(updated);
      if (action === 'supervise' || updated.supervision) void this.loadSupervision();
      this.note = '';
      this.#say(
        'ok',
        action === 'checkin' && extra.department && !extra.onBehalf ? `${extra.department}已报到` : DONE_TEXT[action],
      );
      // 核验 moves the selection on to the next alert: load that one's detail, not the closed one's.
      const next = this.queue.selected;
      if (next) await this.loadDetail(next, true);
      return true;
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'unauthenticated') this.#deps.onAuthLost();
      this.#say('error', refusalText(err, action));
      // Someone else moved it: show what it is now.
      void this.reload();
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** 代为报到 / 代为反馈: the desk records what a department said by phone, with the reason kept. */
  record(r: Recording): Promise<boolean> {
    const { kind, ...body } = r;
    return this.act(kind, { ...body, onBehalf: true });
  }

  /** 事事有回音: every department fed back; their feedback becomes the 办结 note, after the officer's own. */
  resolveGathered(gathered: string): Promise<boolean> {
    // Busy: say so before touching the note, or a second click would add the feedback twice.
    if (this.busy) return this.act('resolve');
    const own = this.note.trim();
    // The server keeps 500 characters of a note; every feedback stays whole in the history anyway.
    this.note = (own ? `${own}\n${gathered}` : gathered).slice(0, 500);
    return this.act('resolve');
  }

  #failed(err: unknown): void {
    if (err instanceof ApiFailure && err.code === 'unauthenticated') return this.#deps.onAuthLost();
    this.#say('error', err instanceof ApiFailure ? ERROR_TEXT[err.code] : ERROR_TEXT.internal);
  }

  #say(kind: Notice['kind'], text: string): void {
    this.notice = { kind, text };
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = null), kind === 'error' ? 8000 : 4000);
  }
}
