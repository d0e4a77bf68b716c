// The event store port on EventStoreDB (`@eventstore/db-client` 6.2), for the distributed deployment.
// Needs EventStoreDB 22.6 or later: older servers leave the log position off events read from a stream.
//
// Where EventStoreDB's semantics differ from the port's, and how this adapter bridges them:
// - Revisions: EventStoreDB numbers a stream's events from 0 as the port does, but as bigints; they
//   become numbers here, and anything above Number.MAX_SAFE_INTEGER is refused rather than rounded.
// - Positions: an event's place in EventStoreDB's log is a { commit, prepare } pair of byte offsets.
//   Events appended through gRPC have commit === prepare (only the legacy TCP transactions split
//   them), so the commit offset alone is our position, and a position goes back as both halves.
//   Offsets grow with every append but are not consecutive. The server reads its log from the very
//   byte it is given, so only positions the store handed out (an event's, an append's,
//   `headPosition()`, or 0) can be read or subscribed from: any other byte lands inside a record and
//   the server fails the read.
// - `readAll`: a forwards read of $all includes the event at its `fromPosition` (the server's
//   AllReader: "for forward pass position is inclusive") while `after` excludes it, so reads start
//   at `after` and drop what is at or below it. This client's `readAll` takes no server-side filter
//   (it always sends NoFilter), so system events are dropped here, and a read goes on page after
//   page until it has `maxCount` events of ours or reaches the end of the log.
// - `subscribeToAll`: a subscription from a position is already exclusive on the server (it reads
//   the event at the position and starts after it), as `after` is; `excludeSystemEvents()` filters
//   on the server.
// - `readStream` includes `fromRevision` in both directions, as the port does; a backwards read with
//   no `fromRevision` starts at END. Backwards reads of $all exclude their starting position.
// - Idempotency: see `appendToStream`.
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevision,
} from './event-store';

/** Events read per backwards page while looking for the newest event that is not a system one. */
const HEAD_SEARCH_PAGE = 32;

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function fromEsdbExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  if (typeof expected === 'bigint') return toSafeNumber(expected);
  switch (expected) {
    case NO_STREAM:
      return 'no_stream';
    case STREAM_EXISTS:
      return 'stream_exists';
    case ANY:
      return 'any';
  }
}

/** A revision or position from EventStoreDB as a number, refused when a number cannot hold it exactly. */
export function toSafeNumber(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB returned ${value}, outside the 0..2^53-1 range the event store port works in`);
  }
  return Number(value);
}

export function toEsdbPosition(position: number): Position {
  const offset = BigInt(position);
  return { commit: offset, prepare: offset };
}

export function fromEsdbPosition(position: Position): number {
  return toSafeNumber(position.commit);
}

/** EventStoreDB's own events (stream metadata, projections' links, users…) have types starting with `$`. */
export function isSystemEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): boolean {
  return resolved.event?.type.startsWith('$') ?? false;
}

export function toEventData(event: EventToAppend): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client writes data with JSON.stringify, which takes any JSON value, not only the objects and
    // strings its type names; undefined has no JSON form and is stored as null, as the SQLite store does.
    data: (event.data ?? null) as JSONType,
    metadata: event.metadata,
  };
}

export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const event = recordOf(resolved);
  if (!event.isJson) throw new Error(`event ${event.id} in ${event.streamId} is not JSON`);
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    data: event.data,
    metadata: toEventMetadata(event.metadata, event.id),
    revision: toSafeNumber(event.revision),
    position: fromEsdbPosition(esdbPositionOf(resolved)),
    createdAt: event.created,
  };
}

/** The client parses metadata as JSON, and hands over the raw bytes when it cannot. */
function toEventMetadata(metadata: JSONType | Uint8Array | undefined, eventId: string): EventMetadata {
  if (metadata === undefined) return {};
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && !(metadata instanceof Uint8Array)) return metadata;
  throw new Error(`the metadata of event ${eventId} is not a JSON object`);
}

function recordOf(resolved: ResolvedEvent | AllStreamResolvedEvent) {
  // Only a link read with resolveLinkTos comes without its event, and this adapter never resolves links.
  if (!resolved.event) throw new Error('EventStoreDB returned a link without its event');
  return resolved.event;
}

function esdbPositionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): Position {
  const event = recordOf(resolved);
  if (!event.position) throw new Error(`EventStoreDB gave no log position for event ${event.id}: it must be version 22.6 or later`);
  return event.position;
}

export function toWrongExpectedRevision(error: WrongExpectedVersionError): WrongExpectedRevision {
  const actual = error.actualVersion === NO_STREAM ? undefined : toSafeNumber(error.actualVersion);
  return new WrongExpectedRevision(error.streamName, fromEsdbExpectedRevision(error.expectedVersion), actual);
}

/** Reads a whole client read into memory; a stream that does not exist reads as empty. */
export async function collectRead<E>(read: AsyncIterable<E>): Promise<E[]> {
  const events: E[] = [];
  try {
    for await (const event of read) events.push(event);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
}

export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;

  /** `connectionString` is an `esdb://` URL, e.g. `esdb://localhost:2113?tls=false`. */
  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  /**
   * EventStoreDB deduplicates by event id on its own: a batch re-sent with the expected revision of
   * its first sending (what a client retrying after a timeout does) is not written again, even after
   * the stream moved on, and the server answers with the first append's revision and the position of
   * its last event, which is what the port promises. Where it falls short of the port:
   * - with 'any' it only finds the earlier append in a cache of recent writes, so a late retry can
   *   duplicate; with a different numeric revision it reports a conflict (or appends, when that
   *   revision is the stream's current one);
   * - a batch that only partly repeats stored events is refused as a wrong expected revision, not
   *   as an `IdempotencyConflict`.
   */
  async appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    let result;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw toWrongExpectedRevision(error);
      throw error;
    }
    // A connection string with throwOnAppendFailure=false makes the client report a conflict as a
    // result, and its batch-append path then gets the current revision wrong: read it instead.
    if (!result.success) throw new WrongExpectedRevision(streamId, options.expectedRevision, await this.streamRevision(streamId));
    const nextExpectedRevision = toSafeNumber(result.nextExpectedRevision);
    // Older servers answer a deduplicated append without a position (their idempotency check does not
    // look it up): take the position of the batch's last event, which the revision names.
    const position = result.position ? fromEsdbPosition(result.position) : await this.positionOfRevision(streamId, nextExpectedRevision);
    return { nextExpectedRevision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      maxCount: options.maxCount,
    });
    return (await collectRead(read)).map(toRecordedEvent);
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { after, maxCount = Number.MAX_SAFE_INTEGER } = options;
    const found: RecordedEvent[] = [];
    // No event sits at 0 (the log opens with the server's own epoch record), so after 0 is the start.
    let from: ReadPosition = after ? toEsdbPosition(after) : START;
    let skipThrough = after ?? -1;
    while (found.length < maxCount) {
      // One more than still wanted: the page starts with the event at `from`, which is skipped.
      const pageSize = Math.min(maxCount - found.length + 1, Number.MAX_SAFE_INTEGER);
      const page = await collectRead(this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: pageSize }));
      for (const resolved of page) {
        if (isSystemEvent(resolved) || fromEsdbPosition(esdbPositionOf(resolved)) <= skipThrough) continue;
        found.push(toRecordedEvent(resolved));
      }
      const last = page.at(-1);
      if (!last || page.length < pageSize) break;
      from = esdbPositionOf(last);
      skipThrough = fromEsdbPosition(from);
    }
    return found.slice(0, maxCount);
  }

  /** The newest event that is not a system one: a projector caught up with it is caught up with the log. */
  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      const page = await collectRead(this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_SEARCH_PAGE }));
      const newest = page.find((resolved) => !isSystemEvent(resolved));
      if (newest) return fromEsdbPosition(esdbPositionOf(newest));
      const oldest = page.at(-1);
      if (!oldest || page.length < HEAD_SEARCH_PAGE) return 0;
      from = esdbPositionOf(oldest);
    }
  }

  /** `batchSize` has no counterpart: the server pages the catch-up itself. */
  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    return new EsdbSubscription(
      this.client.subscribeToAll({
        fromPosition: options.after ? toEsdbPosition(options.after) : START,
        filter: excludeSystemEvents(),
      }),
    );
  }

  async ping(): Promise<void> {
    await collectRead(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`stream ${streamId} has no event at revision ${revision}`);
    return event.position;
  }
}

class EsdbSubscription implements Subscription {
  private closed = false;

  constructor(private readonly inner: AllStreamSubscription) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      for await (const resolved of this.inner) {
        // Events the client had already buffered when `close` was called are not handed out.
        if (this.closed) return;
        yield toRecordedEvent(resolved);
      }
    } finally {
      // Leaving the loop early must also end the server-side subscription.
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Cancelling the call ends the client's stream, which ends the iteration above.
    await this.inner.unsubscribe();
  }
}
