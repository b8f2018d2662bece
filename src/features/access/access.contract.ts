import { z } from 'zod';
import { PERMISSIONS, ROLES } from './access.permissions.js';

// The API of signing in and out, shared by the server (validation, OpenAPI) and the web app (types).

export const SignInBody = z.object({
  login: z.string().trim().min(1).max(64).describe('staff number (from staff.csv) or administrator login'),
  password: z.string().min(1).max(200),
});
export type SignInBody = z.infer<typeof SignInBody>;

export const CurrentUser = z.object({
  login: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  branch: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** the bank (top of the branch tree), shown in the frame */
  bankName: z.string().nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  /** send back as the X-CSRF-Token header on every request that changes something */
  csrfToken: z.string(),
  /** minutes of inactivity after which the session ends */
  idleMinutes: z.number().int(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const SessionResponse = z.object({ data: CurrentUser });
export const SignedOut = z.object({ data: z.object({ signedOut: z.literal(true) }) });

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'stratum_session';
