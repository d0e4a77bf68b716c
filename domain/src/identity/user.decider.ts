// The user aggregate: registration, logins, sessions with rotating refresh tokens, profile, password, blocks, last seen.
//
// Idempotency, command by command: RegisterUser conflicts on an existing user. LogIn opens a new session
// each time (a reused session id conflicts). RefreshSession works once per token by design. LogOut and
// RevokeSession on an already revoked session, BlockUser of a blocked user, UnblockUser of a user who is
// not blocked and UpdateProfile that changes nothing decide no events. ChangePassword always records the
// change: argon2 salts each hash, so a repeated request cannot be told apart from a new one. RecordWentOffline
// at or before the time already recorded decides nothing: last seen only moves forward.
import { assertNever, type Decider, type DomainError, domainError } from '../shared/decider';
import type { ChangePassword, LogIn, NewSession, RefreshSession, RegisterUser, UpdateProfile, UserCommand } from './user.commands';
import type { SessionRevocationReason, SessionRevoked, SessionStarted, UserEvent } from './user.events';
import { initialUserState, isSessionLive, type Profile, type RegisteredUser, type Session, type UserState } from './user.state';
import { normalizeUsername, trimProfile, validateProfile, validateUsername } from './validation';

/** A refresh token stops working this long after its session was last used; every refresh starts the count again. */
export const refreshTokenLifetimeDays = 30;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: initialUserState,

  decide(command, state) {
    if (command.type === 'RegisterUser') return register(command, state);
    if (state.status === 'unregistered') return domainError('not_found', 'USER_NOT_FOUND', `user ${command.userId} does not exist`);
    switch (command.type) {
      case 'LogIn':
        return logIn(command, state);
      case 'RefreshSession':
        return refresh(command, state);
      case 'LogOut':
        return endSession(state, command.sessionId, 'logout', command.at);
      case 'RevokeSession':
        return endSession(state, command.sessionId, 'revoked', command.at);
      case 'ChangePassword':
        return changePassword(command, state);
      case 'UpdateProfile':
        return updateProfile(command, state);
      case 'BlockUser':
        if (command.blockedUserId === state.userId) return domainError('validation', 'CANNOT_BLOCK_SELF', 'you cannot block yourself');
        if (state.blockedUserIds.includes(command.blockedUserId)) return [];
        return [{ type: 'UserBlocked', data: { userId: state.userId, blockedUserId: command.blockedUserId, at: command.at } }];
      case 'UnblockUser':
        if (!state.blockedUserIds.includes(command.blockedUserId)) return [];
        return [{ type: 'UserUnblocked', data: { userId: state.userId, blockedUserId: command.blockedUserId, at: command.at } }];
      case 'RecordWentOffline':
        // Two consumers, a retried append or a late report may bring the same or an older time again.
        if (state.lastWentOfflineAt !== null && Date.parse(command.at) <= Date.parse(state.lastWentOfflineAt)) return [];
        return [{ type: 'UserWentOffline', data: { userId: state.userId, at: command.at } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    if (event.type === 'UserRegistered') {
      const { userId, username, displayName, passwordHash } = event.data;
      return { status: 'registered', userId, username, passwordHash, profile: { displayName, bio: '', statusText: '', avatarFileId: null }, sessions: {}, blockedUserIds: [], lastWentOfflineAt: null };
    }
    if (state.status === 'unregistered') return state;
    switch (event.type) {
      case 'LoginSucceeded':
      case 'LoginFailed':
      case 'RefreshTokenReuseDetected':
        return state;
      case 'SessionStarted': {
        const { sessionId, refreshTokenHash, userAgent, ip, at, expiresAt } = event.data;
        const session: Session = { sessionId, userAgent, ip, createdAt: at, lastUsedAt: at, expiresAt, refreshTokenHash, usedRefreshTokenHashes: [], revokedAt: null };
        return { ...state, sessions: { ...state.sessions, [sessionId]: session } };
      }
      case 'SessionRefreshed': {
        const { refreshTokenHash, previousRefreshTokenHash, at, expiresAt } = event.data;
        return withSession(state, event.data.sessionId, (session) => ({
          ...session, refreshTokenHash, usedRefreshTokenHashes: [...session.usedRefreshTokenHashes, previousRefreshTokenHash], lastUsedAt: at, expiresAt,
        }));
      }
      case 'SessionRevoked':
        return withSession(state, event.data.sessionId, (session) => ({ ...session, revokedAt: event.data.at }));
      case 'ProfileUpdated': {
        const { userId: _userId, at: _at, ...changed } = event.data;
        return { ...state, profile: { ...state.profile, ...changed } };
      }
      case 'PasswordChanged':
        return { ...state, passwordHash: event.data.passwordHash };
      case 'UserBlocked':
        return { ...state, blockedUserIds: [...state.blockedUserIds, event.data.blockedUserId] };
      case 'UserUnblocked':
        return { ...state, blockedUserIds: state.blockedUserIds.filter((id) => id !== event.data.blockedUserId) };
      case 'UserWentOffline':
        return { ...state, lastWentOfflineAt: event.data.at };
      default:
        return assertNever(event);
    }
  },
};

function register(command: RegisterUser, state: UserState): UserEvent[] | DomainError {
  if (state.status === 'registered') return domainError('conflict', 'USER_ALREADY_REGISTERED', `user ${command.userId} is already registered`);
  // The default display name keeps the username as typed, so `Alice` is shown as `Alice` though stored as `alice`.
  const { displayName = command.username.trim() } = trimProfile({ displayName: command.displayName });
  const invalid = validateUsername(command.username) ?? validateProfile({ displayName });
  if (invalid) return invalid;
  const { userId, passwordHash, at } = command;
  return [
    { type: 'UserRegistered', data: { userId, username: normalizeUsername(command.username), displayName, passwordHash, at } },
    sessionStarted(userId, command, at),
  ];
}

function logIn(command: LogIn, state: RegisteredUser): UserEvent[] | DomainError {
  const { userId, sessionId, userAgent, ip, at } = command;
  // A wrong password is an outcome worth recording, not a broken rule: the handler appends it, then answers 401.
  if (!command.passwordVerified) return [{ type: 'LoginFailed', data: { userId, reason: 'wrong_password', userAgent, ip, at } }];
  if (state.sessions[sessionId]) return domainError('conflict', 'SESSION_ALREADY_EXISTS', `session ${sessionId} already exists`);
  return [{ type: 'LoginSucceeded', data: { userId, sessionId, userAgent, ip, at } }, sessionStarted(userId, command, at)];
}

/**
 * Rotation with reuse detection: the live token is swapped for a new one; a used token of a live session
 * means two parties hold it, so the session ends. A token of a revoked or expired session only fails.
 */
function refresh(command: RefreshSession, state: RegisteredUser): UserEvent[] | DomainError {
  const { userId, refreshTokenHash, userAgent, ip, at } = command;
  const sessions = Object.values(state.sessions);
  const current = sessions.find((session) => session.refreshTokenHash === refreshTokenHash);
  const session = current ?? sessions.find((candidate) => candidate.usedRefreshTokenHashes.includes(refreshTokenHash));
  if (!session) return domainError('not_found', 'REFRESH_TOKEN_UNKNOWN', 'this refresh token was never issued');
  if (session.revokedAt !== null) return domainError('forbidden', 'SESSION_REVOKED', `session ${session.sessionId} was revoked`);
  if (!isSessionLive(session, at)) return domainError('forbidden', 'SESSION_EXPIRED', `session ${session.sessionId} expired`);
  const { sessionId } = session;
  if (!current) {
    return [
      { type: 'RefreshTokenReuseDetected', data: { userId, sessionId, refreshTokenHash, userAgent, ip, at } },
      sessionRevoked(userId, session, 'reuse_detected', at),
    ];
  }
  return [{
    type: 'SessionRefreshed',
    data: { userId, sessionId, refreshTokenHash: command.newRefreshTokenHash, previousRefreshTokenHash: refreshTokenHash, userAgent, ip, at, expiresAt: expiryFrom(at) },
  }];
}

function endSession(state: RegisteredUser, sessionId: string, reason: 'logout' | 'revoked', at: string): UserEvent[] | DomainError {
  // Sessions live in their user's stream, so another user's session id is simply unknown here.
  const session = state.sessions[sessionId];
  if (!session) return domainError('not_found', 'SESSION_NOT_FOUND', `session ${sessionId} not found`);
  if (session.revokedAt !== null) return [];
  return [sessionRevoked(state.userId, session, reason, at)];
}

function changePassword(command: ChangePassword, state: RegisteredUser): UserEvent[] | DomainError {
  const { userId, sessionId, at } = command;
  const session = state.sessions[sessionId];
  if (!session) return domainError('not_found', 'SESSION_NOT_FOUND', `session ${sessionId} not found`);
  if (session.revokedAt !== null) return domainError('forbidden', 'SESSION_REVOKED', `session ${sessionId} was revoked`);
  if (!command.currentPasswordVerified) return domainError('forbidden', 'CURRENT_PASSWORD_INCORRECT', 'the current password is not correct');
  const others = Object.values(state.sessions).filter((other) => other.sessionId !== sessionId && isSessionLive(other, at));
  return [
    { type: 'PasswordChanged', data: { userId, passwordHash: command.newPasswordHash, sessionId, at } },
    ...others.map((other) => sessionRevoked(userId, other, 'password_changed', at)),
  ];
}

function updateProfile(command: UpdateProfile, state: RegisteredUser): UserEvent[] | DomainError {
  const requested = trimProfile(command);
  const invalid = validateProfile(requested);
  if (invalid) return invalid;
  const { displayName, bio, statusText, avatarFileId } = requested;
  const { profile } = state;
  const changed: Partial<Profile> = {
    ...(displayName !== undefined && displayName !== profile.displayName ? { displayName } : {}),
    ...(bio !== undefined && bio !== profile.bio ? { bio } : {}),
    ...(statusText !== undefined && statusText !== profile.statusText ? { statusText } : {}),
    ...(avatarFileId !== undefined && avatarFileId !== profile.avatarFileId ? { avatarFileId } : {}),
  };
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'ProfileUpdated', data: { userId: state.userId, ...changed, at: command.at } }];
}

function sessionStarted(userId: string, session: NewSession, at: string): SessionStarted {
  const { sessionId, refreshTokenHash, userAgent, ip } = session;
  return { type: 'SessionStarted', data: { userId, sessionId, refreshTokenHash, userAgent, ip, at, expiresAt: expiryFrom(at) } };
}

function sessionRevoked(userId: string, session: Session, reason: SessionRevocationReason, at: string): SessionRevoked {
  const { sessionId, userAgent, ip } = session;
  return { type: 'SessionRevoked', data: { userId, sessionId, reason, userAgent, ip, at } };
}

function withSession(state: RegisteredUser, sessionId: string, change: (session: Session) => Session): RegisteredUser {
  const session = state.sessions[sessionId];
  return session ? { ...state, sessions: { ...state.sessions, [sessionId]: change(session) } } : state;
}

// Arithmetic on the command's own time, never the clock.
function expiryFrom(at: string): string {
  return new Date(Date.parse(at) + refreshTokenLifetimeDays * 24 * 60 * 60 * 1000).toISOString();
}
