import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { refuseDeepJson } from './json-depth.ts';

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

/** Nesting allowed in the API's JSON bodies (not ingest's): enough for any request we take. */
export const API_MAX_DEPTH = 16;

/**
 * The API's JSON body parser: a body nested deeper than API_MAX_DEPTH is refused from its bytes
 * before it is parsed (json-depth.ts), so rejectUnsafeJson below only ever walks a shallow value.
 */
export const apiJson = (): RequestHandler => express.json({ limit: '64kb', verify: refuseDeepJson(API_MAX_DEPTH) });

/** After apiJson(): a body with an unsafe key is a 400 before any route sees it. */
export const rejectUnsafeJson: RequestHandler = (req, _res, next) => {
  const problem = typeof req.body === 'object' ? findUnsafe(req.body, API_MAX_DEPTH) : undefined;
  next(problem ? new HttpError(400, 'bad_request', `unsafe JSON: ${problem.slice(0, 200)}`) : undefined);
};
