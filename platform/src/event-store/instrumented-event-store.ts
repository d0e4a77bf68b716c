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
  /** Offered only when the adapter offers it: callers tell from its absence that appends go one by one. */
  readonly appendToStreams?: (appends: readonly StreamAppend[]) => Promise<PromiseSettledResult<AppendResult>[]>;

  constructor(
    private readonly inner: EventStore,
    private readonly storeLabel: string,
  ) {
    const appendTogether = inner.appendToStreams?.bind(inner);
    if (appendTogether) {
      this.appendToStreams = async (appends) => {
        const stop = eventStoreAppendSeconds.startTimer({ store: this.storeLabel });
        try {
          return await appendTogether(appends);
        } finally {
          stop();
        }
      };
    }
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const stop = eventStoreAppendSeconds.startTimer({ store: this.storeLabel });
    try {
      return await this.inner.appendToStream(streamId, events, options);
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
