// The user sessions read model: each user's sessions, for `GET /api/auth/sessions`.

export interface UserSessionView {
  readonly sessionId: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  /** As at login. */
  readonly userAgent: string;
  readonly ip: string;
  readonly revokedAt: string | null;
}

export interface SessionStartedView {
  readonly sessionId: string;
  readonly userId: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly at: string;
  readonly expiresAt: string;
}

/** Each write carries its event's global position; a row ignores positions at or below the last it applied. */
export interface UserSessionsRepository {
  recordStarted(session: SessionStartedView, position: number): Promise<void>;
  recordRefreshed(sessionId: string, refresh: { at: string; expiresAt: string }, position: number): Promise<void>;
  recordRevoked(sessionId: string, at: string, position: number): Promise<void>;
  /** Sessions neither revoked nor expired at `now`, the most recently used first. */
  liveSessions(userId: string, now: string): Promise<UserSessionView[]>;
  drop(): Promise<void>;
}
