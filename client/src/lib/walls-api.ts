import type { AlertDetail } from '../../../shared/schemas/alert-replies.ts';
import type { ProblemDetail } from '../../../shared/schemas/problem.ts';
import type { FocusTargetInput, WallOrder, WallView } from '../../../shared/schemas/wall.ts';
import { createRequest } from './api.ts';

/** Which walls an order is for: named ones, a group, or both. */
export interface WallPick {
  walls?: string[];
  group?: string;
}

/** 一键上墙 (DESIGN.md "Walls and replay") for the console and a commander's wall. */
export interface WallsApi {
  list(): Promise<WallView[]>;
  focus(pick: WallPick, target: FocusTargetInput, until?: string): Promise<WallOrder>;
  release(pick: WallPick): Promise<string[]>;
  releaseOrder(id: string): Promise<string[]>;
  /** An alert's detail for its card (研判说明, history); refused to a public screen. */
  alertDetail(id: string): Promise<AlertDetail>;
  /** A 重点问题 in full for its card; refused to a public screen. */
  problemDetail(id: string): Promise<ProblemDetail>;
}

export function createWallsApi(
  getToken: () => string | null,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): WallsApi {
  const request = createRequest(getToken, fetchImpl);
  const post = <T>(path: string, body: unknown) =>
    request<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return {
    list: async () => (await request<{ walls: WallView[] }>('/api/v1/walls')).walls,
    focus: async (pick, target, until) =>
      (await post<{ order: WallOrder }>('/api/v1/walls/focus', { ...pick, target, ...(until ? { until } : {}) })).order,
    release: async (pick) =>
      (await post<{ released: string[] }>('/api/v1/walls/focus', { ...pick, release: true })).released,
    releaseOrder: async (id) =>
      (await request<{ released: string[] }>(`/api/v1/walls/orders/${encodeURIComponent(id)}`, { method: 'DELETE' }))
        .released,
    alertDetail: (id) => request<AlertDetail>(`/api/v1/alerts/${encodeURIComponent(id)}`),
    problemDetail: (id) => request<ProblemDetail>(`/api/v1/problems/${encodeURIComponent(id)}`),
  };
}
