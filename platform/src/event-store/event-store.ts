// The event store port: the one interface every command handler, projector and admin tool uses,
// whichever store backs it (embedded SQLite or EventStoreDB).
//
// Revisions are 0-based per stream (the first event of a stream has revision 0), as in EventStoreDB.
// Positions order the global log; they grow with every append but need not be consecutive.
// Both are plain numbers: SQLite rows and EventStoreDB log offsets stay far below 2^53, and the
// EventStoreDB adapter refuses anything larger rather than losing precision.

/** What an append expects the stream to be; a mismatch is a `WrongExpectedRevision` error. */
export type ExpectedRevision =
  | 'no_stream' // the stream must not exist yet
  | 'stream_exists' // the stream must have at least one event
  | 'any' // no check
  | number; // the revision of the stream's last event

export interface EventToAppend {
  /** A UUID. Appending an event id the stream already holds is idempotent (see `appendToStream`). */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: EventMetadata;
}

export interface EventMetadata {
  /** Who caused the event (a user id, or `system`). */
  readonly actorId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly [key: string]: unknown;
}

export interface RecordedEvent<Data = unknown> {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly revision: number;
  readonly position: number;
  readonly createdAt: Date;
}

export interface AppendResult {
  /** The revision of the last event now in the stream: pass it as the next expected revision. */
  readonly nextExpectedRevision: number;
  /** The global position of the last event appended. */
  readonly position: number;
}

export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: ExpectedRevision;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the end of the stream. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: only events after this position. Omit to read from the start of the log. */
  readonly after?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive, as in `readAll`: the position of the last event the subscriber already has. */
  readonly after?: number;
  /** Events read per catch-up batch. */
  readonly batchSize?: number;
}

/**
 * A subscription to the global log: it yields stored events in position order, first those already
 * stored (catch-up), then new ones as they are appended (live), with no gap and no duplicate where
 * the one turns into the other. Iterate it once; `close` ends the iteration.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends the events atomically after checking the expected revision.
   * Idempotent: when every event id of the batch is already the stream's, in the same order and
   * stored by one earlier append, that append's result is returned and nothing is written again
   * (a client retrying after a timeout cannot duplicate events). A retry is recognised when it is sent
   * with the expected revision of its first sending, however far the stream moved since; with 'any'
   * or 'stream_exists', only among the stream's recent events (EventStoreDB's cache of recent writes,
   * the embedded store's last RECENT_APPENDS_WINDOW events).
   * @throws WrongExpectedRevision when the stream is not at the expected revision.
   */
  appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;

  /**
   * Several appends, each to its stream with its expected revision, each settling alone exactly as
   * `appendToStream` would (one may fail while the others land). Optional: a store that can write them
   * together (the embedded store, in one transaction) offers it; callers fall back to `appendToStream`.
   */
  appendToStreams?(appends: readonly StreamAppend[]): Promise<PromiseSettledResult<AppendResult>[]>;

  /** Reads a stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The current revision of a stream's last event, or `undefined` when the stream does not exist. */
  streamRevision(streamId: string): Promise<number | undefined>;

  /**
   * The revision of the stream's last event (-1: no stream) when the store can vouch for it without
   * asking the database: it appended or read that revision itself, and nobody else has written since.
   * Undefined when it cannot tell. Lets a caller that keeps a stream folded skip a read that would find
   * nothing new. Optional: a store that cannot know answers nothing.
   */
  knownStreamRevision?(streamId: string): number | undefined;

  /** Reads the global log forwards. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The position of the last event in the log (0 when the log is empty). */
  headPosition(): Promise<number>;

  subscribeToAll(options?: SubscribeOptions): Subscription;

  /** Answers when the store can be reached (readiness). */
  ping(): Promise<void>;

  close(): Promise<void>;
}

export class WrongExpectedRevision extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, `undefined` when it does not exist. */
    readonly actual: number | undefined,
  ) {
    super(`stream ${streamId} is at revision ${actual ?? 'none'}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** A batch re-sent with some but not all of its event ids already stored, or in another order. */
export class IdempotencyConflict extends Error {
  constructor(readonly streamId: string, readonly eventId: string) {
    super(`event ${eventId} is already in stream ${streamId}, but the batch does not match the one stored`);
    this.name = 'IdempotencyConflict';
  }
}

export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number | undefined): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === undefined) ||
    (expected === 'stream_exists' && actual !== undefined) ||
    (typeof expected === 'number' && expected === actual);
  if (!ok) throw new WrongExpectedRevision(streamId, expected, actual);
}

/** The part of a stream id before its first `-`: `room-123` is in category `room`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
