import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers with a strict Content-Security-Policy that the built client works under:
 * scripts only from our own origin (Vite emits no inline script), no plugins, no framing.
 * style-src needs 'unsafe-inline' for ECharts alone: its tooltips are HTML strings with `style=""`
 * attributes (default markers, the arrow) set through innerHTML. Svelte sets styles through the
 * CSSOM and needs nothing; an injected style cannot run code. connect-src names the WebSocket
 * origin of the page too, for browsers whose 'self' does not cover ws:/wss:.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", (req) => wsOrigins(req.headers.host)],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: a 综治中心 intranet often serves plain http, where the
        // upgrade would send every script request to an https port that does not exist.
      },
    },
    // The wall is one origin; nothing of ours is meant to be embedded or opened by others.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only makes sense where TLS terminates; a proxy in front sets it.
    strictTransportSecurity: false,
  });
}

/** `ws://host wss://host` for the Host the page was requested from (a bad Host yields nothing). */
function wsOrigins(host: string | undefined): string {
  return host && /^[a-z0-9.\-:[\]]+$/i.test(host) ? `ws://${host} wss://${host}` : '';
}
