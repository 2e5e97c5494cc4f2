import express, { Router } from 'express';
import { HttpError } from '../http/errors.ts';
import type { IngestKeys } from '../auth/ingest-keys.ts';
import type { Ingest } from './ingest.ts';
import { parseBody } from './body.ts';

/** 5,000 events of at most ~1 KB each, with room for JSON overhead. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** `POST /api/v1/events` — the ingest contract of DESIGN.md. */
export function ingestRouter(deps: { ingest: Ingest; ingestKeys: IngestKeys }): Router {
  const router = Router();
  router.post(
    '/events',
    async (req, _res, next) => {
      // Authenticate before reading a byte of the body.
      const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!m) return next(new HttpError(401, 'unauthenticated', 'missing Authorization: Bearer <ingest key>'));
      const source = await deps.ingestKeys.sourceFor(m[1]!);
      if (!source) return next(new HttpError(401, 'unauthenticated', 'unknown or revoked ingest key'));
      req.res!.locals.source = source;
      next();
    },
    express.text({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req, res) => {
      if (typeof req.body !== 'string') throw new HttpError(400, 'bad_request', 'expected a JSON or NDJSON body');
      const raws = parseBody(req.body, req.get('content-type'));
      const result = await deps.ingest(raws, res.locals.source as string);
      res.status(result.rejected.length && !result.accepted && !result.duplicates ? 422 : 200).json(result);
    },
  );
  return router;
}
