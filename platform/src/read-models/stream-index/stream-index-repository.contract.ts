// The contract both stream-index repositories pass.
import type { StreamEventSeen, StreamIndexRepository } from './stream-index-repository';

export interface StreamIndexUnderTest {
  /** A fresh, empty repository. */
  readonly repository: StreamIndexRepository;
  cleanup(): Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute));
const seen = (streamId: string, revision: number, position: number, type = 'Happened'): StreamEventSeen => ({
  streamId,
  category: streamId.split('-')[0]!,
  revision,
  type,
  position,
  createdAt: at(position),
});

export function streamIndexRepositoryContract(makeRepository: () => Promise<StreamIndexUnderTest>): void {
  let subject: StreamIndexUnderTest;
  let repository: StreamIndexRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    repository = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('counts a stream’s events and keeps its first and last activity', async () => {
    await repository.recordEvent(seen('room-1', 0, 1, 'RoomCreated'));
    await repository.recordEvent(seen('room-1', 1, 4, 'RoomRenamed'));
    expect(await repository.get('room-1')).toEqual({
      streamId: 'room-1',
      category: 'room',
      eventCount: 2,
      lastRevision: 1,
      lastEventType: 'RoomRenamed',
      firstEventAt: at(1),
      lastEventAt: at(4),
      lastPosition: 4,
    });
  });

  it('ignores an event it has already applied, and anything older', async () => {
    await repository.recordEvent(seen('room-1', 0, 1));
    await repository.recordEvent(seen('room-1', 1, 2));
    await repository.recordEvent(seen('room-1', 1, 2));
    await repository.recordEvent(seen('room-1', 0, 1));
    expect(await repository.get('room-1')).toMatchObject({ eventCount: 2, lastPosition: 2, lastRevision: 1 });
  });

  it('answers undefined for a stream it has not seen', async () => {
    expect(await repository.get('room-404')).toBeUndefined();
  });

  it('lists streams in id order, by category, from a cursor', async () => {
    const ids = ['user-b', 'room-c', 'room-a', 'user-a', 'room-b'];
    for (const [i, id] of ids.entries()) await repository.recordEvent(seen(id, 0, i + 1));
    expect((await repository.list({ limit: 10 })).map((s) => s.streamId)).toEqual(['room-a', 'room-b', 'room-c', 'user-a', 'user-b']);
    expect((await repository.list({ category: 'room', limit: 2 })).map((s) => s.streamId)).toEqual(['room-a', 'room-b']);
    expect((await repository.list({ category: 'room', afterStreamId: 'room-b', limit: 2 })).map((s) => s.streamId)).toEqual(['room-c']);
    expect(await repository.countByCategory()).toEqual({ room: 3, user: 2 });
  });

  it('keeps stream ids with unicode intact', async () => {
    await repository.recordEvent(seen('room-café-☕', 0, 1));
    expect((await repository.get('room-café-☕'))?.category).toBe('room');
  });

  it('is empty again after drop', async () => {
    await repository.recordEvent(seen('room-1', 0, 1));
    await repository.drop();
    expect(await repository.get('room-1')).toBeUndefined();
  });
}
