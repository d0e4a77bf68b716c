// The embedded event store: one SQLite file (WAL) holding every stream in one table whose rowid is
// the global position. SQLite lets one writer in at a time (BEGIN IMMEDIATE), so positions are handed
// out in commit order and a reader can never see position N+1 without N: the global log has no holes
// for subscribers to fall into, even with several processes appending to the same file.
import { EventEmitter } from 'node:events';
import type { Transaction } from 'better-sqlite3';
import { type BackgroundCheckpoints, type BackgroundCheckpointsOptions, checkpointInBackground } from '../sqlite/background-checkpoints';
import { type SqliteDatabase, openSqlite } from '../sqlite/sqlite-database';
import { LruMap } from '../collections/lru-map';
import { LogTail } from './log-tail';
import {
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
  IdempotencyConflict,
  checkExpectedRevision,
} from './event-store';

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string | null;
  created_at: number;
}

export interface SqliteEventStoreOptions {
  /** How often a subscription looks for appends made by other processes. Appends in this process wake it at once. */
  readonly pollIntervalMs?: number;
}

export interface OpenSqliteEventStoreOptions extends SqliteEventStoreOptions {
  readonly synchronous?: 'normal' | 'full';
  /**
   * The WAL is checkpointed by a thread of its own rather than by the append that fills it (see
   * background-checkpoints.ts); the thread starts with the first append, so a store that only reads
   * (the projectors, realtime) leaves the file to the one that writes it.
   */
  readonly checkpointInBackground?: BackgroundCheckpointsOptions | boolean;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position   INTEGER PRIMARY KEY,
    stream_id  TEXT    NOT NULL,
    revision   INTEGER NOT NULL,
    event_id   TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    metadata   TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;
// No index on event ids: one would put a page of its own, at a random place, into every append's commit
// (measured: a third of a one-event append's time, and 40 % of what the appends write to the WAL). A
// retried append is found by revision instead (see `appendInTransaction`). Files made before this keep
// their UNIQUE (stream_id, event_id) index; the unique violation it raises is still understood.

/** How far back from a stream's end a retried `any` or `stream_exists` append is looked for. */
export const RECENT_APPENDS_WINDOW = 1000;

type AppendOutcome = { status: 'fulfilled'; value: AppendResult; inserted: EventRow[] } | PromiseRejectedResult;

/** Streams whose revision `knownStreamRevision` remembers, the least recently used forgotten first. */
const KNOWN_REVISIONS = 10_000;

// Appends made through any store on the same file in this process wake that file's subscriptions.
// It emits `append` after each; a thread of the process with a connection of its own can forward it.
const appendSignals = new Map<string, EventEmitter>();
export function sqliteAppendSignal(file: string): EventEmitter {
  let signal = appendSignals.get(file);
  if (!signal) {
    signal = new EventEmitter();
    signal.setMaxListeners(0);
    appendSignals.set(file, signal);
  }
  return signal;
}

export class SqliteEventStore implements EventStore {
  private readonly statements;
  private readonly append: Transaction<(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, inserted: EventRow[]) => AppendResult>;
  private readonly appendAll: Transaction<(appends: readonly StreamAppend[]) => AppendOutcome[]>;
  private readonly appendMany: Transaction<(appends: readonly StreamAppend[]) => AppendOutcome[]>;
  private readonly signal: EventEmitter;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private startCheckpoints?: () => BackgroundCheckpoints;
  private checkpoints?: BackgroundCheckpoints;
  /**
   * Streams' last revisions as this connection last wrote or read them, for `knownStreamRevision`:
   * only while the connection is this store's alone (nobody writes through it behind the store's
   * back), and emptied whenever SQLite's `data_version` says another connection committed.
   */
  private readonly knownRevisions: LruMap<string, number> | undefined;
  private knownAtDataVersion: number | undefined;
  private dataVersionCheckedThisTurn = false;
  /** What the subscriptions read, shared: an append that wakes them all is read from the file once. */
  private readonly tail = new LogTail((after, maxCount) => this.readAllSync(after, maxCount));

  /** Opens (and creates, if need be) the store in a file of its own connection. */
  static open(file: string, options: OpenSqliteEventStoreOptions = {}): SqliteEventStore {
    const store = new SqliteEventStore(openSqlite(file, { synchronous: options.synchronous ?? 'normal' }), options, true);
    const { checkpointInBackground: checkpoints } = options;
    if (checkpoints) store.startCheckpoints = () => checkpointInBackground(file, checkpoints === true ? {} : checkpoints);
    return store;
  }

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteEventStoreOptions = {},
    private readonly ownsConnection = false,
  ) {
    db.exec(SCHEMA);
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.signal = sqliteAppendSignal(db.name);
    this.statements = {
      revision: db.prepare<[string], { revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
      recentByEventId: db.prepare<[string, number, string], { revision: number }>(
        'SELECT revision FROM events WHERE stream_id = ? AND revision > ? AND event_id = ? ORDER BY revision LIMIT 1',
      ),
      idsFrom: db.prepare<[string, number, number], { event_id: string; position: number }>(
        'SELECT event_id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      insert: db.prepare<[string, number, string, string, string, string | null, number]>(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      forwards: db.prepare<[string, number, number], EventRow>('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?'),
      backwards: db.prepare<[string, number, number], EventRow>('SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?'),
      all: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      head: db.prepare<[], { position: number | null }>('SELECT max(position) AS position FROM events'),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    this.knownRevisions = ownsConnection ? new LruMap(KNOWN_REVISIONS) : undefined;
    this.knownAtDataVersion = this.statements.dataVersion.get();
    this.append = db.transaction((streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, inserted: EventRow[]) =>
      this.appendInTransaction(streamId, events, expected, inserted),
    );
    // Every append straight in the one transaction: the first that throws takes the whole transaction back
    // with it, and `appendToStreams` writes the batch again through `appendMany`.
    this.appendAll = db.transaction((appends: readonly StreamAppend[]) =>
      appends.map(({ streamId, events, expectedRevision }): AppendOutcome => {
        const inserted: EventRow[] = [];
        return { status: 'fulfilled', value: this.appendInTransaction(streamId, events, expectedRevision, inserted), inserted };
      }),
    );
    // Called inside a transaction, better-sqlite3 runs `this.append` in a savepoint.
    this.appendMany = db.transaction((appends: readonly StreamAppend[]) =>
      appends.map(({ streamId, events, expectedRevision }): AppendOutcome => {
        const inserted: EventRow[] = [];
        try {
          return { status: 'fulfilled', value: this.append(streamId, events, expectedRevision, inserted), inserted };
        } catch (error) {
          return { status: 'rejected', reason: error };
        }
      }),
    );
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const inserted: EventRow[] = [];
    let result: AppendResult;
    try {
      result = this.append.immediate(streamId, events, options.expectedRevision, inserted);
    } catch (error) {
      this.knownRevisions?.delete(streamId);
      throw error;
    }
    this.committed(streamId, inserted);
    if (inserted.length > 0) this.signal.emit('append');
    return result;
  }

  /**
   * One write transaction for them all: a commit (the WAL write of the pages touched) is most of a small
   * append's cost, and appends to one table share their pages. An append that fails fails alone: when one
   * does, which is rare (another writer moved a stream on), the transaction is rolled back and the batch
   * written again with each append in a savepoint of its own, a cost the batches that all succeed do not pay.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<PromiseSettledResult<AppendResult>[]> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.appendAll.immediate(appends);
    } catch {
      outcomes = this.appendMany.immediate(appends);
    }
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') this.committed(appends[i]!.streamId, outcome.inserted);
      else this.knownRevisions?.delete(appends[i]!.streamId);
    }
    if (outcomes.some((outcome) => outcome.status === 'fulfilled' && outcome.inserted.length > 0)) this.signal.emit('append');
    return outcomes.map((outcome) => (outcome.status === 'fulfilled' ? { status: 'fulfilled', value: outcome.value } : outcome));
  }

  /** After a commit: what the connection now knows of the stream, and the rows for the subscriptions' shared tail. */
  private committed(streamId: string, inserted: readonly EventRow[]): void {
    if (inserted.length === 0) return;
    this.checkpoints ??= this.startCheckpoints?.();
    // A repeated append answers the earlier one's result, which need not be the stream's end: only rows written count.
    this.knownRevisions?.set(streamId, inserted.at(-1)!.revision);
    // The subscriptions about to wake find these in the shared tail instead of reading them back.
    if (this.subscriptions.size > 0) this.tail.appended(inserted.map(toRecordedEvent));
  }

  // Runs inside a BEGIN IMMEDIATE transaction (see the constructor), so nobody else writes meanwhile.
  // A retry is looked for only where the earlier append would be: with a revision (or `no_stream`), the
  // batch is a repeat when the stream holds its ids right after that revision, which is where a retry that
  // finds the stream moved on looks; with `any` or `stream_exists`, among the stream's last
  // RECENT_APPENDS_WINDOW events, as EventStoreDB's cache of recent writes does.
  private appendInTransaction(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, inserted: EventRow[]): AppendResult {
    const current = this.statements.revision.get(streamId)?.revision ?? undefined;
    try {
      checkExpectedRevision(streamId, expected, current);
    } catch (error) {
      const repeated = typeof expected === 'number' || expected === 'no_stream' ? this.repeatedAt(streamId, events, revisionAfter(expected)) : undefined;
      if (repeated) return repeated;
      throw error;
    }
    if (current !== undefined && (expected === 'any' || expected === 'stream_exists')) {
      const repeated = this.repeatedAmongRecent(streamId, events, current);
      if (repeated) return repeated;
    }
    let revision = current ?? -1;
    let position = 0;
    const now = Date.now();
    for (const event of events) {
      revision += 1;
      const metadata = event.metadata && Object.keys(event.metadata).length > 0 ? JSON.stringify(event.metadata) : null;
      try {
        const data = JSON.stringify(event.data ?? null);
        position = Number(this.statements.insert.run(streamId, revision, event.id, event.type, data, metadata, now).lastInsertRowid);
        inserted.push({ position, stream_id: streamId, revision, event_id: event.id, type: event.type, data, metadata, created_at: now });
      } catch (error) {
        // Only a file made with the event-id index (see SCHEMA) refuses an id the stream already holds.
        if (!isUniqueViolation(error)) throw error;
        throw new IdempotencyConflict(streamId, event.id);
      }
    }
    return { nextExpectedRevision: revision, position: position || this.head() };
  }

  /** The result of the earlier append when the stream holds this batch from `revision` on, else undefined. */
  private repeatedAt(streamId: string, events: readonly EventToAppend[], revision: number): AppendResult | undefined {
    const first = events[0];
    if (!first) return undefined;
    const rows = this.statements.idsFrom.all(streamId, revision, events.length);
    if (rows[0]?.event_id !== first.id) return undefined;
    const same = rows.length === events.length && rows.every((row, i) => row.event_id === events[i]!.id);
    if (!same) throw new IdempotencyConflict(streamId, first.id);
    return { nextExpectedRevision: revision + events.length - 1, position: rows.at(-1)!.position };
  }

  private repeatedAmongRecent(streamId: string, events: readonly EventToAppend[], current: number): AppendResult | undefined {
    const first = events[0];
    const stored = first && this.statements.recentByEventId.get(streamId, current - RECENT_APPENDS_WINDOW, first.id);
    return stored ? this.repeatedAt(streamId, events, stored.revision) : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.statements.backwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.statements.forwards.all(streamId, options.fromRevision ?? 0, limit);
    // Read forwards to its end, a stream's last row is its revision. A caller reading what is new finds
    // nothing most of the time: then the revision is looked up once, so that the next time it can ask
    // `knownStreamRevision` instead of reading.
    if (this.knownRevisions && options.direction !== 'backwards' && options.maxCount === undefined) {
      if (rows.length > 0) this.knownRevisions.set(streamId, rows.at(-1)!.revision);
      else if (this.knownRevisions.get(streamId) === undefined) this.knownRevisions.set(streamId, this.statements.revision.get(streamId)?.revision ?? -1);
    }
    return rows.map(toRecordedEvent);
  }

  knownStreamRevision(streamId: string): number | undefined {
    if (!this.knownRevisions) return undefined;
    // Once per turn of the event loop: every room's turn asks for its two streams, and what another connection
    // commits after the check is met by the expected revision of the append, as if it came just after it.
    if (!this.dataVersionCheckedThisTurn) {
      this.dataVersionCheckedThisTurn = true;
      setImmediate(() => (this.dataVersionCheckedThisTurn = false));
      const dataVersion = this.statements.dataVersion.get();
      if (dataVersion !== this.knownAtDataVersion) {
        this.knownRevisions.clear();
        this.knownAtDataVersion = dataVersion;
      }
    }
    return this.knownRevisions.get(streamId);
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    return this.statements.revision.get(streamId)?.revision ?? undefined;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllSync(options.after ?? 0, options.maxCount ?? 1000);
  }

  private readAllSync(after: number, maxCount: number): RecordedEvent[] {
    return this.statements.all.all(after, maxCount).map(toRecordedEvent);
  }

  async headPosition(): Promise<number> {
    return this.head();
  }

  private head(): number {
    return this.statements.head.get()?.position ?? 0;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const batchSize = options.batchSize ?? 500;
    let after = options.after ?? 0;
    let closed = false;
    let wake: (() => void) | undefined;
    let appendsSignalled = 0;
    const onAppend = () => {
      appendsSignalled++;
      wake?.();
    };
    this.signal.on('append', onAppend);

    const nextAppend = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.pollIntervalMs);
        wake = done;
      });

    const stop = () => {
      closed = true;
      this.signal.off('append', onAppend);
      wake?.();
      this.subscriptions.delete(subscription);
    };

    const readBatch = (from: number) => this.tail.read(from, batchSize);
    async function* events(): AsyncGenerator<RecordedEvent> {
      try {
        while (!closed) {
          const signalledBefore = appendsSignalled;
          const batch = readBatch(after);
          if (batch.length === 0) {
            await nextAppend();
            continue;
          }
          for (const event of batch) {
            if (closed) return;
            after = event.position;
            yield event;
          }
          // A short batch was all there was when it was read: unless this process appended since, wait
          // for the next append (or poll) rather than ask the file at once, which would only find nothing.
          if (batch.length < batchSize && appendsSignalled === signalledBefore && !closed) await nextAppend();
        }
      } finally {
        stop();
      }
    }

    const iterator = events();
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => stop(),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    this.head();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.checkpoints?.stop();
    if (this.ownsConnection && this.db.open) this.db.close();
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: row.metadata ? (JSON.parse(row.metadata) as EventMetadata) : {},
    revision: row.revision,
    position: row.position,
    createdAt: new Date(row.created_at),
  };
}

/** The revision the first event of an append expecting `expected` takes. */
function revisionAfter(expected: number | 'no_stream'): number {
  return expected === 'no_stream' ? 0 : expected + 1;
}

// Not `instanceof Error`: better-sqlite3's native half keeps the SqliteError class of the first realm that
// loaded it, so under Jest, whose test files each run in a realm of their own, a later file's check fails.
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
