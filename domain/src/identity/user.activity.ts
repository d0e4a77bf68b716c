// Which user events make the activity log (`GET /api/users/me/activity` → `[{ at, kind, detail }]`) and
// what each entry says. A projection or an audit replay calls this; the rule lives here, not there.
import { assertNever } from '../shared/decider';
import type { UserEvent } from './user.events';

export type ActivityKind =
  | 'registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'logout'
  | 'session_revoked'
  | 'refresh_token_reused'
  | 'profile_updated'
  | 'password_changed';

export interface ActivityEntry {
  readonly at: string;
  readonly kind: ActivityKind;
  readonly detail: Readonly<Record<string, string | readonly string[]>>;
}

/** The entry an event adds to its user's activity log, or undefined for bookkeeping (refreshes, session starts, blocks, presence). */
export function activityEntry(event: UserEvent): ActivityEntry | undefined {
  switch (event.type) {
    case 'UserRegistered':
      return { at: event.data.at, kind: 'registered', detail: { username: event.data.username } };
    case 'LoginSucceeded': {
      const { at, sessionId, userAgent, ip } = event.data;
      return { at, kind: 'login_succeeded', detail: { sessionId, userAgent, ip } };
    }
    case 'LoginFailed': {
      const { at, reason, userAgent, ip } = event.data;
      return { at, kind: 'login_failed', detail: { reason, userAgent, ip } };
    }
    case 'SessionRevoked': {
      const { at, sessionId, reason, userAgent, ip } = event.data;
      return reason === 'logout'
        ? { at, kind: 'logout', detail: { sessionId, userAgent, ip } }
        : { at, kind: 'session_revoked', detail: { sessionId, reason, userAgent, ip } };
    }
    case 'RefreshTokenReuseDetected': {
      const { at, sessionId, userAgent, ip } = event.data;
      return { at, kind: 'refresh_token_reused', detail: { sessionId, userAgent, ip } };
    }
    case 'ProfileUpdated': {
      const { at, userId: _userId, ...changed } = event.data;
      return { at, kind: 'profile_updated', detail: { fields: Object.keys(changed) } };
    }
    case 'PasswordChanged':
      return { at: event.data.at, kind: 'password_changed', detail: { sessionId: event.data.sessionId } };
    case 'SessionStarted':
    case 'SessionRefreshed':
    case 'UserBlocked':
    case 'UserUnblocked':
    case 'UserWentOffline':
      return undefined;
    default:
      return assertNever(event);
  }
}
