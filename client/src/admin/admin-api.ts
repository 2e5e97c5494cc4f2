import type { ErrorCode } from '../../../shared/ack.ts';
import type { AdminUserView, Role } from '../../../shared/schemas/user.ts';
import type { AuditRecord, IngestKeyView, NewIngestKeyReply } from '../../../shared/schemas/admin.ts';
import { ApiFailure } from '../lib/api.ts';

/**
 * The admin page's calls. Same error contract as the wall's client (lib/api.ts): failures come
 * back as ApiFailure with the server's whitelisted code. Verbs the wall never uses (PATCH,
 * DELETE, 204 replies) are why this has its own small request function.
 */
export interface AdminApi {
  users(region?: string): Promise<AdminUserView[]>;
  createUser(u: { username: string; password: string; role: Role; region: string; publicMode: boolean }): Promise<void>;
  patchUser(username: string, patch: { disabled?: boolean; publicMode?: boolean }): Promise<AdminUserView>;
  resetPassword(username: string, password: string): Promise<void>;
  signOut(username: string): Promise<void>;
  keys(): Promise<IngestKeyView[]>;
  createKey(source: string, region: string): Promise<NewIngestKeyReply>;
  revokeKey(id: string): Promise<void>;
  audit(limit?: number): Promise<AuditRecord[]>;
  logout(): Promise<void>;
}

export function createAdminApi(
  getToken: () => string | null,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): AdminApi {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = new Headers({ Accept: 'application/json' });
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (body !== undefined) headers.set('Content-Type', 'application/json');
    let res: Response;
    try {
      res = await fetchImpl(`/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiFailure(0, 'unavailable', 'network error');
    }
    if (res.status === 204) return undefined as T;
    const reply: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (reply as { error?: { code?: ErrorCode; message?: string } } | null)?.error;
      throw new ApiFailure(
        res.status,
        err?.code ?? (res.status === 401 ? 'unauthenticated' : 'internal'),
        err?.message ?? res.statusText,
      );
    }
    return reply as T;
  }
  const enc = encodeURIComponent;
  return {
    users: (region) => call('GET', `/users${region ? `?region=${enc(region)}` : ''}`),
    createUser: (u) => call('POST', '/users', u),
    patchUser: (name, patch) => call('PATCH', `/users/${enc(name)}`, patch),
    resetPassword: (name, password) => call('POST', `/users/${enc(name)}/password`, { password }),
    signOut: (name) => call('POST', `/users/${enc(name)}/logout`),
    keys: () => call('GET', '/ingest-keys'),
    createKey: (source, region) => call('POST', '/ingest-keys', { source, region }),
    revokeKey: (id) => call('DELETE', `/ingest-keys/${enc(id)}`),
    audit: (limit = 200) => call('GET', `/audit?limit=${limit}`),
    logout: () => call('POST', '/auth/logout'),
  };
}
