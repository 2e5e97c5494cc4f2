import { ERROR_RESPONSES } from './responses.ts';
import { componentSchemas } from './schemas.ts';
import { OPERATOR_PATHS, PATHS } from './paths.ts';

const TAGS = [
  ['auth', 'logging in and out'],
  ['ingest', 'events from the departments’ systems (the ingest contract)'],
  ['regions', 'the region tree and the snapshot a screen shows'],
  ['figures', '平安指数 and 上报及时率'],
  ['alerts', 'the duty officer’s work: alerts, their steps, silences'],
  ['cases', 'the case index: incidents and disputes of a region, listed and exported'],
  ['departments', '中心吹哨、部门报到: the department registry, a department’s tasks, 挂牌督办 lists'],
  ['problems', '重点问题 · 降星销号: the problem register, milestones, 升星 and 挂牌督办'],
  ['walls', '指挥调度: named walls that are up, and 一键上墙 orders that put a region or an alert up on them'],
  ['users', 'accounts (admin)'],
  ['ingest-keys', 'keys of the source systems (admin)'],
  ['audit', 'the hash-chained audit trail (admin)'],
  ['meta', 'this document'],
  ['operations', 'liveness, readiness and metrics, outside /api/v1'],
] as const;

/**
 * The OpenAPI 3.1 document of the HTTP API: every route the server mounts, each request and reply
 * from the zod schemas the server and client are typed with (shared/schemas), and every status the
 * route and its middleware can send. tests/integration/openapi.test.ts holds it to the server.
 */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ping’an Command Center API (平安指挥中心)',
      version: '1',
      description:
        'Realtime figures, early warnings and alert work for 平安建设 / 综治中心. JSON throughout; errors are `{error: {code, message, details?}}`. Live updates travel over Socket.IO, not this API.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/api/v1', description: 'this server' }],
    tags: TAGS.map(([name, description]) => ({ name, description })),
    paths: { ...PATHS, ...OPERATOR_PATHS },
    components: {
      securitySchemes: {
        userToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'a token from POST /auth/login',
        },
        ingestKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'an ingest key of a source system (INGEST_KEYS or POST /ingest-keys)',
        },
      },
      schemas: componentSchemas(),
      responses: ERROR_RESPONSES,
    },
  };
}
