// A user as the write side needs it to decide: plain data, folded from the user's stream.

export interface Profile {
  readonly displayName: string;
  readonly bio: string;
  readonly statusText: string;
  readonly avatarFileId: string | null;
}

export interface Session {
  readonly sessionId: string;
  /** As at login: what the user recognises the session by. */
  readonly userAgent: string;
  readonly ip: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** The live refresh token stops working at this time unless it is used (and so renewed) before. */
  readonly expiresAt: string;
  readonly refreshTokenHash: string;
  /** Rotated-away hashes: presenting one again is reuse. */
  readonly usedRefreshTokenHashes: readonly string[];
  readonly revokedAt: string | null;
}

export type UserState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly username: string;
      readonly passwordHash: string;
      readonly profile: Profile;
      /** Every session ever opened, revoked and expired ones included, so their tokens are still recognised. */
      readonly sessions: Readonly<Record<string, Session>>;
      /** In the order they were blocked. */
      readonly blockedUserIds: readonly string[];
      /** The last `UserWentOffline` time recorded; null until the user first went offline. */
      readonly lastWentOfflineAt: string | null;
    };

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

export const initialUserState: UserState = { status: 'unregistered' };

/** Live means it can still be refreshed: neither revoked nor past its expiry at `at`. */
export function isSessionLive(session: Session, at: string): boolean {
  return session.revokedAt === null && Date.parse(at) < Date.parse(session.expiresAt);
}
