/**
 * The browser's session: the bearer token and the user it belongs to, kept in localStorage so a
 * wall survives a reload (a wall PC restarts its browser at night and must come back by itself).
 */

const TOKEN_KEY = 'pingan.token';
const USER_KEY = 'pingan.user';

export interface SessionUser {
  username: string;
  role: string;
  /** Home region code: the user sees this region's subtree only. */
  region: string;
  /** Role `department`: the registry id of its department. */
  department?: string;
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function getUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    if (!raw) return null;
    const u = JSON.parse(raw) as Partial<SessionUser>;
    return typeof u.username === 'string' && typeof u.role === 'string' && typeof u.region === 'string'
      ? {
          username: u.username,
          role: u.role,
          region: u.region,
          ...(typeof u.department === 'string' ? { department: u.department } : {}),
        }
      : null;
  } catch {
    return null;
  }
}

export function saveSession(token: string, user: SessionUser): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
}

/** Only same-origin paths are honoured as `next`, so a crafted login link cannot send users elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Forgets the session and goes to the login page, coming back to where we were afterwards. */
export function redirectToLogin(): void {
  clearSession();
  const here = location.pathname + location.search;
  location.replace(`/login?next=${encodeURIComponent(here)}`);
}
