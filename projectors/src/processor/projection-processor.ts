// Runs one projection over the global log from its stored checkpoint: catch up in batches, then
// follow live appends. Delivery is at least once (projections are idempotent). An event whose
// projection throws stops the projection there: the failure is recorded beside the checkpoint (for
// `admin status`), logged and counted, and the processor waits until `admin retry` or `admin skip`
// clears it.
//
// A batch without an event the projection handles is not committed: most of the log is of no interest
// to most projections (a message means nothing to the user views), and a transaction per message per
// projection was most of what following the log cost. Its position is stored with the next batch that
// is committed, or after `skippedCheckpointMs` of quiet, or at the stop; a crash before then only means
// reading those events again.
import type { ChangeFeed, EventStore, RecordedEvent, Subscription } from '@chat/platform';
import { InOrder, projectionEventsProcessed, projectionFailed, reportProjectionLag } from '@chat/platform';
import type { Logger } from 'pino';
import type { Projection, ProjectionContext, ProjectionStore } from './projection';

export interface ProjectionProcessorOptions {
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  readonly projection: Projection;
  readonly logger: Logger;
  /** Where changes go once committed; omit (as a rebuild does) to publish nothing. */
  readonly changeFeed?: ChangeFeed;
  readonly batchSize?: number;
  /** How often a stopped projection looks whether an admin cleared its failure. */
  readonly failurePollMs?: number;
  /** How long the position past skipped batches may wait for a batch to be stored with. */
  readonly skippedCheckpointMs?: number;
}

interface Change {
  readonly topic: string;
  readonly payload: unknown;
}

export class ProjectionProcessor {
  private readonly batchSize: number;
  private readonly failurePollMs: number;
  private readonly skippedCheckpointMs: number;
  private running?: Promise<void>;
  private stopping = false;
  private subscription?: Subscription;
  private wakeFromFailure?: () => void;
  private position = 0;
  /** The position stored as the checkpoint; behind `position` while skipped batches wait to be stored. */
  private storedPosition = 0;
  private storeSkipped?: NodeJS.Timeout;
  /** The store's writes of this processor, one after another: a timer's checkpoint must not overtake a batch. */
  private readonly storeWrites = new InOrder();
  private processed = 0;
  private readonly caughtUpWaiters: { position: number; resolve: () => void }[] = [];

  constructor(private readonly options: ProjectionProcessorOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.failurePollMs = options.failurePollMs ?? 1000;
    this.skippedCheckpointMs = options.skippedCheckpointMs ?? 1000;
  }

  get name(): string {
    return this.options.projection.name;
  }

  /** Events committed since this processor started. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** The position of the last event committed. */
  get checkpoint(): number {
    return this.position;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    const stopReportingLag = reportProjectionLag(this.name, async () => (await this.options.eventStore.headPosition()) - this.position);
    this.running = this.run()
      .catch((error: unknown) => {
        this.options.logger.fatal({ err: error, projection: this.name }, 'projection processor crashed');
        throw error;
      })
      .finally(stopReportingLag);
  }

  /** Finishes the batch in hand, records its checkpoint and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeFromFailure?.();
    await this.subscription?.close();
    await this.running;
    this.running = undefined;
    await this.storeSkippedPosition();
  }

  /** Resolves once everything up to `position` (default: the log's head now) has been committed. */
  async waitUntilCaughtUp(position?: number): Promise<void> {
    const target = position ?? (await this.options.eventStore.headPosition());
    if (this.position >= target) return;
    await new Promise<void>((resolve) => this.caughtUpWaiters.push({ position: target, resolve }));
  }

  private async run(): Promise<void> {
    const { checkpoints } = this.options.store;
    while (!this.stopping) {
      const checkpoint = await checkpoints.read(this.name);
      this.position = checkpoint?.position ?? 0;
      this.storedPosition = this.position;
      this.settleWaiters();
      if (checkpoint?.failure) {
        projectionFailed.set({ projection: this.name }, 1);
        await this.pauseWhileFailed();
        continue;
      }
      projectionFailed.set({ projection: this.name }, 0);
      const failed = await this.follow();
      if (!failed) return;
    }
  }

  /** Follows the log from the checkpoint until stopped (false) or until an event fails (true). */
  private async follow(): Promise<boolean> {
    const subscription = this.options.eventStore.subscribeToAll({ after: this.position, batchSize: this.batchSize });
    this.subscription = subscription;
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    try {
      while (!this.stopping) {
        const batch: RecordedEvent[] = [];
        const first = await (pending ?? iterator.next());
        pending = undefined;
        if (first.done) return false;
        batch.push(first.value);
        // Take whatever else is already available, without waiting for more, up to a batch: what
        // arrives before the next turn of the event loop (one timer for the whole batch).
        const turnEnds = nextMacrotask();
        while (batch.length < this.batchSize) {
          const next = iterator.next();
          const ready = await Promise.race([next, turnEnds]);
          if (ready === undefined) {
            pending = next;
            break;
          }
          if (ready.done) break;
          batch.push(ready.value);
        }
        if (!(await this.process(batch))) return true;
        // Catching up, every step above can settle without I/O: give timers, requests and the
        // immediates queued by the races above their turn between batches.
        await nextMacrotask();
      }
      return false;
    } finally {
      await subscription.close();
      this.subscription = undefined;
    }
  }

  /** Commits a batch; on a failure, commits what precedes the failing event and records the failure. */
  private async process(batch: readonly RecordedEvent[]): Promise<boolean> {
    try {
      await this.commit(batch);
      return true;
    } catch {
      // Find the failing event by going one at a time: the batch was rolled back (or, without
      // transactions, its writes are idempotent and will be skipped on the way).
      for (const event of batch) {
        try {
          await this.commit([event]);
        } catch (error) {
          await this.recordFailure(event, error);
          return false;
        }
      }
      return true;
    }
  }

  private async commit(batch: readonly RecordedEvent[]): Promise<void> {
    const { projection, store } = this.options;
    const changes: Change[] = [];
    const context: ProjectionContext = { publish: (topic, payload) => changes.push({ topic, payload }) };
    const last = batch.at(-1)!;
    let applied = 0;
    if (batch.some((event) => projection.handles(event.type))) {
      await this.storeWrites.run(() =>
        store.commit(projection.name, last.position, async () => {
          for (const event of batch) {
            if (!projection.handles(event.type)) continue;
            await projection.apply(event, context);
            applied++;
          }
        }),
      );
      this.storedPosition = last.position;
    } else {
      this.storeSkippedPositionSoon();
    }
    this.position = last.position;
    this.processed += batch.length;
    projectionEventsProcessed.inc({ projection: projection.name }, batch.length);
    await this.publish(changes);
    this.settleWaiters();
    if (applied > 0) this.options.logger.trace({ projection: projection.name, position: last.position, applied }, 'batch committed');
  }

  private storeSkippedPositionSoon(): void {
    if (this.storeSkipped) return;
    this.storeSkipped = setTimeout(() => {
      this.storeSkipped = undefined;
      this.storeSkippedPosition().catch((error: unknown) => this.options.logger.warn({ err: error, projection: this.name }, 'could not store the checkpoint past skipped events'));
    }, this.skippedCheckpointMs);
    // Storing it is an optimisation: the process need not stay alive for it.
    this.storeSkipped.unref();
  }

  /** Stores the position past skipped batches, unless a committed batch has stored it (or a later one) already. */
  private storeSkippedPosition(): Promise<void> {
    clearTimeout(this.storeSkipped);
    this.storeSkipped = undefined;
    return this.storeWrites.run(async () => {
      const position = this.position;
      if (position <= this.storedPosition) return;
      await this.options.store.commit(this.name, position, async () => undefined);
      this.storedPosition = Math.max(this.storedPosition, position);
    });
  }

  private async publish(changes: readonly Change[]): Promise<void> {
    const feed = this.options.changeFeed;
    if (!feed) return;
    for (const change of changes) {
      try {
        await feed.publish(change.topic, change.payload);
      } catch (error) {
        // The feed is live-only: clients that miss a change catch up from the read models on resume.
        this.options.logger.warn({ err: error, topic: change.topic }, 'could not publish a change');
      }
    }
  }

  private async recordFailure(event: RecordedEvent, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.storeSkippedPosition();
    await this.options.store.checkpoints.markFailed(this.name, {
      position: event.position,
      eventId: event.id,
      eventType: event.type,
      streamId: event.streamId,
      message,
      failedAt: new Date(),
    });
    projectionFailed.set({ projection: this.name }, 1);
    this.options.logger.error(
      { err: error, projection: this.name, position: event.position, eventId: event.id, eventType: event.type, streamId: event.streamId },
      'projection stopped at an event it could not apply; `admin retry` or `admin skip` resumes it',
    );
  }

  private async pauseWhileFailed(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.failurePollMs);
      this.wakeFromFailure = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeFromFailure = undefined;
  }

  private settleWaiters(): void {
    for (let i = this.caughtUpWaiters.length - 1; i >= 0; i--) {
      const waiter = this.caughtUpWaiters[i]!;
      if (this.position >= waiter.position) {
        this.caughtUpWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

function nextMacrotask(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(() => resolve(undefined)));
}
