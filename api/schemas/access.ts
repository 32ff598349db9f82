// Shapes of accounts, sessions, tokens, members and the audit log. Passwords and tokens are
// accepted, never returned (a new token's value is returned once, by the call that makes it).
import { z } from '@hono/zod-openapi';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../src/auth/password-hash.js';
import { PROJECT_ROLES, TOKEN_SCOPES } from '../../src/domain/access.js';
import { Id, Name } from './common.js';

export const Email = z
  .string()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address')
  .transform((v) => v.toLowerCase())
  .openapi({ example: 'ada@example.com' });

export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`)
  .openapi({ format: 'password' });

const PersonName = z.string().max(200).refine((v) => !/[\x00-\x1f]/.test(v), 'no control characters');

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('User');

export const SignedIn = z
  .object({
    user: User,
    csrfToken: z.string().openapi({ description: 'Send it as X-CSRF-Token with every change made with the session cookie' }),
    expiresAt: z.string(),
  })
  .openapi('SignedIn');

export const SetupInput = z
  .object({ setupToken: z.string().max(200), email: Email, name: PersonName.default(''), password: Password })
  .strict()
  .openapi('SetupInput');

export const LoginInput = z
  .object({ email: z.string().max(254), password: z.string().max(MAX_PASSWORD_LENGTH) })
  .strict()
  .openapi('LoginInput');

export const WhoAmI = z
  .object({
    user: User,
    via: z.enum(['session', 'token']),
    scope: z.enum(TOKEN_SCOPES),
    tokenId: z.string().nullable(),
    projectRestriction: z.string().nullable(),
    csrfToken: z.string().nullable(),
  })
  .openapi('WhoAmI');

export const SessionInfo = z
  .object({ id: z.string(), current: z.boolean(), address: z.string().nullable(), userAgent: z.string().nullable(), createdAt: z.string(), lastSeenAt: z.string(), expiresAt: z.string() })
  .openapi('Session');

export const PasswordChange = z
  .object({
    currentPassword: z.string().max(MAX_PASSWORD_LENGTH),
    newPassword: Password,
    revokeTokens: z.boolean().default(false).openapi({ description: 'Also revoke every API token of the account (when the password may have leaked)' }),
  })
  .strict()
  .openapi('PasswordChange');

export const UserInput = z
  .object({ email: Email, name: PersonName.default(''), password: Password, isAdmin: z.boolean().default(false) })
  .strict()
  .openapi('UserInput');

export const UserPatch = z
  .object({ name: PersonName.optional(), isAdmin: z.boolean().optional(), disabled: z.boolean().optional(), password: Password.optional() })
  .strict()
  .openapi('UserPatch');

export const UserParam = z.object({ id: Id.openapi({ example: 'usr_0mabcdefgh1234567890' }) });

export const TokenInput = z
  .object({
    name: z.string().min(1).max(100).refine((v) => !/[\x00-\x1f]/.test(v), 'no control characters'),
    scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(3).openapi({ description: 'read, deploy or admin (each includes the ones before it)' }),
    project: Name.optional().openapi({ description: 'Restrict the token to this project' }),
    expiresInDays: z.number().int().min(1).max(3650).optional().openapi({ description: 'No expiry when absent' }),
  })
  .strict()
  .openapi('TokenInput');

export const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(TOKEN_SCOPES)),
    project: z.string().nullable(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Token');

export const NewToken = Token.extend({ token: z.string().openapi({ description: 'Shown this once; Berth keeps only its hash' }) }).openapi('NewToken');

export const MemberInput = z.object({ email: Email, role: z.enum(PROJECT_ROLES) }).strict().openapi('MemberInput');

export const Member = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), role: z.enum(PROJECT_ROLES), since: z.string() })
  .openapi('Member');

export const AuditEvent = z
  .object({
    id: z.number(),
    at: z.string(),
    actorKind: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    target: z.string(),
    projectId: z.string().nullable(),
    outcome: z.string(),
    status: z.number().nullable(),
    requestId: z.string().nullable(),
    address: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

export const AuditFilter = z.object({
  actorKind: z.enum(['user', 'token', 'webhook', 'schedule', 'anonymous']).optional(),
  actor: z.string().max(254).optional().openapi({ description: 'A user id, e-mail, delivery id or schedule name' }),
  action: z.string().max(200).optional().openapi({ description: 'Actions starting with this, e.g. "POST /apps" or "deployment."' }),
  outcome: z.enum(['succeeded', 'denied', 'rejected', 'failed']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
