// The contract every event-store adapter passes: the same suite runs against SQLite here and against
// EventStoreDB wherever EVENTSTORE_URL points. Streams have random ids, so a shared server is fine.
import { randomUUID } from 'node:crypto';
import {
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  IdempotencyConflict,
  WrongExpectedRevision,
} from './event-store';

export interface EventStoreUnderTest {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

const event = (type: string, data: unknown = {}, metadata?: EventToAppend['metadata']): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata ? { metadata } : {}),
});

const events = (count: number, type = 'Counted'): EventToAppend[] => Array.from({ length: count }, (_, i) => event(type, { i }));

async function collect(iterable: AsyncIterable<RecordedEvent>, wanted: (e: RecordedEvent) => boolean, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count} events arrived`)), timeoutMs);
  });
  const reading = (async () => {
    for await (const e of iterable) {
      if (wanted(e)) seen.push(e);
      if (seen.length >= count) break;
    }
    return seen;
  })();
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function eventStoreContract(makeStore: () => Promise<EventStoreUnderTest> | EventStoreUnderTest): void {
  let subject: EventStoreUnderTest;
  let store: EventStore;
  const streamId = (category = 'test') => `${category}-${randomUUID()}`;

  beforeAll(async () => {
    subject = await makeStore();
    store = subject.store;
  });
  afterAll(async () => {
    await subject.cleanup();
  });

  describe('appending', () => {
    it('creates a stream with revisions from 0 and reads it back in order', async () => {
      const id = streamId();
      const batch = [event('RoomCreated', { name: 'général 🎉' }, { actorId: 'u1', correlationId: 'c1' }), event('RoomRenamed', { name: 'b' })];
      const result = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(1);

      const read = await store.readStream(id);
      expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
        [batch[0]!.id, 'RoomCreated', 0, id],
        [batch[1]!.id, 'RoomRenamed', 1, id],
      ]);
      expect(read[0]!.data).toEqual({ name: 'général 🎉' });
      expect(read[0]!.metadata).toMatchObject({ actorId: 'u1', correlationId: 'c1' });
      expect(read[1]!.metadata).toEqual({});
      expect(read[0]!.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(read[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(read[1]!.position).toBeGreaterThan(read[0]!.position);
      expect(result.position).toBe(read[1]!.position);
    });

    it('refuses no_stream when the stream exists, naming its revision, and writes nothing', async () => {
      const id = streamId();
      await store.appendToStream(id, events(2), { expectedRevision: 'no_stream' });
      const attempt = store.appendToStream(id, events(1), { expectedRevision: 'no_stream' });
      await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevision);
      await expect(attempt).rejects.toMatchObject({ streamId: id, actual: 1 });
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('refuses stream_exists for a missing stream and accepts it for an existing one', async () => {
      const id = streamId();
      await expect(store.appendToStream(id, events(1), { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ actual: undefined });
      await store.appendToStream(id, events(1), { expectedRevision: 'any' });
      const result = await store.appendToStream(id, events(1), { expectedRevision: 'stream_exists' });
      expect(result.nextExpectedRevision).toBe(1);
    });

    it('appends at an exact revision and refuses a stale one', async () => {
      const id = streamId();
      const first = await store.appendToStream(id, events(3), { expectedRevision: 'no_stream' });
      const second = await store.appendToStream(id, events(1), { expectedRevision: first.nextExpectedRevision });
      expect(second.nextExpectedRevision).toBe(3);
      const stale = store.appendToStream(id, events(1), { expectedRevision: first.nextExpectedRevision });
      await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevision);
      await expect(stale).rejects.toMatchObject({ expected: 2, actual: 3 });
      await expect(store.appendToStream(id, events(1), { expectedRevision: 7 })).rejects.toBeInstanceOf(WrongExpectedRevision);
      expect(await store.streamRevision(id)).toBe(3);
    });

    it('accepts any revision with "any"', async () => {
      const id = streamId();
      await store.appendToStream(id, events(1), { expectedRevision: 'any' });
      const result = await store.appendToStream(id, events(2), { expectedRevision: 'any' });
      expect(result.nextExpectedRevision).toBe(2);
    });

    it('does not duplicate events appended again after a timeout (same ids, same expected revision)', async () => {
      const id = streamId();
      const batch = events(3);
      const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      const retried = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      expect(retried).toEqual(first);
      expect((await store.readStream(id)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    });

    it('does not duplicate a retried append even after the stream moved on', async () => {
      const id = streamId();
      await store.appendToStream(id, events(1), { expectedRevision: 'no_stream' });
      const batch = events(2);
      const first = await store.appendToStream(id, batch, { expectedRevision: 0 });
      await store.appendToStream(id, events(1), { expectedRevision: 2 });
      const retried = await store.appendToStream(id, batch, { expectedRevision: 0 });
      expect(retried).toEqual(first);
      expect(await store.readStream(id)).toHaveLength(4);
    });

    it('refuses a batch that only partly repeats stored events', async () => {
      const id = streamId();
      const batch = events(2);
      await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
      const mixed = store.appendToStream(id, [batch[0]!, event('Other')], { expectedRevision: 'no_stream' });
      const error: unknown = await mixed.then(() => undefined, (e: unknown) => e);
      expect(error instanceof IdempotencyConflict || error instanceof WrongExpectedRevision).toBe(true);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('lets exactly one of several writers at the same revision win, leaving no gaps', async () => {
      const id = streamId();
      await store.appendToStream(id, events(1), { expectedRevision: 'no_stream' });
      const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => store.appendToStream(id, events(1), { expectedRevision: 0 })));
      const landed = attempts.filter((a) => a.status === 'fulfilled');
      const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(landed).toHaveLength(1);
      expect(refused.every((r) => r.reason instanceof WrongExpectedRevision)).toBe(true);
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1]);
    });
  });

  describe('reading a stream', () => {
    it('reads an unknown stream as empty with no revision', async () => {
      const id = streamId();
      expect(await store.readStream(id)).toEqual([]);
      expect(await store.readStream(id, { direction: 'backwards' })).toEqual([]);
      expect(await store.streamRevision(id)).toBeUndefined();
    });

    it('reads forwards from a revision with a limit', async () => {
      const id = streamId();
      await store.appendToStream(id, events(10), { expectedRevision: 'no_stream' });
      const page = await store.readStream(id, { fromRevision: 3, maxCount: 4 });
      expect(page.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      expect(page.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5, 6]);
    });

    it('reads backwards from the end or from a revision', async () => {
      const id = streamId();
      await store.appendToStream(id, events(6), { expectedRevision: 'no_stream' });
      expect((await store.readStream(id, { direction: 'backwards', maxCount: 2 })).map((e) => e.revision)).toEqual([5, 4]);
      expect((await store.readStream(id, { direction: 'backwards', fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 1, 0]);
    });
  });

  describe('the global log', () => {
    it('holds every append in order, reads after a position exclusively, and reports its head', async () => {
      const a = streamId();
      const b = streamId();
      // Only positions the store handed out are valid cursors (EventStoreDB's are byte offsets).
      const headBefore = await store.headPosition();
      const first = await store.appendToStream(a, events(2), { expectedRevision: 'no_stream' });
      await store.appendToStream(b, events(1), { expectedRevision: 'no_stream' });
      await store.appendToStream(a, events(1), { expectedRevision: 1 });
      const log = (await store.readAll({ after: headBefore, maxCount: 10_000 })).filter((e) => e.streamId === a || e.streamId === b);
      expect(log.map((e) => [e.streamId, e.revision])).toEqual([[a, 0], [a, 1], [b, 0], [a, 2]]);
      const positions = log.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);

      const after = await store.readAll({ after: first.position, maxCount: 10_000 });
      expect(after.some((e) => e.position <= first.position)).toBe(false);
      expect(after.find((e) => e.streamId === b)?.revision).toBe(0);

      expect(await store.headPosition()).toBeGreaterThanOrEqual(log.at(-1)!.position);
      expect(await store.readAll({ after: headBefore, maxCount: 2 })).toHaveLength(2);
    });
  });

  describe('subscribing to the global log', () => {
    it('catches up, then goes live, with no gap and no duplicate at the switch', async () => {
      const id = streamId();
      const before = await store.headPosition();
      let revision = (await store.appendToStream(id, events(50), { expectedRevision: 'no_stream' })).nextExpectedRevision;
      const subscription = store.subscribeToAll({ after: before, batchSize: 7 });
      const writer = (async () => {
        for (let i = 0; i < 10; i++) {
          revision = (await store.appendToStream(id, events(5), { expectedRevision: revision })).nextExpectedRevision;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const received = await collect(subscription, (e) => e.streamId === id, 100);
      await writer;
      await subscription.close();
      expect(received.map((e) => e.revision)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });

    it('starts after the given position', async () => {
      const id = streamId();
      await store.appendToStream(id, events(3), { expectedRevision: 'no_stream' });
      const second = (await store.readStream(id))[1]!;
      const subscription = store.subscribeToAll({ after: second.position });
      const received = await collect(subscription, (e) => e.streamId === id, 1);
      await subscription.close();
      expect(received.map((e) => e.revision)).toEqual([2]);
    });

    it('ends the iteration when closed', async () => {
      const subscription = store.subscribeToAll({ after: await store.headPosition() });
      const iterating = (async () => {
        let count = 0;
        for await (const _ of subscription) count++;
        return count;
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await subscription.close();
      await expect(iterating).resolves.toBeGreaterThanOrEqual(0);
    });
  });

  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}
