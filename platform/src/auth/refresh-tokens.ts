// Refresh tokens: opaque to the client, 32 random bytes (base64url) behind the user id they belong to.
// The id only routes the token to the user's stream, where the domain matches its hash; the secret
// part is what makes it unguessable. Only the SHA-256 of the whole token is ever stored.
import { createHash, randomBytes } from 'node:crypto';

const SECRET_BYTES = 32;
const SEPARATOR = '.';
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(userId: string): string {
  return `${userId}${SEPARATOR}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The user a refresh token was issued to, or undefined when the token is not one of ours at all. */
export function userIdOfRefreshToken(token: string): string | undefined {
  const separator = token.lastIndexOf(SEPARATOR);
  if (separator <= 0) return undefined;
  return SECRET.test(token.slice(separator + 1)) ? token.slice(0, separator) : undefined;
}
