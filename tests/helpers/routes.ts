import type { PinganServer } from '../../server/app.ts';

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route the running server answers, as `METHOD /path` with Express's own parameter names
 * (`GET /api/v1/regions/:code`), read from the router stack at runtime: a route added anywhere
 * shows up here without anyone listing it. Regular-expression routes (the page fallback) are left out.
 */
export function listRoutes(server: PinganServer): string[] {
  const app = server.app as unknown as { router: { stack: Layer[] } };
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.add(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk(app.router.stack, '');
  return [...out].sort();
}
