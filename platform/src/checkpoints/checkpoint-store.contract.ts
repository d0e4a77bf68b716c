// The behaviour every CheckpointStore adapter must show. Each adapter's spec calls this with a factory
// that makes an empty store (and a cleanup that closes whatever it opened).
import type { CheckpointStore, ProjectionFailure } from './checkpoint-store';

export function checkpointStoreContract(makeStore: () => Promise<{ store: CheckpointStore; cleanup(): Promise<void> }>): void {
  let store: CheckpointStore;
  let cleanup: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    ({ store, cleanup } = await makeStore());
  });

  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  const failure = (overrides: Partial<ProjectionFailure> = {}): ProjectionFailure => ({
    position: 8,
    eventId: 'a1b2c3d4-0000-4000-8000-000000000008',
    eventType: 'MessagePosted',
    streamId: 'room-7f3a',
    message: 'room room-7f3a not found in the read model',
    // Milliseconds included: a store that drops them does not round-trip the date.
    failedAt: new Date('2025-03-04T05:06:07.089Z'),
    ...overrides,
  });

  it('reads nothing for a projection it has never seen', async () => {
    expect(await store.read('stream-index')).toBeUndefined();
  });

  it('reads back the position it saved, with the time of the save', async () => {
    const before = Date.now();
    await store.save('stream-index', 42);
    const checkpoint = await store.read('stream-index');
    expect(checkpoint).toEqual({ projection: 'stream-index', position: 42, updatedAt: expect.any(Date) });
    expect(checkpoint?.failure).toBeUndefined();
    // A second either side: MySQL and SQLite keep milliseconds, but clocks and rounding vary.
    expect(checkpoint?.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(checkpoint?.updatedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('moves forward on each later save', async () => {
    await store.save('stream-index', 3);
    await store.save('stream-index', 9);
    expect((await store.read('stream-index'))?.position).toBe(9);
  });

  it('keeps a position beyond 32 bits exactly', async () => {
    await store.save('stream-index', Number.MAX_SAFE_INTEGER);
    expect((await store.read('stream-index'))?.position).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('never moves back when an older position is saved late', async () => {
    await store.save('stream-index', 10);
    await store.save('stream-index', 5);
    expect((await store.read('stream-index'))?.position).toBe(10);
  });

  it('records a failure without moving the position', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(7);
    expect(checkpoint?.failure).toEqual(failure());
    expect(checkpoint?.failure?.failedAt).toBeInstanceOf(Date);
  });

  it('records a failure on the first event at position 0', async () => {
    await store.markFailed('stream-index', failure({ position: 1 }));
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(0);
    expect(checkpoint?.failure).toEqual(failure({ position: 1 }));
  });

  it('replaces an earlier failure with the later one', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    await store.markFailed('stream-index', failure({ message: 'still failing', failedAt: new Date('2025-03-04T06:00:00.001Z') }));
    expect((await store.read('stream-index'))?.failure).toEqual(
      failure({ message: 'still failing', failedAt: new Date('2025-03-04T06:00:00.001Z') }),
    );
  });

  it('clears the failure when the failed event is saved as done (an admin skip)', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    await store.save('stream-index', 8);
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(8);
    expect(checkpoint?.failure).toBeUndefined();
  });

  it('accepts the position already stored again, clearing a failure', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    await store.save('stream-index', 7);
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(7);
    expect(checkpoint?.failure).toBeUndefined();
  });

  it('keeps the failure when a stale position is saved', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    await store.save('stream-index', 5);
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(7);
    expect(checkpoint?.failure).toEqual(failure());
  });

  it('clears a failure and keeps the position (an admin retry)', async () => {
    await store.save('stream-index', 7);
    await store.markFailed('stream-index', failure());
    await store.clearFailure('stream-index');
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(7);
    expect(checkpoint?.failure).toBeUndefined();
  });

  it('creates nothing when clearing the failure of an unknown projection', async () => {
    await store.clearFailure('stream-index');
    expect(await store.read('stream-index')).toBeUndefined();
  });

  it('lists nothing when there are no checkpoints', async () => {
    expect(await store.list()).toEqual([]);
  });

  it('lists every checkpoint, failures included', async () => {
    await store.save('stream-index', 3);
    await store.save('rooms', 5);
    await store.save('unread', 4);
    await store.markFailed('unread', failure({ position: 5 }));
    const listed = (await store.list()).sort((a, b) => (a.projection < b.projection ? -1 : 1));
    expect(listed).toEqual([
      { projection: 'rooms', position: 5, updatedAt: expect.any(Date) },
      { projection: 'stream-index', position: 3, updatedAt: expect.any(Date) },
      { projection: 'unread', position: 4, updatedAt: expect.any(Date), failure: failure({ position: 5 }) },
    ]);
  });

  it('removes one checkpoint and leaves the others', async () => {
    await store.save('stream-index', 3);
    await store.save('stream-index@2', 1);
    await store.remove('stream-index');
    await store.remove('never-saved');
    expect(await store.read('stream-index')).toBeUndefined();
    expect((await store.list()).map((c) => c.projection)).toEqual(['stream-index@2']);
  });

  it('keeps projections apart whose names differ by a generation, case or any unicode character', async () => {
    const names = ['stream-index', 'stream-index@2', 'Stream-Index', 'ungelesen-zähler', 'räume-📨'];
    for (const [i, name] of names.entries()) await store.save(name, i + 1);
    for (const [i, name] of names.entries()) expect(await store.read(name)).toMatchObject({ projection: name, position: i + 1 });
    expect((await store.list()).map((c) => c.projection).sort()).toEqual([...names].sort());
  });

  it('ends at the largest of many concurrent saves, on a new projection and on an existing one', async () => {
    // 1..25 in a scrambled but fixed order (7 and 25 share no factor, so i·7 mod 25 visits every value).
    const scrambled = Array.from({ length: 25 }, (_, i) => ((i * 7) % 25) + 1);
    await Promise.all(scrambled.map((position) => store.save('stream-index', position)));
    expect((await store.read('stream-index'))?.position).toBe(25);
    await Promise.all(scrambled.map((position) => store.save('stream-index', position + 100)));
    expect((await store.read('stream-index'))?.position).toBe(125);
  });

  it('records concurrent failures of a new projection without losing the checkpoint', async () => {
    await Promise.all([1, 2, 3].map((n) => store.markFailed('stream-index', failure({ position: 1, message: `attempt ${n}` }))));
    const checkpoint = await store.read('stream-index');
    expect(checkpoint?.position).toBe(0);
    expect(checkpoint?.failure?.message).toMatch(/^attempt [123]$/);
  });
}
