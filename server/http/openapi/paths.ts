import { z } from 'zod';
import { ALERT_ACTIONS, type AlertAction } from '../../../shared/alert-machine.ts';
import { listQuery } from '../../../shared/schemas/alert-actions.ts';
import { caseExportQuery, caseListQuery } from '../../../shared/schemas/case.ts';
import { alertExportQuery, EXPORT_ROW_LIMIT, problemExportQuery } from '../../../shared/schemas/export.ts';
import { RULES } from '../../../shared/schemas/alert.ts';
import { regionCodeSchema } from '../../../shared/schemas/region.ts';
import { indexQuerySchema } from '../../../shared/schemas/safety-index.ts';
import { replayEventsQuerySchema, snapshotQuerySchema } from '../../../shared/schemas/replay.ts';
import { timelinessQuerySchema } from '../../../shared/schemas/timeliness.ts';
import {
  assessmentExportQuerySchema,
  assessmentQuerySchema,
  monthlyReportQuerySchema,
} from '../../../shared/schemas/assessment.ts';
import { usernameSchema } from '../../../shared/schemas/user.ts';
import { taskListQuery } from '../../../shared/schemas/department.ts';
import { problemListQuery } from '../../../shared/schemas/problem.ts';
import { MAX_EVENTS_PER_BATCH } from '../../ingest/body.ts';
import { inputSchema, operation, pathParam, queryOf } from './operation.ts';
import { ref, type RequestName } from './schemas.ts';

const code = pathParam('code', regionCodeSchema, 'region code (2, 4, 6, 9 or 12 digits)');
const alertId = pathParam('id', z.string(), 'alert id');
const problemId = pathParam('id', z.string(), 'problem id');
const milestoneN = pathParam('n', z.string().regex(/^[1-9]\d?$/), 'milestone number, from 1');
const username = pathParam('username', usernameSchema, 'account name');
const regionQuery = (what: string) =>
  queryOf(z.object({ region: regionCodeSchema.optional().describe(`${what}; the caller’s home region by default`) }));

const ACTION_BODY: Record<AlertAction, RequestName> = {
  ack: 'NoteOptional',
  dispatch: 'Dispatch',
  checkin: 'Checkin',
  resolve: 'NoteRequired',
  close: 'NoteOptional',
  escalate: 'NoteRequired',
  note: 'NoteRequired',
  supervise: 'Supervise',
  feedback: 'Feedback',
  assist: 'Assist',
};
const ACTION_SUMMARY: Record<AlertAction, string> = {
  ack: '签收: sign for an alert at its desk',
  dispatch: '分派: dispatch an alert to one or several departments',
  checkin: '部门报到: record a department’s check-in',
  resolve: '办结: resolve an alert',
  close: '核验: close a resolved alert',
  escalate: '升级: escalate an alert to the parent desk',
  note: '备注: add a note to an alert’s record (any state)',
  supervise:
    '挂牌督办: supervise an alert from a level strictly above its desk, with an optional deadline and requirement',
  feedback: '反馈: a department’s feedback on its task (or a desk’s, on its behalf)',
  assist: '请求协办: a department asks the desk for help on its task',
};

/** A CSV or XLSX export (server/exports/table.ts). */
const SPREADSHEETS = {
  'text/csv': { schema: { type: 'string' } },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
};

const opName = (action: string) => action[0]!.toUpperCase() + action.slice(1);

/** One operation per alert action: each has its own body, so clients get a precise type for each. */
const alertActions = Object.fromEntries(
  ALERT_ACTIONS.map((action) => [
    `/alerts/{id}/${action}`,
    {
      post: operation({
        operationId: `alert${opName(action)}`,
        summary: ACTION_SUMMARY[action],
        tag: 'alerts',
        auth: 'user',
        parameters: [alertId],
        body: ACTION_BODY[action],
        replies: { '200': { description: 'the alert after the step', schema: 'AlertActionReply' } },
        errors: ['NotFound', 'Conflict'],
      }),
    },
  ]),
);

/** A CSV (UTF-8 with a byte-order mark, for Excel) or XLSX file; headers in Chinese. */
const exportFile = (what: string) => ({
  description: `${what}, as an attachment (at most ${EXPORT_ROW_LIMIT} rows)`,
  content: {
    'text/csv': { schema: { type: 'string' } },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      schema: { type: 'string', contentMediaType: 'application/octet-stream' },
    },
  },
});

/**
 * The ingest body is typed loosely on purpose: the contract keeps a batch's good events and
 * rejects the bad ones by index, so a gateway that enforced the event schema on the request would
 * drop a whole batch for one bad event. Each item is described by the Event schema.
 */
const ingestItem = {
  type: 'object',
  description:
    'One event. It should match the Event schema; one that does not is rejected by index in the reply (with errors naming its fields) and the rest of the batch is kept.',
  anyOf: [ref('Event'), { type: 'object' }],
};
const ingestBody = {
  required: true,
  description: `A JSON array of up to ${MAX_EVENTS_PER_BATCH} events (one event object alone is taken as a batch of one), or NDJSON, one event per line.`,
  content: {
    'application/json': {
      schema: { anyOf: [{ type: 'array', maxItems: MAX_EVENTS_PER_BATCH, items: ingestItem }, ingestItem] },
    },
    'application/x-ndjson': { schema: { type: 'string', description: 'one JSON event per line' } },
  },
};

export const PATHS: Record<string, Record<string, unknown>> = {
  '/openapi.json': {
    get: operation({
      operationId: 'getOpenApiDocument',
      summary: 'this document',
      tag: 'meta',
      auth: 'none',
      needsRedis: false,
      replies: {
        '200': {
          description: 'the OpenAPI 3.1 document of /api/v1',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    }),
  },
  '/events': {
    post: operation({
      operationId: 'ingestEvents',
      summary: 'ingest a batch of events (the ingest contract)',
      description:
        'Authenticated with an ingest key, before the body is read. The good events of a batch are kept and the bad ones rejected by index; a body that is not JSON, too large, or unauthenticated is refused whole.',
      tag: 'ingest',
      auth: 'ingest',
      body: { raw: ingestBody },
      replies: {
        '200': {
          description: 'some or all events kept (or already there); the rest rejected by index',
          schema: 'IngestResult',
        },
        '422': { description: 'every event of the batch rejected; nothing kept', schema: 'IngestResult' },
      },
      errors: ['RateLimited'],
    }),
  },
  '/auth/login': {
    post: operation({
      operationId: 'login',
      summary: 'log in with a username and password',
      tag: 'auth',
      auth: 'none',
      body: 'Login',
      replies: { '200': { description: 'a token for the API and the socket handshake', schema: 'LoginReply' } },
      errors: ['Unauthenticated', 'RateLimited'],
    }),
  },
  '/auth/logout': {
    post: operation({
      operationId: 'logout',
      summary: 'revoke the caller’s own token and end the screens that use it',
      tag: 'auth',
      auth: 'user',
      replies: { '204': { description: 'revoked' } },
      // No body is expected, but one sent as JSON is still read (and refused when unreadable).
      errors: ['BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType'],
    }),
  },
  '/regions/{code}': {
    get: operation({
      operationId: 'getRegion',
      summary: 'a region, its ancestors and children',
      tag: 'regions',
      auth: 'user',
      needsRedis: false,
      parameters: [code],
      replies: { '200': { description: 'the region', schema: 'RegionInfo' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/snapshot/{code}': {
    get: operation({
      operationId: 'getSnapshot',
      summary: 'the snapshot a screen gets on subscribe; with `at`, as it was at that past moment (回放)',
      description:
        '`at` must lie within the replay window (30 days) and not in the future; `asOf` is then that moment. ' +
        'A moment before the replay record begins, in the future, too old or malformed is a 400 naming `at`.',
      tag: 'regions',
      auth: 'user',
      parameters: [code, ...queryOf(snapshotQuerySchema)],
      replies: { '200': { description: 'the region’s figures and open alerts', schema: 'Snapshot' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/replay/{code}/events': {
    get: operation({
      operationId: 'getReplayEvents',
      summary: '回放: the ticker’s events of a past window (from excluded, to included; at most an hour)',
      tag: 'regions',
      auth: 'user',
      parameters: [code, ...queryOf(replayEventsQuerySchema)],
      replies: { '200': { description: 'the events, oldest first', schema: 'ReplayEvents' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/index/{code}': {
    get: operation({
      operationId: 'getSafetyIndex',
      summary: '平安指数 of a region for a month, with its indicators',
      tag: 'figures',
      auth: 'user',
      parameters: [code, ...queryOf(indexQuerySchema)],
      replies: { '200': { description: 'the index', schema: 'SafetyIndex' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/timeliness/{code}': {
    get: operation({
      operationId: 'getTimeliness',
      summary: '上报及时率 of a region (province to township) for a month',
      tag: 'figures',
      auth: 'user',
      parameters: [code, ...queryOf(timelinessQuerySchema)],
      replies: { '200': { description: 'the rate and its counts', schema: 'Timeliness' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/assessment/{code}': {
    get: operation({
      operationId: 'getAssessment',
      summary: '督办考核 of a region’s child desks and its departments for a month (live, or frozen once ended)',
      description:
        'Each figure is {num, den, rate, rank}; definitions in docs/assessment.md. The nation (00: its desks are the provinces) or a province, down to the township; an alert counts in the month it was created.',
      tag: 'figures',
      auth: 'user',
      parameters: [code, ...queryOf(assessmentQuerySchema)],
      replies: { '200': { description: 'the assessment', schema: 'Assessment' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/assessment/{code}/export': {
    get: operation({
      operationId: 'exportAssessment',
      summary: '督办考核 as CSV (one table) or XLSX (desks and departments, one sheet each)',
      tag: 'figures',
      auth: 'user',
      parameters: [code, ...queryOf(assessmentExportQuerySchema)],
      replies: { '200': { description: 'the file', content: SPREADSHEETS } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/reports/monthly/{code}': {
    get: operation({
      operationId: 'getMonthlyReport',
      summary: '一月一通报: the monthly bulletin of a region as printable HTML, PDF, or its tables as CSV/XLSX',
      description:
        'The last complete month by default. A month without data, or only partly covered, is said so in the bulletin. PDF needs the chromium of CHROMIUM_PATH (503 without it).',
      tag: 'figures',
      auth: 'user',
      parameters: [code, ...queryOf(monthlyReportQuerySchema)],
      replies: {
        '200': {
          description: 'the bulletin',
          content: {
            'text/html': { schema: { type: 'string' } },
            'application/pdf': { schema: { type: 'string', format: 'binary' } },
            ...SPREADSHEETS,
          },
        },
      },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/alerts': {
    get: operation({
      operationId: 'listAlerts',
      summary: 'alerts of a region’s subtree, or of one desk',
      tag: 'alerts',
      auth: 'user',
      parameters: queryOf(listQuery),
      replies: { '200': { description: 'the alerts', schema: 'AlertList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/alerts/export': {
    get: operation({
      operationId: 'exportAlerts',
      summary: 'the alert list of the duty console’s filters as CSV or XLSX',
      description:
        'The rows GET /alerts gives for the same filters (not capped at its page size), masked in public mode. Over the row limit the export is refused, not cut.',
      tag: 'alerts',
      auth: 'user',
      parameters: queryOf(alertExportQuery),
      replies: { '200': exportFile('the alerts') },
      errors: ['BadRequest', 'NotFound', 'TooManyRows'],
    }),
  },
  '/cases': {
    get: operation({
      operationId: 'listCases',
      summary: 'cases (incidents and disputes) of a region’s subtree, newest first, a page at a time',
      description:
        'Filtered by kind, open/closed and the Beijing days of the earliest event; `total` counts every match. Pass `nextCursor` back as `cursor` for the next page. Closed cases are kept for the history window; open ones whatever their age.',
      tag: 'cases',
      auth: 'user',
      parameters: queryOf(caseListQuery),
      replies: { '200': { description: 'one page and the total', schema: 'CaseList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/cases/export': {
    get: operation({
      operationId: 'exportCases',
      summary: 'the case list of the same filters as CSV or XLSX',
      tag: 'cases',
      auth: 'user',
      parameters: queryOf(caseExportQuery),
      replies: { '200': exportFile('the cases') },
      errors: ['BadRequest', 'NotFound', 'TooManyRows'],
    }),
  },
  '/alerts/{id}': {
    get: operation({
      operationId: 'getAlert',
      summary: 'an alert with its explanation, history and evidence',
      tag: 'alerts',
      auth: 'user',
      parameters: [alertId],
      replies: { '200': { description: 'the alert in full', schema: 'AlertDetail' } },
      errors: ['NotFound'],
    }),
  },
  ...alertActions,
  '/silences': {
    get: operation({
      operationId: 'listSilences',
      summary: 'rules silenced above, at or below a region',
      tag: 'alerts',
      auth: 'user',
      parameters: regionQuery('the region'),
      replies: { '200': { description: 'the silences in force', schema: 'SilenceList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
    post: operation({
      operationId: 'createSilence',
      summary: 'silence a rule for a region’s subtree, with a reason, for at most a week (commander, admin)',
      tag: 'alerts',
      auth: 'user',
      body: 'NewSilence',
      replies: { '201': { description: 'the silence', schema: 'SilenceReply' } },
      errors: ['NotFound'],
    }),
  },
  '/silences/{rule}/{region}': {
    delete: operation({
      operationId: 'deleteSilence',
      summary: 'end a silence (commander, admin)',
      tag: 'alerts',
      auth: 'user',
      parameters: [
        pathParam('rule', z.enum(RULES), 'the silenced rule'),
        pathParam('region', regionCodeSchema, 'the silenced region'),
      ],
      replies: { '204': { description: 'ended' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/departments': {
    get: operation({
      operationId: 'listDepartments',
      summary: 'the departments a desk of a region may call: its own, then its ancestors’',
      tag: 'departments',
      auth: 'user',
      parameters: regionQuery('the desk’s region'),
      replies: { '200': { description: 'the departments, nearest level first', schema: 'DepartmentList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
    post: operation({
      operationId: 'createDepartment',
      summary: 'add a department to a region’s registry (admin)',
      tag: 'departments',
      auth: 'user',
      body: 'NewDepartment',
      replies: { '201': { description: 'the department with its id', schema: 'DepartmentReply' } },
      errors: ['NotFound'],
    }),
  },
  '/tasks': {
    get: operation({
      operationId: 'listTasks',
      summary: 'what was dispatched to the caller’s department (role department): 待报到, 办理中, 已反馈',
      tag: 'departments',
      auth: 'user',
      parameters: queryOf(taskListQuery),
      replies: { '200': { description: 'the tasks, newest dispatch first', schema: 'TaskList' } },
      errors: ['BadRequest'],
    }),
  },
  '/supervision': {
    get: operation({
      operationId: 'listSupervision',
      summary: '挂牌督办: what a level supervises, overdue first',
      tag: 'departments',
      auth: 'user',
      parameters: regionQuery('the supervising level'),
      replies: { '200': { description: 'the supervised items', schema: 'SupervisionList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
  '/problems': {
    get: operation({
      operationId: 'listProblems',
      summary: '重点问题: a subtree’s problems (open, 销号 closed, overdue or all); a department’s own only',
      tag: 'problems',
      auth: 'user',
      parameters: queryOf(problemListQuery),
      replies: { '200': { description: 'the problems, newest first', schema: 'ProblemList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
    post: operation({
      operationId: 'createProblem',
      summary:
        '登记重点问题: stars 1–5, a lead department, milestones whose weights add up to the stars (commander, admin)',
      tag: 'problems',
      auth: 'user',
      body: 'NewProblem',
      replies: { '201': { description: 'the problem', schema: 'ProblemReply' } },
      errors: ['NotFound'],
    }),
  },
  '/problems/export': {
    get: operation({
      operationId: 'exportProblems',
      summary: 'the 重点问题 list of the same filters as CSV or XLSX',
      description:
        'The rows GET /problems gives for the same filters and caller (a department: its own problems), masked in public mode. CSV holds the problems; XLSX a sheet of problems and one of their milestones (整改措施). Over the row limit the export is refused, not cut.',
      tag: 'problems',
      auth: 'user',
      parameters: queryOf(problemExportQuery),
      replies: { '200': exportFile('the problems') },
      errors: ['BadRequest', 'NotFound', 'TooManyRows'],
    }),
  },
  '/problems/{id}': {
    get: operation({
      operationId: 'getProblem',
      summary: 'a problem with its append-only history',
      tag: 'problems',
      auth: 'user',
      parameters: [problemId],
      replies: { '200': { description: 'the problem and its history, oldest first', schema: 'ProblemDetail' } },
      errors: ['NotFound'],
    }),
  },
  '/problems/{id}/milestones/{n}/done': {
    post: operation({
      operationId: 'problemMilestoneDone',
      summary: '完成整改: the owner department marks its milestone done, with evidence',
      tag: 'problems',
      auth: 'user',
      parameters: [problemId, milestoneN],
      body: 'MilestoneDone',
      replies: { '200': { description: 'the problem after the step', schema: 'ProblemReply' } },
      errors: ['NotFound', 'Conflict'],
    }),
  },
  '/problems/{id}/milestones/{n}/verify': {
    post: operation({
      operationId: 'problemMilestoneVerify',
      summary: '核验降星: the registering level verifies a done milestone; the last one strikes the problem off (销号)',
      tag: 'problems',
      auth: 'user',
      parameters: [problemId, milestoneN],
      body: 'MilestoneVerify',
      replies: { '200': { description: 'the problem after the step', schema: 'ProblemReply' } },
      errors: ['NotFound', 'Conflict'],
    }),
  },
  '/problems/{id}/restar': {
    post: operation({
      operationId: 'problemRestar',
      summary: '升星: the registering level raises the stars, with a reason and a milestone carrying the added stars',
      tag: 'problems',
      auth: 'user',
      parameters: [problemId],
      body: 'Restar',
      replies: { '200': { description: 'the problem after the step', schema: 'ProblemReply' } },
      errors: ['NotFound', 'Conflict'],
    }),
  },
  '/problems/{id}/supervise': {
    post: operation({
      operationId: 'problemSupervise',
      summary: '挂牌督办: supervise a problem from a level strictly above its registering level',
      tag: 'problems',
      auth: 'user',
      parameters: [problemId],
      body: 'Supervise',
      replies: { '200': { description: 'the problem after the step', schema: 'ProblemReply' } },
      errors: ['NotFound', 'Conflict'],
    }),
  },
  '/walls': {
    get: operation({
      operationId: 'listWalls',
      summary: 'the named walls up in the caller’s subtree, with what each shows and follows (duty, commander, admin)',
      tag: 'walls',
      auth: 'user',
      replies: { '200': { description: 'the walls, by region and name', schema: 'WallList' } },
    }),
  },
  '/walls/focus': {
    post: operation({
      operationId: 'focusWalls',
      summary:
        '一键上墙: put a region, an alert, a 重点问题 or a replay moment up on walls or a group (`target`), or release them (`release: true`)',
      description:
        'The target is one of `{region}`, `{alert}`, `{problem}` or a replay moment `{region, at, speed?}` (`at` an ISO time with a zone, `speed` a whole number from 1 to 3600; without it the wall holds that moment). The whole order is refused when a wall is not up (`wall_not_found`) or outside the caller’s area (`wall_out_of_scope`), when the target (a problem’s or an alert’s region included) is outside the caller’s area or a wall’s viewer’s (`target_out_of_scope`), when the alert or problem does not exist (`not_found`), when a replay moment is in the future or older than the 30-day replay window (`replay_out_of_range`, 400, the field named), when `speed` is out of range (`bad_request`, the field named), or when `until` is not in the future (`order_expired`). A refused order changes no wall. Walls follow within a second over their socket (`wall:focus`) and return to their own region or rotation at `until` or on release.',
      tag: 'walls',
      auth: 'user',
      body: 'WallFocus',
      replies: {
        '200': { description: 'released: the walls that were following an order', schema: 'WallReleaseReply' },
        '201': { description: 'the order, as the walls get it', schema: 'WallFocusReply' },
      },
      errors: ['NotFound', 'Conflict'],
    }),
  },
  '/walls/orders/{id}': {
    delete: operation({
      operationId: 'releaseWallOrder',
      summary: 'release one order: the walls still following it return to their own region or rotation',
      tag: 'walls',
      auth: 'user',
      parameters: [pathParam('id', z.string(), 'order id (o-…)')],
      replies: { '200': { description: 'the walls released', schema: 'WallReleaseReply' } },
      errors: ['BadRequest', 'NotFound', 'Gone'],
    }),
  },
  '/users': {
    get: operation({
      operationId: 'listUsers',
      summary: 'accounts of a region’s subtree (admin)',
      tag: 'users',
      auth: 'user',
      parameters: regionQuery('the subtree'),
      replies: { '200': { description: 'the accounts', schema: 'AdminUserList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
    post: operation({
      operationId: 'createUser',
      summary: 'create an account (admin)',
      tag: 'users',
      auth: 'user',
      body: 'NewUser',
      replies: { '201': { description: 'the account', schema: 'CreatedUser' } },
      errors: ['Conflict'],
    }),
  },
  '/users/{username}': {
    patch: operation({
      operationId: 'updateUser',
      summary: 'disable, enable or set public mode (admin); disabling ends the user’s screens',
      tag: 'users',
      auth: 'user',
      parameters: [username],
      body: 'UserPatch',
      replies: { '200': { description: 'the account after the change', schema: 'AdminUser' } },
      errors: ['NotFound'],
    }),
  },
  '/users/{username}/password': {
    post: operation({
      operationId: 'resetPassword',
      summary: 'set a new password (admin); every session of the user ends',
      tag: 'users',
      auth: 'user',
      parameters: [username],
      body: 'PasswordReset',
      replies: { '204': { description: 'set' } },
      errors: ['NotFound'],
    }),
  },
  '/users/{username}/logout': {
    post: operation({
      operationId: 'logoutUser',
      summary: 'end every session of a user (admin)',
      tag: 'users',
      auth: 'user',
      parameters: [username],
      replies: { '204': { description: 'ended' } },
      errors: ['BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType', 'NotFound'],
    }),
  },
  '/ingest-keys': {
    get: operation({
      operationId: 'listIngestKeys',
      summary: 'ingest keys in the caller’s area (admin); keys themselves are never shown again',
      tag: 'ingest-keys',
      auth: 'user',
      replies: { '200': { description: 'the keys', schema: 'IngestKeyList' } },
    }),
    post: operation({
      operationId: 'createIngestKey',
      summary: 'create an ingest key for a source system, bound to a region’s subtree (admin)',
      tag: 'ingest-keys',
      auth: 'user',
      body: 'NewIngestKey',
      replies: { '201': { description: 'the key, shown this once', schema: 'NewIngestKeyReply' } },
      errors: ['NotFound'],
    }),
  },
  '/ingest-keys/{id}': {
    delete: operation({
      operationId: 'revokeIngestKey',
      summary: 'revoke an ingest key (admin)',
      tag: 'ingest-keys',
      auth: 'user',
      parameters: [pathParam('id', z.string().regex(/^[0-9a-f]{16}$/), 'the key’s id')],
      replies: { '204': { description: 'revoked' } },
      errors: ['BadRequest', 'NotFound', 'Conflict'],
    }),
  },
  '/audit': {
    get: operation({
      operationId: 'listAudit',
      summary: 'the newest entries of the audit trail about a subtree (admin)',
      tag: 'audit',
      auth: 'user',
      parameters: [
        ...regionQuery('the subtree'),
        {
          name: 'limit',
          in: 'query',
          description: 'how many entries, newest first; more than 500 gives 500',
          schema: inputSchema(z.int().min(1).default(100)),
        },
      ],
      replies: { '200': { description: 'the entries, newest first', schema: 'AuditList' } },
      errors: ['BadRequest', 'NotFound'],
    }),
  },
};

/** Operator routes outside /api/v1: unversioned, for load balancers and Prometheus. */
const operator = { servers: [{ url: '/', description: 'the server’s root: these routes are not versioned' }] };
export const OPERATOR_PATHS: Record<string, Record<string, unknown>> = {
  '/healthz': {
    ...operator,
    get: operation({
      operationId: 'getHealth',
      summary: 'liveness: the process answers',
      tag: 'operations',
      auth: 'none',
      outsideApi: true,
      needsRedis: false,
      replies: { '200': { description: 'alive', schema: 'Health' } },
    }),
  },
  '/readyz': {
    ...operator,
    get: operation({
      operationId: 'getReadiness',
      summary: 'readiness: 503 only when this node cannot serve',
      tag: 'operations',
      auth: 'none',
      outsideApi: true,
      needsRedis: false,
      replies: {
        '200': { description: 'ready', schema: 'Ready' },
        '503': { description: 'not ready; the body says what is missing', schema: 'Ready' },
      },
    }),
  },
  '/metrics': {
    ...operator,
    get: operation({
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      auth: 'none',
      outsideApi: true,
      needsRedis: false,
      replies: {
        '200': {
          description: 'the Prometheus text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    }),
  },
};
