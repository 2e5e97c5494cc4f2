/**
 * The one check of a parsed JSON value, shared by the API's body parser (http/safe-json.ts) and
 * ingest's validation of each event: it sits below both so that neither reaches into the other.
 */

/** Keys that could reach an object's prototype if some later code merged or copied the value. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first thing wrong with a parsed JSON value, or undefined: an unsafe key anywhere (named with
 * its path) or nesting deeper than `maxDepth`. Walks with an explicit stack, so a body nested ten
 * thousand levels deep costs a loop, not the call stack.
 */
export function findUnsafe(value: unknown, maxDepth = 32): string | undefined {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return `${path || '(body)'}: nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}${path ? '.' : ''}${i}`, depth + 1]);
      continue;
    }
    for (const k of Object.keys(v)) {
      const p = `${path}${path ? '.' : ''}${k}`;
      if (UNSAFE_KEYS.has(k)) return `${p}: key not allowed`;
      stack.push([(v as Record<string, unknown>)[k], p, depth + 1]);
    }
  }
  return undefined;
}
