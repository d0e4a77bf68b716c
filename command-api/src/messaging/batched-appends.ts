// The rooms' appends of one turn of the event loop, written together. Each room decides in a turn of
// its own (room-streams.ts), so at a few thousand messages a second the log sees as many one-event
// appends, and with the embedded store each is a commit of its own. Appends asked for while the event
// loop runs the rooms' turns wait for its next turn and go to the store in one `appendToStreams`
// (one SQLite transaction), where a failing one fails alone. A store without `appendToStreams` gets
// each append at once, as before. A turn that answers a burst of requests flushes every
// MAX_BATCH appends without waiting for its end, so that their answers, and the projection of what
// they appended on the other thread, start while the turn goes on.
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, StreamAppend } from '@chat/platform';

/** The most appends one transaction takes: a turn with more flushes as it goes. */
export const MAX_BATCH = 64;

interface Waiting extends StreamAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export class BatchedAppends {
  private waiting: Waiting[] = [];

  constructor(private readonly eventStore: EventStore) {}

  append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (!this.eventStore.appendToStreams) return this.eventStore.appendToStream(streamId, events, { expectedRevision });
    return new Promise((resolve, reject) => {
      const count = this.waiting.push({ streamId, events, expectedRevision, resolve, reject });
      if (count === 1) setImmediate(() => void this.flush());
      else if (count === MAX_BATCH) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    try {
      const outcomes = await this.eventStore.appendToStreams!(batch);
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') batch[i]!.resolve(outcome.value);
        else batch[i]!.reject(outcome.reason);
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
