// What happens to a user, in the stream `user-<userId>`. The activity log (`GET /api/users/me/activity`)
// is read from these events, so each carries its time and the user agent and IP that explain it.
//
// Secrets: no event ever holds a password or a refresh token, only their hashes. `UserRegistered` and
// `PasswordChanged` carry the argon2id hash because the write side folds this stream to verify a login;
// refresh tokens are kept as hashes so a presented token can be matched, and a used one recognised.
import type { DomainEvent } from '../shared/decider';

export type SessionRevocationReason = 'logout' | 'revoked' | 'password_changed' | 'reuse_detected';

export type UserRegistered = DomainEvent<'UserRegistered', {
  readonly userId: string;
  /** Normalized: trimmed and lowercased. */
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly at: string;
}>;

export type LoginSucceeded = DomainEvent<'LoginSucceeded', {
  readonly userId: string;
  readonly sessionId: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
}>;

/** A wrong password for an existing user; a login for an unknown username has no stream to land in. */
export type LoginFailed = DomainEvent<'LoginFailed', {
  readonly userId: string;
  readonly reason: 'wrong_password';
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
}>;

/** A login or a registration opened a session; its first refresh token is the hash given here. */
export type SessionStarted = DomainEvent<'SessionStarted', {
  readonly userId: string;
  readonly sessionId: string;
  readonly refreshTokenHash: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
  readonly expiresAt: string;
}>;

/** The refresh token was rotated: `previousRefreshTokenHash` is used up, `refreshTokenHash` is the live one. */
export type SessionRefreshed = DomainEvent<'SessionRefreshed', {
  readonly userId: string;
  readonly sessionId: string;
  readonly refreshTokenHash: string;
  readonly previousRefreshTokenHash: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
  readonly expiresAt: string;
}>;

/** Someone presented a refresh token that was already used: it was stolen or replayed. Always followed by `SessionRevoked`. */
export type RefreshTokenReuseDetected = DomainEvent<'RefreshTokenReuseDetected', {
  readonly userId: string;
  readonly sessionId: string;
  readonly refreshTokenHash: string;
  /** Of whoever presented the used token, not of the session. */
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
}>;

export type SessionRevoked = DomainEvent<'SessionRevoked', {
  readonly userId: string;
  readonly sessionId: string;
  readonly reason: SessionRevocationReason;
  /** Of the session that ended, so the activity log can say which device it was. */
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
}>;

/** Holds only the fields that changed; `avatarFileId: null` means the avatar was removed. */
export type ProfileUpdated = DomainEvent<'ProfileUpdated', {
  readonly userId: string;
  readonly displayName?: string;
  readonly bio?: string;
  readonly statusText?: string;
  readonly avatarFileId?: string | null;
  readonly at: string;
}>;

/** `sessionId` is the session the change was made from: the only one that stays open. */
export type PasswordChanged = DomainEvent<'PasswordChanged', {
  readonly userId: string;
  readonly passwordHash: string;
  readonly sessionId: string;
  readonly at: string;
}>;

export type UserBlocked = DomainEvent<'UserBlocked', {
  readonly userId: string;
  readonly blockedUserId: string;
  readonly at: string;
}>;

export type UserUnblocked = DomainEvent<'UserUnblocked', {
  readonly userId: string;
  readonly blockedUserId: string;
  readonly at: string;
}>;

/**
 * The user's last realtime connection closed (or stopped answering: its node crashed) at `at`: when they were
 * last seen. Recorded here rather than only in the hot presence state so that a rebuilt read model still knows it.
 */
export type UserWentOffline = DomainEvent<'UserWentOffline', {
  readonly userId: string;
  readonly at: string;
}>;

export type UserEvent =
  | UserRegistered
  | LoginSucceeded
  | LoginFailed
  | SessionStarted
  | SessionRefreshed
  | RefreshTokenReuseDetected
  | SessionRevoked
  | ProfileUpdated
  | PasswordChanged
  | UserBlocked
  | UserUnblocked
  | UserWentOffline;
