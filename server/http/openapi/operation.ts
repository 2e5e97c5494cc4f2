import { z } from 'zod';
import { ERROR_RESPONSES, STATUS, type ErrorResponse } from './responses.ts';
import { ref, type ReplyName, type RequestName } from './schemas.ts';

/** JSON Schema of one zod schema as a client sends it, for a parameter. */
export function inputSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  schema: object;
}

/** Query parameters from the zod object the route parses its query with. */
export function queryOf(s: z.ZodObject): Parameter[] {
  const json = inputSchema(s) as { properties: Record<string, object>; required?: string[] };
  return Object.entries(json.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    ...(json.required?.includes(name) ? { required: true } : {}),
    schema,
  }));
}

export const pathParam = (name: string, schema: z.ZodType, description: string): Parameter => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: inputSchema(schema),
});

export interface Reply {
  description: string;
  /** A JSON body of this schema; neither this nor `content`: an empty reply (204). */
  schema?: ReplyName;
  /** Any other body, described in full. */
  content?: object;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Who may call: a user token, an ingest key, or anyone. */
  auth: 'user' | 'ingest' | 'none';
  parameters?: Parameter[];
  /** A JSON body of this schema; `raw` for a request body described in full by the caller. */
  body?: RequestName | { raw: object };
  replies: Record<string, Reply>;
  /** Errors this operation's own logic sends; the ones every route of its kind can send are added. */
  errors?: ErrorResponse[];
  /** False for routes that answer without Redis. */
  needsRedis?: boolean;
  /** Operator routes outside /api/v1, which the browser-origin check does not guard. */
  outsideApi?: boolean;
}

/**
 * An OpenAPI operation with every status the server can send for it: its own replies and errors,
 * and those its middleware adds (the origin check, authentication, body parsing, Redis being away).
 */
export function operation(spec: OperationSpec): Record<string, unknown> {
  const errors = new Set<ErrorResponse>(['Internal', ...(spec.errors ?? [])]);
  if (!spec.outsideApi) errors.add('Forbidden');
  if (spec.auth !== 'none') errors.add('Unauthenticated');
  if (spec.body)
    ['BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType'].forEach((e) => errors.add(e as ErrorResponse));
  if (spec.needsRedis !== false) errors.add('Unavailable');
  const responses: Record<string, object> = {};
  for (const [status, r] of Object.entries(spec.replies))
    responses[status] = r.schema
      ? { description: r.description, content: { 'application/json': { schema: ref(r.schema) } } }
      : { description: r.description, ...(r.content ? { content: r.content } : {}) };
  for (const e of [...errors].sort((a, b) => STATUS[a].localeCompare(STATUS[b])))
    responses[STATUS[e]] = { $ref: `#/components/responses/${e}` };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    security: spec.auth === 'user' ? [{ userToken: [] }] : spec.auth === 'ingest' ? [{ ingestKey: [] }] : [],
    ...(spec.parameters?.length ? { parameters: spec.parameters } : {}),
    ...(spec.body
      ? {
          requestBody:
            typeof spec.body === 'string'
              ? { required: true, content: { 'application/json': { schema: ref(spec.body) } } }
              : spec.body.raw,
        }
      : {}),
    responses,
  };
}

export { ERROR_RESPONSES };
