// The user activity read model: each user's activity log (`GET /api/users/me/activity`), one entry per
// event that `activityEntry` (domain) says belongs there, newest first. The store keeps the entry's kind
// and detail as they come; what they mean is the domain's.

export interface ActivityRecord {
  /** The global position of the event: the entry's identity, and the cursor for older pages. */
  readonly position: number;
  readonly at: string;
  readonly kind: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ActivityPage {
  /** Entries strictly older than this: a position (the `cursor` of the last entry seen), or a time. */
  readonly before?: { readonly position: number } | { readonly at: string };
  readonly limit: number;
}

export interface UserActivityRepository {
  /** Keyed by the event's position: recording the same event again changes nothing. */
  record(userId: string, entry: ActivityRecord): Promise<void>;
  /** Newest first. */
  list(userId: string, page: ActivityPage): Promise<ActivityRecord[]>;
  drop(): Promise<void>;
}
