// What a user asks of their own account. Everything the domain cannot compute purely comes in here:
// the time (`at`, ISO-8601 UTC), fresh ids, argon2id hashes, hashes of new refresh tokens, and whether a
// presented password matched the stored hash (argon2 verify runs in the handler, against the state's hash).
import type { ProfileChanges } from './validation';

/** Where a new session comes from: the id and first refresh token hash are made by the handler. */
export interface NewSession {
  readonly sessionId: string;
  readonly refreshTokenHash: string;
  readonly userAgent: string;
  readonly ip: string;
}

/** The username must already be claimed for `userId` (see `usernameReservationDecider`); the password was checked with `validatePassword` before hashing. */
export interface RegisterUser extends NewSession {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly username: string;
  readonly passwordHash: string;
  /** Defaults to the username. */
  readonly displayName?: string;
  readonly at: string;
}

export interface LogIn extends NewSession {
  readonly type: 'LogIn';
  readonly userId: string;
  readonly passwordVerified: boolean;
  readonly at: string;
}

export interface RefreshSession {
  readonly type: 'RefreshSession';
  readonly userId: string;
  /** The hash of the token the client presented. */
  readonly refreshTokenHash: string;
  readonly newRefreshTokenHash: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
}

/** Ends the caller's own session. */
export interface LogOut {
  readonly type: 'LogOut';
  readonly userId: string;
  readonly sessionId: string;
  readonly at: string;
}

/** Ends one of the user's sessions by id, from any of their sessions. */
export interface RevokeSession {
  readonly type: 'RevokeSession';
  readonly userId: string;
  readonly sessionId: string;
  readonly at: string;
}

export interface ChangePassword {
  readonly type: 'ChangePassword';
  readonly userId: string;
  /** The caller's session: every other one is revoked. */
  readonly sessionId: string;
  readonly currentPasswordVerified: boolean;
  readonly newPasswordHash: string;
  readonly at: string;
}

export interface UpdateProfile extends ProfileChanges {
  readonly type: 'UpdateProfile';
  readonly userId: string;
  readonly at: string;
}

/** Whether `blockedUserId` exists is checked by the handler: this stream only knows its own user. */
export interface BlockUser {
  readonly type: 'BlockUser';
  readonly userId: string;
  readonly blockedUserId: string;
  readonly at: string;
}

export interface UnblockUser {
  readonly type: 'UnblockUser';
  readonly userId: string;
  readonly blockedUserId: string;
  readonly at: string;
}

/**
 * Not asked by the user: command-api's presence consumer sends it when the user's last realtime connection
 * closed or expired, with the time they were last seen.
 */
export interface RecordWentOffline {
  readonly type: 'RecordWentOffline';
  readonly userId: string;
  readonly at: string;
}

export type UserCommand =
  | RegisterUser
  | LogIn
  | RefreshSession
  | LogOut
  | RevokeSession
  | ChangePassword
  | UpdateProfile
  | BlockUser
  | UnblockUser
  | RecordWentOffline;
