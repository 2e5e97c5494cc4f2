import { z } from 'zod';
import { eventSchema } from '../../../shared/schemas/event.ts';
import {
  loginReplySchema,
  loginSchema,
  newIngestKeySchema,
  newUserSchema,
  passwordResetSchema,
  userPatchSchema,
  adminUserViewSchema,
  createdUserSchema,
} from '../../../shared/schemas/user.ts';
import {
  dispatchBody,
  checkinBody,
  feedbackBody,
  assistBody,
  superviseBody,
  noteOptional,
  noteRequired,
  silenceBody,
} from '../../../shared/schemas/alert-actions.ts';
import {
  alertActionReplySchema,
  alertDetailSchema,
  alertListReplySchema,
  silenceListReplySchema,
  silenceReplySchema,
} from '../../../shared/schemas/alert-replies.ts';
import { alertViewSchema } from '../../../shared/schemas/alert.ts';
import { snapshotSchema } from '../../../shared/schemas/snapshot.ts';
import { caseItemSchema, caseListReplySchema } from '../../../shared/schemas/case.ts';
import { replayEventsReplySchema } from '../../../shared/schemas/replay.ts';
import { regionInfoSchema, regionRefSchema } from '../../../shared/schemas/region.ts';
import { safetyIndexReplySchema } from '../../../shared/schemas/safety-index.ts';
import { timelinessReplySchema } from '../../../shared/schemas/timeliness.ts';
import { assessmentReplySchema } from '../../../shared/schemas/assessment.ts';
import { ingestKeyViewSchema, auditRecordSchema, newIngestKeyReplySchema } from '../../../shared/schemas/admin.ts';
import { ingestResultSchema } from '../../../shared/schemas/ingest.ts';
import {
  departmentListReplySchema,
  departmentReplySchema,
  newDepartmentBody,
  taskListReplySchema,
} from '../../../shared/schemas/department.ts';
import { supervisionListReplySchema } from '../../../shared/schemas/supervision.ts';
import {
  milestoneDoneBody,
  milestoneVerifyBody,
  newProblemBody,
  problemDetailSchema,
  problemListReplySchema,
  problemReplySchema,
  problemViewSchema,
  restarBody,
} from '../../../shared/schemas/problem.ts';
import { errorReplySchema } from '../../../shared/schemas/error.ts';
import {
  focusBody,
  focusReplySchema,
  releaseReplySchema,
  wallListReplySchema,
  wallOrderSchema,
} from '../../../shared/schemas/wall.ts';
import { healthReplySchema, readyReplySchema } from '../../../shared/schemas/health.ts';

/** What clients send: JSON Schema of the input side (defaults make fields optional). */
const REQUESTS = {
  Event: eventSchema,
  Login: loginSchema,
  NewUser: newUserSchema,
  UserPatch: userPatchSchema,
  PasswordReset: passwordResetSchema,
  NewIngestKey: newIngestKeySchema,
  NewSilence: silenceBody,
  NoteOptional: noteOptional,
  NoteRequired: noteRequired,
  Dispatch: dispatchBody,
  Checkin: checkinBody,
  Feedback: feedbackBody,
  Assist: assistBody,
  Supervise: superviseBody,
  NewDepartment: newDepartmentBody,
  NewProblem: newProblemBody,
  MilestoneDone: milestoneDoneBody,
  MilestoneVerify: milestoneVerifyBody,
  Restar: restarBody,
  WallFocus: focusBody,
} satisfies Record<string, z.ZodType>;

/** What the server answers: JSON Schema of the output side, closed (no field the schema does not name). */
const REPLIES = {
  Error: errorReplySchema,
  IngestResult: ingestResultSchema,
  LoginReply: loginReplySchema,
  RegionRef: regionRefSchema,
  RegionInfo: regionInfoSchema,
  Snapshot: snapshotSchema,
  ReplayEvents: replayEventsReplySchema,
  AlertView: alertViewSchema,
  AlertList: alertListReplySchema,
  AlertDetail: alertDetailSchema,
  AlertActionReply: alertActionReplySchema,
  CaseItem: caseItemSchema,
  CaseList: caseListReplySchema,
  SilenceList: silenceListReplySchema,
  SilenceReply: silenceReplySchema,
  SafetyIndex: safetyIndexReplySchema,
  Timeliness: timelinessReplySchema,
  Assessment: assessmentReplySchema,
  AdminUser: adminUserViewSchema,
  AdminUserList: z.array(adminUserViewSchema),
  CreatedUser: createdUserSchema,
  IngestKey: ingestKeyViewSchema,
  IngestKeyList: z.array(ingestKeyViewSchema),
  NewIngestKeyReply: newIngestKeyReplySchema,
  AuditRecord: auditRecordSchema,
  AuditList: z.array(auditRecordSchema),
  DepartmentList: departmentListReplySchema,
  DepartmentReply: departmentReplySchema,
  TaskList: taskListReplySchema,
  SupervisionList: supervisionListReplySchema,
  ProblemView: problemViewSchema,
  ProblemList: problemListReplySchema,
  ProblemReply: problemReplySchema,
  ProblemDetail: problemDetailSchema,
  WallOrder: wallOrderSchema,
  WallList: wallListReplySchema,
  WallFocusReply: focusReplySchema,
  WallReleaseReply: releaseReplySchema,
  Health: healthReplySchema,
  Ready: readyReplySchema,
} satisfies Record<string, z.ZodType>;

export type RequestName = keyof typeof REQUESTS;
export type ReplyName = keyof typeof REPLIES;
export type SchemaName = RequestName | ReplyName;

/**
 * One registry per side, converted in one call each so a schema used inside another (AlertView in
 * Snapshot) becomes a `$ref` to its component rather than a copy. zod emits JSON Schema 2020-12,
 * the dialect of OpenAPI 3.1, so no translation layer is needed.
 */
function convert(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, object> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    // Refinements (a region code's shape, departments that differ) are checked by the server and
    // said in the field's message; JSON Schema keeps the type they refine.
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(out).map(([id, s]) => {
      const { $schema: _dialect, $id: _id, ...rest } = s as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

/** `components.schemas` of the document. */
export function componentSchemas(): Record<string, object> {
  return { ...convert(REQUESTS, 'input'), ...convert(REPLIES, 'output') };
}

/** A reference to a component schema, checked against the names above at compile time. */
export const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
