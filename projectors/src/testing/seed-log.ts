// Fills an event store with a log of the given size, spread over rooms and users, for the tests and
// benchmarks that need many events.
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@chat/platform';

export async function seedLog(eventStore: EventStore, events: number, options: { streams?: number; batch?: number } = {}): Promise<void> {
  const streams = options.streams ?? 1000;
  const batch = options.batch ?? 100;
  const revisions = new Map<string, number>();
  for (let written = 0, i = 0; written < events; i++) {
    const streamId = `${i % 3 === 0 ? 'user' : 'room'}-seed${i % streams}`;
    const size = Math.min(batch, events - written);
    const result = await eventStore.appendToStream(
      streamId,
      Array.from({ length: size }, (_, j) => ({ id: randomUUID(), type: j % 10 === 0 ? 'RoomRenamed' : 'MessageSent', data: { n: written + j, text: `seeded ${written + j}` }, metadata: { actorId: 'seed' } })),
      { expectedRevision: revisions.get(streamId) ?? 'no_stream' },
    );
    revisions.set(streamId, result.nextExpectedRevision);
    written += size;
  }
}
