import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/**
 * Which browser origins may talk to the server: its own (the page it serves) and those listed in
 * ALLOWED_ORIGINS. "Its own" is judged against the Host header, which a browser always sets to
 * the server it talks to, so a page elsewhere cannot pass for it.
 */
export interface OriginPolicy {
  /** True for no Origin (scripts and other systems, which need a key or token anyway), our own, or a listed one. */
  allows(origin: string | undefined, host: string | undefined): boolean;
  /** True for a listed cross origin, which gets CORS headers. */
  listed(origin: string): boolean;
}

function normalise(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export function originPolicy(configured: string[] | undefined): OriginPolicy {
  const list = new Set((configured ?? []).map(normalise).filter((o): o is string => !!o));
  return {
    allows(origin, host) {
      if (origin === undefined) return true;
      const o = normalise(origin);
      if (!o) return false; // includes the opaque "null" origin of sandboxed frames and file: pages
      return (host !== undefined && new URL(o).host === host.toLowerCase()) || list.has(o);
    },
    listed: (origin) => list.has(normalise(origin) ?? ''),
  };
}

/** Socket.IO `allowRequest`: the handshake (and the WebSocket upgrade) only from allowed origins. */
export function allowSocketRequest(policy: OriginPolicy) {
  return (req: IncomingMessage, cb: (err: string | null | undefined, ok: boolean) => void) => {
    cb(null, policy.allows(req.headers.origin, req.headers.host));
  };
}

/**
 * CORS for the listed origins only (no credentials: tokens travel in the Authorization header,
 * never in cookies); a request from any other foreign origin is refused outright.
 */
export function corsGuard(policy: OriginPolicy): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!policy.allows(origin, req.get('host'))) return next(new HttpError(403, 'forbidden', 'origin not allowed'));
    if (origin && policy.listed(origin)) {
      res.vary('Origin');
      res.set('Access-Control-Allow-Origin', origin);
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
        res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
