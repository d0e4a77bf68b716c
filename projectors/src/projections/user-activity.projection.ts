import { activityEntry, type UserEvent } from '@chat/domain';
import type { UserActivityRepository } from '@chat/platform';
import type { Projection } from '../processor/projection';

// Which events make an entry is the domain's rule (`activityEntry`); this list only spares the
// projection the events that never do.
export const USER_ACTIVITY_EVENTS: ReadonlySet<string> = new Set<UserEvent['type']>([
  'UserRegistered',
  'LoginSucceeded',
  'LoginFailed',
  'SessionRevoked',
  'RefreshTokenReuseDetected',
  'ProfileUpdated',
  'PasswordChanged',
]);

/** Each user's activity log, read from the log because query-api never reads the event store. */
export function userActivityProjection(name: string, repository: UserActivityRepository): Projection {
  return {
    name,
    handles: (eventType) => USER_ACTIVITY_EVENTS.has(eventType),
    apply: async (recorded) => {
      const event = { type: recorded.type, data: recorded.data } as UserEvent;
      const entry = activityEntry(event);
      if (entry) await repository.record(event.data.userId, { ...entry, position: recorded.position });
    },
  };
}
