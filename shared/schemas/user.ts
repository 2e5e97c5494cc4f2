import { z } from 'zod';
import { isRegionCode } from '../regions.ts';

import { ROLES } from '../roles.ts';
import { departmentIdSchema } from './department.ts';

export { ROLES, ROLE_LABELS, type Role } from '../roles.ts';

export const usernameSchema = z.string().regex(/^[a-z0-9_.-]{2,32}$/i, 'must be 2–32 letters, digits, _ . -');

export const loginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);

export const newUserSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    role: z.enum(ROLES),
    region: z.string().refine(isRegionCode, 'must be a region code'),
    /** A screen facing visitors: names, phone and ID numbers are masked for it by the server. */
    publicMode: z.boolean().optional(),
    /**
     * Role `department` only, and required for it: a registry department of `region` or of an
     * ancestor (`GET /api/v1/departments?region=`); the server checks it exists.
     */
    department: departmentIdSchema.optional(),
  })
  .refine((u) => (u.role === 'department') === (u.department !== undefined), {
    message: 'a department account names its department (and only a department account does)',
    path: ['department'],
  });

/** `PATCH /api/v1/users/:username` (admin). Disabling ends the user's live sessions at once. */
export const userPatchSchema = z
  .strictObject({ disabled: z.boolean().optional(), publicMode: z.boolean().optional() })
  .refine((p) => p.disabled !== undefined || p.publicMode !== undefined, 'nothing to change');

/** `POST /api/v1/users/:username/password` (admin): sets a new password and ends every session. */
export const passwordResetSchema = z.strictObject({ password: passwordSchema });

/** `POST /api/v1/ingest-keys` (admin): a key for one source system, bound to a region's subtree. */
export const newIngestKeySchema = z.strictObject({
  source: z.string().regex(/^[a-z0-9_.-]{1,64}$/i, 'must be 1–64 letters, digits, _ . -'),
  /** Defaults to the admin's home region. */
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
});

/** The user as the API shows it. */
export const userViewSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
  region: z.string(),
  disabled: z.boolean().optional(),
  /** Role `department`: the registry id of its department. */
  department: z.string().optional(),
});
export type UserView = z.infer<typeof userViewSchema>;

/** A user as the admin list shows it (`GET /api/v1/users`, `PATCH /api/v1/users/:username`). */
export const adminUserViewSchema = userViewSchema.extend({
  disabled: z.boolean(),
  publicMode: z.boolean(),
  /** ISO 8601. */
  createdAt: z.string(),
});
export type AdminUserView = z.infer<typeof adminUserViewSchema>;

/** `POST /api/v1/users` → 201: the account as created (never its password). */
export const createdUserSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
  region: z.string(),
  publicMode: z.boolean(),
  department: z.string().optional(),
});
export type CreatedUser = z.infer<typeof createdUserSchema>;

/** `POST /api/v1/auth/login`. */
export const loginReplySchema = z.object({
  /** Send as `Authorization: Bearer <token>`, and as `auth.token` in the socket handshake. */
  token: z.string(),
  user: userViewSchema,
  /** ISO 8601. */
  expiresAt: z.string(),
});
export type LoginReply = z.infer<typeof loginReplySchema>;
