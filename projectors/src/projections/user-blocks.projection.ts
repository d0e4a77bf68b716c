import type { UserBlocked, UserEvent, UserUnblocked } from '@chat/domain';
import type { UserBlocksRepository } from '@chat/platform';
import type { Projection } from '../processor/projection';

export const USER_BLOCKS_EVENTS: ReadonlySet<string> = new Set<UserEvent['type']>(['UserBlocked', 'UserUnblocked']);

/** Whom each user blocks. */
export function userBlocksProjection(name: string, repository: UserBlocksRepository): Projection {
  return {
    name,
    handles: (eventType) => USER_BLOCKS_EVENTS.has(eventType),
    apply: async (recorded) => {
      const event = { type: recorded.type, data: recorded.data } as UserBlocked | UserUnblocked;
      const { userId, blockedUserId, at } = event.data;
      return event.type === 'UserBlocked'
        ? repository.recordBlocked(userId, blockedUserId, at, recorded.position)
        : repository.recordUnblocked(userId, blockedUserId, at, recorded.position);
    },
  };
}
