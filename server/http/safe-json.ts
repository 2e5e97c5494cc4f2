import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { refuseDeepJson } from './json-depth.ts';
import { findUnsafe } from '../unsafe-json.ts';

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
