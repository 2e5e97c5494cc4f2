import type { AlertAction, AlertDetail } from '../../../shared/alert-machine.ts';
import type { AlertView, RuleId } from '../../../shared/schemas/alert.ts';
import type { Department, FeedbackResult } from '../../../shared/schemas/department.ts';
import type { ProblemSupervisionItem, SupervisionItem } from '../../../shared/schemas/supervision.ts';
import { createRequest } from '../lib/api.ts';

/** A report-in or feedback the desk records for a department (代为报到 / 代为反馈). */
export interface Recording {
  kind: 'checkin' | 'feedback';
  /** Registry id, or the name an ad-hoc department was dispatched under. */
  department: string;
  reason: string;
  text?: string;
  result?: FeedbackResult;
}

/** What the server says about a refused action: the state it found and, for a sign, who was first. */
export interface RefusalDetails {
  action?: AlertAction;
  state?: AlertView['state'];
  signedBy?: string;
  signedAt?: string;
  errors?: string[];
  /** 办结 refused: the departments that have not checked in. */
  unreported?: string[];
}

export interface ActionBody {
  note?: string;
  departments?: string[];
  department?: string;
  /** checkin / feedback recorded by the desk for a department (by phone), with why. */
  onBehalf?: true;
  reason?: string;
  text?: string;
  result?: FeedbackResult;
  /** supervise: ISO 8601 with offset, and 督办要求. */
  deadline?: string;
  requirement?: string;
  /** 办结 although departments have not checked in: why. */
  override?: string;
}

/** The 已办结 search: a region of the officer's subtree, a rule, Beijing days `YYYY-MM-DD`. */
export interface ClosedFilter {
  region: string;
  rule?: RuleId;
  from?: string;
  to?: string;
}

export interface DutyApi {
  /** Open alerts of a subtree (`state` open), or those awaiting verification (`resolved`). */
  list(region: string, state?: 'open' | 'resolved'): Promise<AlertView[]>;
  /** Closed (已核验) alerts matching the search, newest first. */
  closed(filter: ClosedFilter): Promise<AlertView[]>;
  detail(id: string): Promise<AlertDetail>;
  act(id: string, action: AlertAction, body: ActionBody): Promise<AlertView>;
  /** The registry departments a desk of `region` may call: its own, then its ancestors'. */
  departments(region: string): Promise<Department[]>;
  /** What the level `region` supervises (挂牌督办), overdue first. */
  supervision(region: string): Promise<(SupervisionItem | ProblemSupervisionItem)[]>;
}

/** The alert routes of DESIGN.md, with the bearer token; refusals as ApiFailure with {@link RefusalDetails}. */
export function createDutyApi(getToken: () => string | null, fetchImpl: typeof fetch = (...a) => fetch(...a)): DutyApi {
  const request = createRequest(getToken, fetchImpl);

  return {
    list: async (region, state = 'open') =>
      (await request<{ alerts: AlertView[] }>(`/api/v1/alerts?region=${encodeURIComponent(region)}&state=${state}`))
        .alerts,
    closed: async (f) => {
      const q = new URLSearchParams({ region: f.region, state: 'closed' });
      if (f.rule) q.set('rule', f.rule);
      if (f.from) q.set('from', f.from);
      if (f.to) q.set('to', f.to);
      return (await request<{ alerts: AlertView[] }>(`/api/v1/alerts?${q.toString()}`)).alerts;
    },
    departments: async (region) =>
      (await request<{ departments: Department[] }>(`/api/v1/departments?region=${encodeURIComponent(region)}`))
        .departments,
    supervision: async (region) =>
      (
        await request<{ items: (SupervisionItem | ProblemSupervisionItem)[] }>(
          `/api/v1/supervision?region=${encodeURIComponent(region)}`,
        )
      ).items,
    detail: (id) => request<AlertDetail>(`/api/v1/alerts/${encodeURIComponent(id)}`),
    act: async (id, action, body) =>
      (
        await request<{ alert: AlertView }>(`/api/v1/alerts/${encodeURIComponent(id)}/${action}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).alert,
  };
}
