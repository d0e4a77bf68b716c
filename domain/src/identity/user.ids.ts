// The user's stream, and the ids of user events that several processes may record for the same fact.
import { uuidV5 } from '../messaging/ids';

/** Namespace of `UserWentOffline` event ids. Changing it would let a retry record the same going offline twice. */
export const userWentOfflineNamespace = '815a51d9-f221-4ddd-90df-a34beefc7fec';

export function userStreamId(userId: string): string {
  return `user-${userId}`;
}

/**
 * The id of the `UserWentOffline` event for the user going offline at `at`: two command-api instances reporting
 * the same going offline (or one retrying its append) derive the same id, and the event store keeps one.
 */
export function userWentOfflineEventId(userId: string, at: string): string {
  return uuidV5(userWentOfflineNamespace, JSON.stringify([userId, at]));
}
