// Times every append of any event-store adapter into the `event_store_append_duration_seconds` histogram
// (appends made together are one observation: they waited as long as each other).
import { eventStoreAppendSeconds } from '../observability/metrics';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from './event-store';

export class InstrumentedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly storeLabel: string,
  ) {}

  async appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const stop = eventStoreAppendSeconds.startTimer({ store: this.storeLabel });
    try {
      return await this.inner.appendToStream(streamId, events, options);
    } finally {
      stop();
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<PromiseSettledResult<AppendResult>[]> {
    const stop = eventStoreAppendSeconds.startTimer({ store: this.storeLabel });
    try {
      if (this.inner.appendToStreams) return await this.inner.appendToStreams(appends);
      return await Promise.allSettled(appends.map(({ streamId, events, expectedRevision }) => this.inner.appendToStream(streamId, events, { expectedRevision })));
    } finally {
      stop();
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  streamRevision(streamId: string): Promise<number | undefined> {
    return this.inner.streamRevision(streamId);
  }

  knownStreamRevision(streamId: string): number | undefined {
    return this.inner.knownStreamRevision?.(streamId);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
