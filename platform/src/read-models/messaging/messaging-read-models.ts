// The rooms-and-messages read models are filled by one projection and rebuilt and switched together:
// a room list's unread counts and last messages are derived from the history and the memberships, so
// the three must always be of the same generation.
import type { MessageHistoryRepository } from './message-history-repository';
import type { RoomDetailsRepository } from './room-details-repository';
import type { RoomListRepository } from './room-list-repository';

/** Its checkpoint and live-generation name. */
export const ROOMS_READ_MODEL = 'rooms';

export interface MessagingRepositories {
  readonly roomList: RoomListRepository;
  readonly roomDetails: RoomDetailsRepository;
  readonly messageHistory: MessageHistoryRepository;
}

/** Drops one generation of all three. */
export async function dropMessagingRepositories(repositories: MessagingRepositories): Promise<void> {
  await repositories.roomList.drop();
  await repositories.roomDetails.drop();
  await repositories.messageHistory.drop();
}
