// What Identity's reads accept and answer.
import { publicProfileSchema } from '@chat/platform';
import { z } from 'zod';

export const userParams = z.object({ id: z.string().min(1).max(64) });

export const userSearchQuery = z.object({
  query: z.string().trim().min(1).max(64).meta({ description: 'The start of a username or display name, any case' }),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const activityQuery = z.object({
  before: z
    .union([z.string().regex(/^\d{1,15}$/), z.iso.datetime()])
    .optional()
    .meta({ description: 'The `cursor` of the oldest entry already seen, or an ISO-8601 time: only older entries' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const publicProfilesSchema = z.array(publicProfileSchema);

export const activitySchema = z.array(
  z
    .object({
      at: z.string(),
      kind: z.enum(['registered', 'login_succeeded', 'login_failed', 'logout', 'session_revoked', 'refresh_token_reused', 'profile_updated', 'password_changed']),
      detail: z.record(z.string(), z.unknown()),
      cursor: z.string().meta({ description: 'Pass as `before` for older entries' }),
    })
    .meta({ id: 'ActivityEntry' }),
);

export const sessionsSchema = z.array(
  z
    .object({
      id: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string(),
      expiresAt: z.string(),
      userAgent: z.string(),
      ip: z.string(),
      current: z.boolean().meta({ description: 'The session of the access token this was asked with' }),
    })
    .meta({ id: 'Session' }),
);
