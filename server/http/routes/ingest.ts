import express, { Router, type RequestHandler } from 'express';
import { HttpError } from '../errors.ts';
import type { IngestGrant, IngestKeys } from '../../auth/ingest-keys.ts';
import { isWithin } from '../../../shared/regions.ts';
import type { Ingest, IngestResult } from '../../ingest/ingest.ts';
import { MAX_BODY_DEPTH, parseBody } from '../../ingest/body.ts';
import { IngestBodyError } from '../../ingest/errors.ts';
import { refuseDeepJson } from '../json-depth.ts';

/** 5,000 events of at most ~1 KB each, with room for JSON overhead. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** `POST /api/v1/events` — the ingest contract of DESIGN.md. */
export function ingestRouter(deps: { ingest: Ingest; ingestKeys: IngestKeys; limiter?: RequestHandler }): Router {
  const router = Router();
  router.post(
    '/events',
    async (req, _res, next) => {
      // Authenticate before reading a byte of the body.
      const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!m) return next(new HttpError(401, 'unauthenticated', 'missing Authorization: Bearer <ingest key>'));
      const grant = await deps.ingestKeys.lookup(m[1]!);
      if (!grant) return next(new HttpError(401, 'unauthenticated', 'unknown or revoked ingest key'));
      req.res!.locals.source = grant.source;
      req.res!.locals.grant = grant;
      req.res!.locals.ingestKeyId = grant.id;
      next();
    },
    // Per key, before the body is read: a key over its budget costs us no parsing.
    deps.limiter ?? ((_req, _res, next) => next()),
    // Depth is checked on the raw bytes before decoding and parsing: parsing a body nested
    // millions deep held the event loop for seconds before it could be refused.
    express.text({ type: () => true, limit: MAX_BODY_BYTES, verify: refuseDeepJson(MAX_BODY_DEPTH) }),
    async (req, res) => {
      if (typeof req.body !== 'string') throw new HttpError(400, 'bad_request', 'expected a JSON or NDJSON body');
      const raws = readBody(req.body, req.get('content-type'));
      const result = await ingestWithin(deps.ingest, raws, res.locals.grant as IngestGrant);
      res.status(result.rejected.length && !result.accepted && !result.duplicates ? 422 : 200).json(result);
    },
  );
  return router;
}

/** The events of a body; a body refused whole is a 4xx and nothing of it is kept. */
function readBody(text: string, contentType: string | undefined): unknown[] {
  try {
    return parseBody(text, contentType);
  } catch (err) {
    if (!(err instanceof IngestBodyError)) throw err;
    throw err.reason === 'too_many_events'
      ? new HttpError(413, 'payload_too_large', err.message)
      : new HttpError(400, 'bad_request', err.message);
  }
}

/**
 * A key bound to a region ingests events of that subtree only: the others are rejected by index,
 * like any bad event, and the rest of the batch goes on.
 */
async function ingestWithin(ingest: Ingest, raws: unknown[], grant: IngestGrant): Promise<IngestResult> {
  const area = grant.region;
  if (!area) return ingest(raws, grant.source);
  const inside: unknown[] = [];
  const originalIndex: number[] = [];
  const outside: IngestResult['rejected'] = [];
  raws.forEach((raw, index) => {
    const r = raw as { id?: unknown; region?: unknown } | null;
    if (r && typeof r === 'object' && typeof r.region === 'string' && !isWithin(r.region, area)) {
      outside.push({
        index,
        id: typeof r.id === 'string' ? r.id.slice(0, 128) : null,
        errors: [`region: outside the area of this ingest key (${area})`],
      });
    } else {
      inside.push(raw);
      originalIndex.push(index);
    }
  });
  const result = inside.length ? await ingest(inside, grant.source) : { accepted: 0, duplicates: 0, rejected: [] };
  const rejected = [...result.rejected.map((r) => ({ ...r, index: originalIndex[r.index]! })), ...outside].sort(
    (a, b) => a.index - b.index,
  );
  return { ...result, rejected };
}
