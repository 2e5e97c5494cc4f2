import type { ErrorCode } from '../../../shared/ack.ts';
import type { AlertAction, AlertDetail } from '../../../shared/alert-machine.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import { ApiFailure } from '../lib/api.ts';

/** What the server says about a refused action: the state it found and, for a sign, who was first. */
export interface RefusalDetails {
  action?: AlertAction;
  state?: AlertView['state'];
  signedBy?: string;
  signedAt?: string;
  errors?: string[];
}

/** A refused request with the server's details, so the console can say "已由 X 签收". */
export class AlertFailure extends ApiFailure {
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(status, code, message);
  }
}

export interface ActionBody {
  note?: string;
  departments?: string[];
  department?: string;
}

export interface DutyApi {
  /** Open alerts of a subtree (`state` open), or those awaiting verification (`resolved`). */
  list(region: string, state?: 'open' | 'resolved'): Promise<AlertView[]>;
  detail(id: string): Promise<AlertDetail>;
  act(id: string, action: AlertAction, body: ActionBody): Promise<AlertView>;
}

/** The alert routes of DESIGN.md, with the bearer token; errors as {@link AlertFailure}. */
export function createDutyApi(getToken: () => string | null, fetchImpl: typeof fetch = (...a) => fetch(...a)): DutyApi {
  async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetchImpl(path, { ...init, headers });
    } catch {
      throw new AlertFailure(0, 'unavailable', 'network error');
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (body as { error?: { code?: ErrorCode; message?: string; details?: RefusalDetails } } | null)?.error;
      const code: ErrorCode = err?.code ?? (res.status === 401 ? 'unauthenticated' : 'internal');
      throw new AlertFailure(res.status, code, err?.message ?? res.statusText, err?.details ?? {});
    }
    return body as T;
  }

  return {
    list: async (region, state = 'open') =>
      (await request<{ alerts: AlertView[] }>(`/api/v1/alerts?region=${encodeURIComponent(region)}&state=${state}`))
        .alerts,
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
