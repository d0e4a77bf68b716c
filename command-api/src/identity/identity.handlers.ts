// The Identity commands, each read → fold → decide → append on the user's stream (`user-<id>`), plus
// what the domain cannot do: hashing and verifying passwords, minting tokens, counting rate limits, and
// telling every service at once which sessions may use their access tokens.
import { randomUUID } from 'node:crypto';
import {
  type DomainError,
  isDomainError,
  normalizeUsername,
  type ProfileChanges,
  type RegisteredUser,
  trimProfile,
  type UserCommand,
  type UserEvent,
  type UserState,
  userDecider,
  usernameReservationDecider,
  userStreamId,
  usernameReservationStream,
  validatePassword,
  validateProfile,
  validateUsername,
} from '@chat/domain';
import {
  type AccessTokenIssuer,
  ApiError,
  type AuthenticatedUser,
  avatarUrlOf,
  type EventStore,
  hashRefreshToken,
  newRefreshToken,
  type PublicProfile,
  type SessionRegistry,
  type SessionTokens,
  type SignedIn,
  userIdOfRefreshToken,
} from '@chat/platform';
import { type Decided, decideAndAppend, readState } from './decide-and-append';
import { apiErrorOf } from './domain-errors';
import type { IdentityRateLimits } from './identity-rate-limits';
import type { PasswordHasher } from './password-hasher';

/** Where a request came from: recorded with sessions and logins, and what the per-address limits count. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
}

export interface IdentityHandlersDependencies {
  readonly eventStore: EventStore;
  readonly passwords: PasswordHasher;
  readonly accessTokens: AccessTokenIssuer;
  readonly sessions: SessionRegistry;
  readonly rateLimits: IdentityRateLimits;
  readonly now?: () => Date;
}

/** Wrong password and unknown username: one answer, so it tells nobody which usernames exist. */
const invalidCredentials = () => ApiError.unauthenticated('The username or password is not correct');
const refreshRefused = (message = 'The refresh token is not valid') => ApiError.unauthenticated(message);

export class IdentityHandlers {
  private readonly now: () => Date;

  constructor(private readonly dependencies: IdentityHandlersDependencies) {
    this.now = dependencies.now ?? (() => new Date());
  }

  /**
   * Claims the username first (its stream can only be created once, so of two registrations racing for
   * `Alice` and `alice` one wins), then records the user; a claim whose registration failed is released.
   */
  async register(input: { username: string; password: string; displayName?: string }, origin: RequestOrigin): Promise<SignedIn> {
    const { eventStore, passwords, rateLimits } = this.dependencies;
    await rateLimits.registerPerIp.consume(origin.ip);
    await rateLimits.registerPerUsername.consume(normalizeUsername(input.username));
    const invalid = validateUsername(input.username) ?? validatePassword(input.password) ?? validateProfile(trimProfile({ displayName: input.displayName }));
    if (invalid) throw apiErrorOf(invalid);

    const userId = randomUUID();
    const at = this.now().toISOString();
    const passwordHash = await passwords.hash(input.password);
    const claim = { username: input.username, userId, at };
    const claimed = await decideAndAppend(eventStore, usernameReservationStream(input.username), usernameReservationDecider, () => ({ type: 'ClaimUsername', ...claim }) as const, {
      actorId: userId,
      correlationId: origin.requestId,
    });
    if (isDomainError(claimed)) throw apiErrorOf(claimed);

    const session = this.newSession(userId);
    let registered: Decided<UserState, UserEvent> | DomainError;
    try {
      registered = await this.decide(userId, origin, () => ({
        type: 'RegisterUser',
        userId,
        username: input.username,
        passwordHash,
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
        sessionId: session.sessionId,
        refreshTokenHash: hashRefreshToken(session.refreshToken),
        userAgent: origin.userAgent,
        ip: origin.ip,
        at,
      }));
    } catch (error) {
      await this.releaseUsername(claim, origin);
      throw error;
    }
    if (isDomainError(registered)) {
      await this.releaseUsername(claim, origin);
      throw apiErrorOf(registered);
    }
    return { user: profileOf(registered.after, at), ...(await this.openSession({ userId, sessionId: session.sessionId }, session.refreshToken)) };
  }

  async logIn(input: { username: string; password: string }, origin: RequestOrigin): Promise<SignedIn> {
    const { eventStore, passwords, rateLimits } = this.dependencies;
    await rateLimits.loginPerIp.consume(origin.ip);
    const account = normalizeUsername(input.username);
    await rateLimits.loginFailuresPerAccount.assertNotBlocked(account);

    const { state: reservation } = await readState(eventStore, usernameReservationStream(input.username), usernameReservationDecider);
    if (reservation.status !== 'claimed') {
      await passwords.verifyNothing(input.password);
      await rateLimits.loginFailuresPerAccount.recordFailure(account);
      throw invalidCredentials();
    }
    const { userId } = reservation;
    const session = this.newSession(userId);
    const at = this.now().toISOString();
    const verify = this.verifierFor(input.password);
    const loggedIn = await this.decide(userId, origin, async (state) => ({
      type: 'LogIn',
      userId,
      // A claim whose registration has not landed (or failed) has no user yet: no password can match.
      passwordVerified: state.status === 'registered' ? await verify(state.passwordHash) : await passwords.verifyNothing(input.password),
      sessionId: session.sessionId,
      refreshTokenHash: hashRefreshToken(session.refreshToken),
      userAgent: origin.userAgent,
      ip: origin.ip,
      at,
    }));
    if (isDomainError(loggedIn) || loggedIn.events.some((event) => event.type === 'LoginFailed')) {
      await rateLimits.loginFailuresPerAccount.recordFailure(account);
      throw invalidCredentials();
    }
    await rateLimits.loginFailuresPerAccount.reset(account);
    return { user: profileOf(loggedIn.after, at), ...(await this.openSession({ userId, sessionId: session.sessionId }, session.refreshToken)) };
  }

  /** Rotates the refresh token. A used one ends its session (the domain decides so) and answers 401. */
  async refresh(refreshToken: string, origin: RequestOrigin): Promise<SessionTokens> {
    const { rateLimits, sessions } = this.dependencies;
    await rateLimits.refreshPerIp.consume(origin.ip);
    const userId = userIdOfRefreshToken(refreshToken);
    if (!userId) throw refreshRefused();
    await rateLimits.refreshPerAccount.consume(userId);

    const next = newRefreshToken(userId);
    const refreshed = await this.decide(userId, origin, () => ({
      type: 'RefreshSession',
      userId,
      refreshTokenHash: hashRefreshToken(refreshToken),
      newRefreshTokenHash: hashRefreshToken(next),
      userAgent: origin.userAgent,
      ip: origin.ip,
      at: this.now().toISOString(),
    }));
    if (isDomainError(refreshed)) throw refreshRefused(refreshed.code === 'SESSION_EXPIRED' ? 'The session has expired; log in again' : undefined);
    const revoked = revokedSessionIds(refreshed.events);
    if (revoked.length > 0) {
      await sessions.markRevoked(revoked);
      throw refreshRefused('This refresh token was already used, so its session has been ended; log in again');
    }
    const rotation = refreshed.events.find((event) => event.type === 'SessionRefreshed');
    if (!rotation) throw refreshRefused();
    return this.openSession({ userId, sessionId: rotation.data.sessionId }, next);
  }

  async logOut(caller: AuthenticatedUser, origin: RequestOrigin): Promise<void> {
    await this.endSession(caller, caller.sessionId, 'LogOut', origin);
  }

  /** Sessions are looked up in the caller's own stream: another user's session id is simply not found. */
  async revokeSession(caller: AuthenticatedUser, sessionId: string, origin: RequestOrigin): Promise<void> {
    await this.endSession(caller, sessionId, 'RevokeSession', origin);
  }

  async updateProfile(caller: AuthenticatedUser, changes: ProfileChanges, origin: RequestOrigin): Promise<PublicProfile> {
    const updated = this.orThrow(await this.decide(caller.userId, origin, () => ({ type: 'UpdateProfile', userId: caller.userId, ...changes, at: this.now().toISOString() })));
    return profileOf(updated.after);
  }

  /** Every other session of the user ends; the caller's stays. */
  async changePassword(caller: AuthenticatedUser, input: { currentPassword: string; newPassword: string }, origin: RequestOrigin): Promise<void> {
    const { passwords, rateLimits, sessions } = this.dependencies;
    const invalid = validatePassword(input.newPassword, 'newPassword');
    if (invalid) throw apiErrorOf(invalid);
    const newPasswordHash = await passwords.hash(input.newPassword);
    const verify = this.verifierFor(input.currentPassword);
    let account: string | undefined;
    const changed = await this.decide(caller.userId, origin, async (state) => {
      // Guessing the current password from a stolen session counts against the same limit as logging in.
      account = state.status === 'registered' ? state.username : undefined;
      if (account) await rateLimits.loginFailuresPerAccount.assertNotBlocked(account);
      return {
        type: 'ChangePassword',
        userId: caller.userId,
        sessionId: caller.sessionId,
        currentPasswordVerified: state.status === 'registered' && (await verify(state.passwordHash)),
        newPasswordHash,
        at: this.now().toISOString(),
      };
    });
    if (isDomainError(changed) && changed.code === 'CURRENT_PASSWORD_INCORRECT' && account) await rateLimits.loginFailuresPerAccount.recordFailure(account);
    await sessions.markRevoked(revokedSessionIds(this.orThrow(changed).events));
  }

  async block(caller: AuthenticatedUser, blockedUserId: string, origin: RequestOrigin): Promise<void> {
    // The caller's stream only knows its own user; whether the other one exists is asked of theirs.
    if (blockedUserId !== caller.userId && (await this.dependencies.eventStore.streamRevision(userStreamId(blockedUserId))) === undefined) {
      throw new ApiError('NOT_FOUND', `user ${blockedUserId} does not exist`, { reason: 'USER_NOT_FOUND' });
    }
    this.orThrow(await this.decide(caller.userId, origin, () => ({ type: 'BlockUser', userId: caller.userId, blockedUserId, at: this.now().toISOString() })));
  }

  async unblock(caller: AuthenticatedUser, blockedUserId: string, origin: RequestOrigin): Promise<void> {
    this.orThrow(await this.decide(caller.userId, origin, () => ({ type: 'UnblockUser', userId: caller.userId, blockedUserId, at: this.now().toISOString() })));
  }

  private async endSession(caller: AuthenticatedUser, sessionId: string, type: 'LogOut' | 'RevokeSession', origin: RequestOrigin): Promise<void> {
    this.orThrow(await this.decide(caller.userId, origin, () => ({ type, userId: caller.userId, sessionId, at: this.now().toISOString() })));
    // Also when the session had already ended (no new event): a retry after a failed write repairs it.
    await this.dependencies.sessions.markRevoked([sessionId]);
  }

  private decide(
    userId: string,
    origin: RequestOrigin,
    commandFor: (state: UserState) => UserCommand | Promise<UserCommand>,
  ): Promise<Decided<UserState, UserEvent> | DomainError> {
    return decideAndAppend(this.dependencies.eventStore, userStreamId(userId), userDecider, commandFor, { actorId: userId, correlationId: origin.requestId });
  }

  private orThrow<T>(outcome: T | DomainError): T {
    if (isDomainError(outcome)) throw apiErrorOf(outcome);
    return outcome;
  }

  /** Verifies once per stored hash, so a retried decision does not pay for argon2 again. */
  private verifierFor(password: string): (hash: string) => Promise<boolean> {
    const verified = new Map<string, Promise<boolean>>();
    return (hash) => {
      let outcome = verified.get(hash);
      if (!outcome) {
        outcome = this.dependencies.passwords.verify(hash, password);
        verified.set(hash, outcome);
      }
      return outcome;
    };
  }

  private newSession(userId: string): { sessionId: string; refreshToken: string } {
    return { sessionId: randomUUID(), refreshToken: newRefreshToken(userId) };
  }

  /** Marks the session live for every service, then hands out its tokens. */
  private async openSession(user: AuthenticatedUser, refreshToken: string): Promise<SessionTokens> {
    await this.dependencies.sessions.markLive(user);
    const { accessToken, expiresIn } = await this.dependencies.accessTokens.issue(user, this.now());
    return { accessToken, refreshToken, expiresIn };
  }

  private async releaseUsername(claim: { username: string; userId: string }, origin: RequestOrigin): Promise<void> {
    await decideAndAppend(
      this.dependencies.eventStore,
      usernameReservationStream(claim.username),
      usernameReservationDecider,
      () => ({ type: 'ReleaseUsername', ...claim, at: this.now().toISOString() }) as const,
      { actorId: claim.userId, correlationId: origin.requestId },
    );
  }
}

function revokedSessionIds(events: readonly UserEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'SessionRevoked' ? [event.data.sessionId] : []));
}

/**
 * The profile as the command's answer gives it: straight from the state just decided on, since the
 * read models may not have caught up yet. `seenAt` is now for a login; otherwise the last session use.
 */
function profileOf(state: UserState, seenAt?: string): PublicProfile {
  if (state.status !== 'registered') throw new Error('a profile of a user who is not registered');
  const user: RegisteredUser = state;
  const lastUsed = Object.values(user.sessions).reduce<string | null>((latest, session) => (latest === null || session.lastUsedAt > latest ? session.lastUsedAt : latest), null);
  return {
    id: user.userId,
    username: user.username,
    displayName: user.profile.displayName,
    bio: user.profile.bio,
    statusText: user.profile.statusText,
    avatarUrl: avatarUrlOf(user.profile.avatarFileId),
    online: false,
    lastSeenAt: seenAt ?? lastUsed,
  };
}
