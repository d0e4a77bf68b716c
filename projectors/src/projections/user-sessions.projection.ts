import { assertNever, type SessionRefreshed, type SessionRevoked, type SessionStarted, type UserEvent } from '@chat/domain';
import type { UserSessionsRepository } from '@chat/platform';
import type { Projection } from '../processor/projection';

export const USER_SESSIONS_EVENTS: ReadonlySet<string> = new Set<UserEvent['type']>(['SessionStarted', 'SessionRefreshed', 'SessionRevoked']);

/** Each user's sessions, for the session list. */
export function userSessionsProjection(name: string, repository: UserSessionsRepository): Projection {
  return {
    name,
    handles: (eventType) => USER_SESSIONS_EVENTS.has(eventType),
    apply: async (recorded) => {
      const event = { type: recorded.type, data: recorded.data } as SessionStarted | SessionRefreshed | SessionRevoked;
      switch (event.type) {
        case 'SessionStarted':
          return repository.recordStarted(event.data, recorded.position);
        case 'SessionRefreshed':
          return repository.recordRefreshed(event.data.sessionId, event.data, recorded.position);
        case 'SessionRevoked':
          return repository.recordRevoked(event.data.sessionId, event.data.at, recorded.position);
        default:
          return assertNever(event);
      }
    },
  };
}
