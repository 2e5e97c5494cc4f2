import { ref } from './schemas.ts';

/**
 * The error replies the server can send, one component each, so every operation names the ones
 * that apply to it. All carry `{error: {code, message, details?}}` (server/http/errors.ts).
 */
const error = (description: string, headers?: Record<string, object>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref('Error') } },
});

const retryAfter = {
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } },
};

export const ERROR_RESPONSES = {
  BadRequest: error(
    'invalid request: a body that is not JSON, a field the schema refuses (`error.details.errors` names each), a malformed region code',
  ),
  Unauthenticated: error('missing, invalid, expired or revoked credentials'),
  Forbidden: error(
    'a role that may not do this, a region outside the caller’s subtree, or a browser origin not allowed',
  ),
  NotFound: error('no such region, alert, user, ingest key, silence, wall or order'),
  Conflict: error('the state refuses the step (`error.details` says the state, and who signed first)'),
  Gone: error('the order ran out (its `until` passed) before it was released'),
  PayloadTooLarge: error('body larger than the route allows; nothing of it was kept'),
  UnsupportedMediaType: error('a body in a charset or content encoding the server cannot read'),
  RateLimited: error('too many requests from this client (failed logins) or this ingest key', retryAfter),
  TooManyRows: error(
    'an export over its row limit (`error.details.limit`): refused whole, never cut short; narrow the filters',
  ),
  Internal: error('an unexpected fault; details stay in the server log'),
  Unavailable: error('Redis cannot be reached right now; nothing of the request was applied', retryAfter),
} as const;

export type ErrorResponse = keyof typeof ERROR_RESPONSES;

/** Status of each error reply, as the document keys them. */
export const STATUS: Record<ErrorResponse, string> = {
  BadRequest: '400',
  Unauthenticated: '401',
  Forbidden: '403',
  NotFound: '404',
  Conflict: '409',
  Gone: '410',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  TooManyRows: '422',
  RateLimited: '429',
  Internal: '500',
  Unavailable: '503',
};
