// What the Identity commands accept, checked at the edge. The rules themselves (username pattern,
// lengths) are the domain's and are checked there; these schemas take the shapes and refuse the absurd.
import { bioMaxLength, displayNameLength, passwordLength, statusTextMaxLength, usernameLength } from '@chat/domain';
import { z } from 'zod';

/** UTF-16 units can be twice the code points the domain counts: the domain gives the precise answer. */
const atMost = (codePoints: number) => z.string().max(codePoints * 2);

const username = atMost(usernameLength.max + 8).meta({ description: `${usernameLength.min}–${usernameLength.max} of [a-z0-9_.], unique whatever the case` });
const password = atMost(passwordLength.max).meta({ description: `At least ${passwordLength.min} characters` });

export const registerBody = z
  .object({ username, password, displayName: atMost(displayNameLength.max + 8).optional() })
  .meta({ id: 'RegisterRequest' });

export const logInBody = z.object({ username, password }).meta({ id: 'LoginRequest' });

export const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) }).meta({ id: 'RefreshRequest' });

export const sessionParams = z.object({ id: z.string().min(1).max(64).meta({ description: 'A session id, from GET /api/auth/sessions' }) });

export const profileChangesBody = z
  .object({
    displayName: atMost(displayNameLength.max + 8).optional(),
    bio: atMost(bioMaxLength + 8).optional(),
    statusText: atMost(statusTextMaxLength + 8).optional(),
    avatarFileId: z.string().max(128).nullable().optional().meta({ description: 'A file id from POST /api/files; null removes the avatar' }),
  })
  .strict()
  .meta({ id: 'ProfileChanges' });

export const passwordChangeBody = z.object({ currentPassword: password, newPassword: password }).meta({ id: 'PasswordChange' });

export const blockParams = z.object({ userId: z.uuid() });
