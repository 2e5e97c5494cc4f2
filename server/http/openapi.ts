import { z } from 'zod';
import { eventSchema } from '../../shared/schemas/event.ts';
import { loginSchema, newUserSchema } from '../../shared/schemas/user.ts';
import { ACTION_BODIES, listQuery } from '../../shared/schemas/alert-actions.ts';

/** JSON Schema of a zod schema as a client must send it, without the draft marker. */
function schemaOf(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = {
  '400': { description: 'invalid request; `error.details` names the fields', ...json(ref('Error')) },
  '401': { description: 'missing, invalid, expired or revoked credentials', ...json(ref('Error')) },
  '403': { description: 'role not allowed, or region outside the caller’s subtree', ...json(ref('Error')) },
};
const bearer = [{ bearer: [] }];
const regionCode = {
  name: 'code',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^\\d{2}(\\d{2}(\\d{2}(\\d{3}(\\d{3})?)?)?)?$' },
};

/**
 * The OpenAPI 3.1 document of `/api/v1`, built from the same zod schemas the routes validate with,
 * so the document cannot drift from what the server accepts.
 */
export function openApiDocument(): Record<string, unknown> {
  const alertActions = Object.fromEntries(
    Object.entries(ACTION_BODIES).map(([action, body]) => [
      `/alerts/{id}/${action}`,
      {
        post: {
          summary: `alert action: ${action}`,
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json(schemaOf(body)),
          responses: {
            '200': { description: 'the alert after the transition' },
            '409': { description: 'illegal transition; the message says why', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Ping’an Command Center API (平安指挥中心)', version: '1' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a user token from /auth/login, or an ingest key for /events',
        },
      },
      schemas: {
        Event: schemaOf(eventSchema),
        Login: schemaOf(loginSchema),
        NewUser: schemaOf(newUserSchema),
        IngestResult: {
          type: 'object',
          required: ['accepted', 'duplicates', 'rejected'],
          properties: {
            accepted: { type: 'integer' },
            duplicates: { type: 'integer' },
            rejected: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  index: { type: 'integer' },
                  id: { type: ['string', 'null'] },
                  errors: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
    paths: {
      '/events': {
        post: {
          summary: 'ingest up to 5,000 events (JSON array or NDJSON)',
          security: bearer,
          requestBody: {
            content: {
              'application/json': { schema: { type: 'array', maxItems: 5000, items: ref('Event') } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          responses: {
            '200': { description: 'per-event results; good events of a batch are kept', ...json(ref('IngestResult')) },
            '413': { description: 'body or batch too large; nothing kept', ...json(ref('Error')) },
            '422': { description: 'every event rejected', ...json(ref('IngestResult')) },
            ...errors,
          },
        },
      },
      '/auth/login': {
        post: {
          summary: 'log in',
          requestBody: json(ref('Login')),
          responses: {
            '200': { description: '{token, user, expiresAt}' },
            '429': { description: 'too many attempts' },
            ...errors,
          },
        },
      },
      '/regions/{code}': {
        get: {
          summary: 'a region, its ancestors and children',
          security: bearer,
          parameters: [regionCode],
          responses: { '200': { description: 'RegionInfo' }, ...errors },
        },
      },
      '/snapshot/{code}': {
        get: {
          summary: 'the snapshot a screen gets on subscribe',
          security: bearer,
          parameters: [regionCode],
          responses: { '200': { description: 'Snapshot (shared/schemas/snapshot.ts)' }, ...errors },
        },
      },
      '/index/{code}': {
        get: {
          summary: '平安指数 with its indicators',
          security: bearer,
          parameters: [
            regionCode,
            { name: 'month', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
          ],
          responses: { '200': { description: 'the index' }, ...errors },
        },
      },
      '/timeliness/{code}': {
        get: {
          summary: '上报及时率 of a region (province to township) for a month',
          security: bearer,
          parameters: [
            regionCode,
            { name: 'month', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
          ],
          responses: {
            '200': { description: 'TimelinessReply (shared/schemas/timeliness.ts)' },
            '404': { description: 'a village: kept for townships and above', ...json(ref('Error')) },
            ...errors,
          },
        },
      },
      '/alerts': {
        get: {
          summary: 'alerts of a region’s subtree',
          security: bearer,
          parameters: Object.keys(schemaOf(listQuery).properties as object).map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { '200': { description: 'AlertView[]' }, ...errors },
        },
      },
      ...alertActions,
      '/users': {
        post: {
          summary: 'create a user (admin)',
          security: bearer,
          requestBody: json(ref('NewUser')),
          responses: { '201': { description: 'the user' }, '409': { description: 'name taken' }, ...errors },
        },
      },
    },
  };
}
