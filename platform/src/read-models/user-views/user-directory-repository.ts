// The user directory read model: every registered user's public profile, for `GET /api/users/me`,
// `GET /api/users/:id`, the blocked-users list and the user search (case-insensitive prefix of the
// username or the display name).

export interface UserProfileView {
  readonly userId: string;
  /** Normalized (lowercase), as registered. */
  readonly username: string;
  readonly displayName: string;
  readonly bio: string;
  readonly statusText: string;
  readonly avatarFileId: string | null;
  readonly registeredAt: string;
  /** The last time the user logged in, refreshed a session or went offline (their last realtime connection closed). */
  readonly lastSeenAt: string | null;
}

export interface ProfileFieldChanges {
  readonly displayName?: string;
  readonly bio?: string;
  readonly statusText?: string;
  readonly avatarFileId?: string | null;
}

export interface UserSearch {
  /** Matched case-insensitively against the start of the username and of the display name. */
  readonly prefix: string;
  readonly limit: number;
}

/** Each write carries its event's global position; a row ignores positions at or below the last it applied. */
export interface UserDirectoryRepository {
  recordRegistered(user: { userId: string; username: string; displayName: string; at: string }, position: number): Promise<void>;
  recordProfileChanged(userId: string, changes: ProfileFieldChanges, position: number): Promise<void>;
  /** Moves last seen to `at` unless it is already later: events recorded by different processes need not come in time order. */
  recordSeen(userId: string, at: string, position: number): Promise<void>;
  get(userId: string): Promise<UserProfileView | undefined>;
  /** The users found, in the order asked for; unknown ids are left out. */
  getMany(userIds: readonly string[]): Promise<UserProfileView[]>;
  /** By username. */
  search(search: UserSearch): Promise<UserProfileView[]>;
  drop(): Promise<void>;
}

/** How names are compared in the search: the same on both sides of the comparison. */
export function searchKey(text: string): string {
  return text.trim().toLowerCase();
}
