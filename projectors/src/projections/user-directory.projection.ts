import { assertNever, type ProfileUpdated, type SessionRefreshed, type SessionStarted, type UserEvent, type UserRegistered, type UserWentOffline } from '@chat/domain';
import type { UserDirectoryRepository } from '@chat/platform';
import type { Projection } from '../processor/projection';

export const USER_DIRECTORY_EVENTS: ReadonlySet<string> = new Set<UserEvent['type']>(['UserRegistered', 'ProfileUpdated', 'SessionStarted', 'SessionRefreshed', 'UserWentOffline']);

/** Profiles for reads and search; a session starting or refreshing, and going offline, count as the user being seen. */
export function userDirectoryProjection(name: string, repository: UserDirectoryRepository): Projection {
  return {
    name,
    handles: (eventType) => USER_DIRECTORY_EVENTS.has(eventType),
    apply: async (recorded) => {
      const event = { type: recorded.type, data: recorded.data } as UserRegistered | ProfileUpdated | SessionStarted | SessionRefreshed | UserWentOffline;
      switch (event.type) {
        case 'UserRegistered':
          return repository.recordRegistered(event.data, recorded.position);
        case 'ProfileUpdated': {
          const { userId, at: _at, ...changes } = event.data;
          return repository.recordProfileChanged(userId, changes, recorded.position);
        }
        case 'SessionStarted':
        case 'SessionRefreshed':
        case 'UserWentOffline':
          return repository.recordSeen(event.data.userId, event.data.at, recorded.position);
        default:
          return assertNever(event);
      }
    },
  };
}
