// The stream index read model: every stream in the log with its category, size and last activity.
// It is the pattern every read model follows: one repository interface, one implementation per read
// store (SQLite embedded, MongoDB distributed), one contract suite both pass, and idempotent writes
// guarded by the global position each row last applied.

export interface IndexedStream {
  readonly streamId: string;
  readonly category: string;
  readonly eventCount: number;
  readonly lastRevision: number;
  readonly lastEventType: string;
  readonly firstEventAt: Date;
  readonly lastEventAt: Date;
  /** The global position of the last event applied: events at or below it are ignored. */
  readonly lastPosition: number;
}

export interface StreamEventSeen {
  readonly streamId: string;
  readonly category: string;
  readonly revision: number;
  readonly type: string;
  readonly position: number;
  readonly createdAt: Date;
}

export interface StreamListQuery {
  readonly category?: string;
  /** Exclusive cursor: stream ids sort after it. */
  readonly afterStreamId?: string;
  readonly limit: number;
}

export interface StreamIndexRepository {
  /** Counts the event in; does nothing when an event at this position or later was already counted. */
  recordEvent(event: StreamEventSeen): Promise<void>;
  get(streamId: string): Promise<IndexedStream | undefined>;
  /** Streams in stream-id order. */
  list(query: StreamListQuery): Promise<IndexedStream[]>;
  /** Streams per category. */
  countByCategory(): Promise<Record<string, number>>;
  /** Removes the read model's storage (a replaced generation). */
  drop(): Promise<void>;
}
