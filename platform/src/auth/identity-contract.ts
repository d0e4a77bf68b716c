// The Identity answers both apps give (command-api after a write, query-api from the read models), as zod
// schemas: the one description of their shape, which the OpenAPI document is generated from.
import { z } from 'zod';

const isoTime = z.string().meta({ description: 'ISO-8601 UTC', example: '2026-03-01T10:00:00.000Z' });

export const publicProfileSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
    online: z.boolean().meta({ description: 'Whether the user has a realtime connection open (a crashed server’s connections count for about a minute more)' }),
    lastSeenAt: isoTime.nullable().meta({ description: 'When the user last logged in, refreshed a session or went offline' }),
    bio: z.string(),
    statusText: z.string(),
  })
  .meta({ id: 'PublicProfile', description: 'A user as others see them' });

export const profileSchema = publicProfileSchema.meta({ id: 'Profile', description: 'The caller’s own profile' });

export const accessTokensSchema = z
  .object({
    accessToken: z.string().meta({ description: 'A JWT (EdDSA); send as Authorization: Bearer' }),
    refreshToken: z.string().meta({ description: 'Opaque; works once, then use the one returned with it' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires' }),
  })
  .meta({ id: 'SessionTokens' });

export const signedInSchema = accessTokensSchema.extend({ user: profileSchema }).meta({ id: 'SignedIn' });

export type PublicProfile = z.infer<typeof publicProfileSchema>;
export type SessionTokens = z.infer<typeof accessTokensSchema>;
export type SignedIn = z.infer<typeof signedInSchema>;

/** Avatars are files; a client downloads one from the files API. */
export function avatarUrlOf(avatarFileId: string | null): string | null {
  return avatarFileId === null ? null : `/api/files/${encodeURIComponent(avatarFileId)}`;
}
