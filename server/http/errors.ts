import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorCode } from '../../shared/ack.ts';
import type { ErrorReply } from '../../shared/schemas/error.ts';
import type { Logger } from '../log.ts';
import { isRedisUnavailable } from '../redis/unavailable.ts';

/** Seconds a client is told to wait before retrying while Redis cannot answer. */
export const RETRY_AFTER_S = 5;

/** An error whose code and message are safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
};

/** Turns body-parser and our own errors into `{error: {code, message}}`; anything else is a 500 without internals. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (isRedisUnavailable(err)) {
      // Said once per request at warn: a Redis outage is logged by the connections themselves.
      logger.warn({ path: req.path, err: (err as Error).message }, 'Redis unavailable; answered 503');
      e = new HttpError(503, 'unavailable', 'the data store is not answering; retry later');
    } else if (isBodyError(err) && err.type === 'entity.too.large')
      e = new HttpError(413, 'payload_too_large', `body larger than ${err.limit} bytes`);
    else if (isBodyError(err) && err.type === 'entity.parse.failed')
      e = new HttpError(400, 'bad_request', 'body is not valid JSON');
    else if (isBodyError(err) && typeof err.status === 'number' && err.status < 500)
      e = new HttpError(err.status, 'bad_request', 'unreadable request body');
    else {
      logger.error({ err, path: req.path }, 'unhandled error');
      e = new HttpError(500, 'internal', 'internal error');
    }
    if (res.headersSent) return;
    if (e.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(RETRY_AFTER_S));
    const reply: ErrorReply = {
      error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) },
    };
    res.status(e.status).json(reply);
  };
}

function isBodyError(err: unknown): err is { type: string; limit?: number; status?: number } {
  return typeof err === 'object' && err !== null && 'type' in err;
}
