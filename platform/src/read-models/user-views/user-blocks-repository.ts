// The user blocks read model: whom each user has blocked, for `GET /api/users/me/blocks`.

export interface BlockedUserView {
  readonly blockedUserId: string;
  readonly blockedAt: string;
}

/** Each write carries its event's global position; a row ignores positions at or below the last it applied. */
export interface UserBlocksRepository {
  recordBlocked(userId: string, blockedUserId: string, at: string, position: number): Promise<void>;
  recordUnblocked(userId: string, blockedUserId: string, at: string, position: number): Promise<void>;
  /** The users `userId` blocks now, in the order they were blocked. */
  blockedBy(userId: string): Promise<BlockedUserView[]>;
  drop(): Promise<void>;
}
