import { z } from 'zod';
import { isRegionCode } from '../regions.ts';

export const ROLES = ['wall', 'duty', 'commander', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = { wall: '大屏', duty: '值班员', commander: '指挥长', admin: '管理员' };

export const usernameSchema = z.string().regex(/^[a-z0-9_.-]{2,32}$/i, 'must be 2–32 letters, digits, _ . -');

export const loginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const newUserSchema = z.strictObject({
  username: usernameSchema,
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  role: z.enum(ROLES),
  region: z.string().refine(isRegionCode, 'must be a region code'),
});

/** The user as the API shows it. */
export interface UserView {
  username: string;
  role: Role;
  region: string;
  disabled?: boolean;
}

export interface LoginReply {
  token: string;
  user: UserView;
  expiresAt: string;
}
