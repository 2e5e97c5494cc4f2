import type { ErrorCode } from '../../../shared/ack.ts';
import type { RegionInfo } from '../../../shared/regions.ts';
import type { SafetyIndexReply } from '../../../shared/schemas/safety-index.ts';
import type { TimelinessReply } from '../../../shared/schemas/timeliness.ts';
import type { AssessmentReply } from '../../../shared/schemas/assessment.ts';
import type { LoginReply } from '../../../shared/schemas/user.ts';
import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import type { ReplayEventsReply } from '../../../shared/schemas/replay.ts';

/** A failed HTTP call, with the server's error code (or a client-side one for network failures). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** The server's `error.details`, e.g. who signed an alert first. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export type Request = <T>(path: string, init?: RequestInit) => Promise<T>;

/**
 * A JSON request with the bearer token: the reply body, or an {@link ApiFailure} with the server's
 * whitelisted code and details — never a raw response.
 */
export function createRequest(getToken: () => string | null, fetchImpl: typeof fetch = (...a) => fetch(...a)): Request {
  return async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetchImpl(path, { ...init, headers });
    } catch {
      throw new ApiFailure(0, 'unavailable', 'network error');
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (body as { error?: { code?: ErrorCode; message?: string; details?: Record<string, unknown> } } | null)
        ?.error;
      const code: ErrorCode =
        err?.code ?? (res.status === 401 ? 'unauthenticated' : res.status === 404 ? 'not_found' : 'internal');
      throw new ApiFailure(res.status, code, err?.message ?? res.statusText, err?.details ?? {});
    }
    if (body === null) throw new ApiFailure(res.status, 'internal', 'empty reply');
    return body as T;
  };
}

export type { LoginReply };

/** GeoJSON of a region's children as served by /geo/<code>.json (only what the wall reads). */
export interface RegionFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    properties: { code: string; name: string; cp?: [number, number] };
    geometry: unknown;
  }>;
}

export interface Api {
  login(username: string, password: string): Promise<LoginReply>;
  region(code: string): Promise<RegionInfo>;
  geo(code: string): Promise<RegionFeatureCollection>;
  /** 平安指数 of a region for a month (`YYYY-MM`, default the current one). */
  index(code: string, month?: string): Promise<SafetyIndexReply>;
  /** 上报及时率 of a region (province to township) for a month (`YYYY-MM`, default the current one). */
  timeliness(code: string, month?: string): Promise<TimelinessReply>;
  /** 督办考核 of a region's child desks and departments (province to township) for a month. */
  assessment(code: string, month?: string): Promise<AssessmentReply>;
  /** The snapshot of a region as it was at a past moment (回放). */
  snapshotAt(code: string, at: number): Promise<Snapshot>;
  /** The ticker's events of a past window (from excluded, to included). */
  replayEvents(code: string, from: number, to: number): Promise<ReplayEventsReply>;
}

/**
 * The REST client. Every request carries `Authorization: Bearer <token>`; errors come back as
 * {@link ApiFailure} with the server's whitelisted code, never as a raw response.
 */
export function createApi(getToken: () => string | null, fetchImpl: typeof fetch = (...a) => fetch(...a)): Api {
  const request = createRequest(getToken, fetchImpl);

  return {
    login: (username, password) =>
      request<LoginReply>('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      }),
    region: (code) => request<RegionInfo>(`/api/v1/regions/${encodeURIComponent(code)}`),
    geo: (code) => request<RegionFeatureCollection>(`/geo/${encodeURIComponent(code)}.json`),
    index: (code, month) =>
      request<SafetyIndexReply>(
        `/api/v1/index/${encodeURIComponent(code)}${month ? `?month=${encodeURIComponent(month)}` : ''}`,
      ),
    snapshotAt: (code, at) =>
      request<Snapshot>(
        `/api/v1/snapshot/${encodeURIComponent(code)}?at=${encodeURIComponent(new Date(at).toISOString())}`,
      ),
    replayEvents: (code, from, to) =>
      request<ReplayEventsReply>(
        `/api/v1/replay/${encodeURIComponent(code)}/events?from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`,
      ),
    timeliness: (code, month) =>
      request<TimelinessReply>(
        `/api/v1/timeliness/${encodeURIComponent(code)}${month ? `?month=${encodeURIComponent(month)}` : ''}`,
      ),
    assessment: (code, month) =>
      request<AssessmentReply>(
        `/api/v1/assessment/${encodeURIComponent(code)}${month ? `?month=${encodeURIComponent(month)}` : ''}`,
      ),
  };
}

/** Chinese text for an error code, for the screen (the server's message stays in the log). */
export const ERROR_TEXT: Record<ErrorCode, string> = {
  bad_request: '请求有误',
  unauthenticated: '登录已失效，请重新登录',
  forbidden: '无权访问',
  out_of_scope: '超出本账号的管辖范围',
  not_found: '未找到',
  unknown_region: '区域不存在',
  conflict: '状态冲突',
  illegal_transition: '操作不允许',
  too_many_subscriptions: '订阅过多',
  payload_too_large: '数据过大',
  rate_limited: '请求过于频繁',
  unavailable: '服务暂不可用',
  internal: '服务内部错误',
  not_your_task: '该任务未分派给本部门',
  not_your_department: '只能为本部门登记',
  not_checked_in: '请先报到再反馈',
  deadline_past: '督办期限须晚于当前时间',
  own_desk: '不能督办本级值班台的预警',
  supervisor_verifies: '督办事项须由督办单位核验',
  too_many_rows: '导出行数超过上限，请缩小范围',
  wall_not_found: '大屏不在线或不存在',
  wall_out_of_scope: '该大屏不在本账号管辖范围内',
  target_out_of_scope: '大屏的登录账号无权查看该内容',
  order_expired: '推送已过期',
  replay_out_of_range: '回放时刻须在过去且在可回放期限内',
};
