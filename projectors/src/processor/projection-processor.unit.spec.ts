import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ChangeMessage, InProcessChangeFeed, type SqliteDatabase, SqliteEventStore, openSqlite, renderMetrics } from '@chat/platform';
import pino from 'pino';
import type { Projection } from './projection';
import { ProjectionProcessor } from './projection-processor';
import { SqliteProjectionStore } from './projection-stores';

/** A projection that records every event it applies in a table, idempotently, and can be told to fail. */
function recordingProjection(db: SqliteDatabase, failOn: Set<string>): Projection {
  db.exec('CREATE TABLE IF NOT EXISTS applied (position INTEGER PRIMARY KEY, type TEXT, text TEXT)');
  const insert = db.prepare('INSERT OR IGNORE INTO applied VALUES (?, ?, ?)');
  return {
    name: 'recording@1',
    handles: (type) => type !== 'Ignored',
    apply: async (event, context) => {
      const text = (event.data as { text: string }).text;
      if (failOn.has(text)) throw new Error(`cannot apply ${text}`);
      insert.run(event.position, event.type, text);
      context.publish(`test.${event.streamId}`, { text });
    },
  };
}

describe('projection processor', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let db: SqliteDatabase;
  let store: SqliteProjectionStore;
  const failOn = new Set<string>();
  const logger = pino({ level: 'silent' });
  const processors: ProjectionProcessor[] = [];

  const append = async (stream: string, ...texts: string[]) => {
    const events = texts.map((text) => ({ id: randomUUID(), type: text.startsWith('ignored') ? 'Ignored' : 'Said', data: { text } }));
    return eventStore.appendToStream(stream, events, { expectedRevision: 'any' });
  };
  const applied = () => db.prepare<[], { text: string }>('SELECT text FROM applied ORDER BY position').all().map((row) => row.text);
  const processor = (changeFeed?: InProcessChangeFeed, batchSize?: number, options: { skippedCheckpointMs?: number } = {}) => {
    const created = new ProjectionProcessor({
      eventStore,
      store,
      projection: recordingProjection(db, failOn),
      logger,
      failurePollMs: 20,
      ...options,
      ...(changeFeed ? { changeFeed } : {}),
      ...(batchSize ? { batchSize } : {}),
    });
    processors.push(created);
    return created;
  };
  const eventually = async (condition: () => Promise<boolean> | boolean) => {
    for (let i = 0; i < 200; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('condition not met in 2 s');
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-processor-'));
    eventStore = SqliteEventStore.open(path.join(dir, 'chat.db'));
    db = openSqlite(path.join(dir, 'chat.db'));
    store = new SqliteProjectionStore(db);
    failOn.clear();
  });
  afterEach(async () => {
    await Promise.all(processors.splice(0).map((p) => p.stop()));
    await eventStore.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('catches up on the log, then applies new events as they are appended', async () => {
    await append('room-1', 'a', 'b');
    const running = processor();
    running.start();
    await running.waitUntilCaughtUp();
    expect(applied()).toEqual(['a', 'b']);
    const { position } = await append('room-1', 'c');
    await running.waitUntilCaughtUp(position);
    expect(applied()).toEqual(['a', 'b', 'c']);
    expect((await store.checkpoints.read('recording@1'))?.position).toBe(position);
  });

  it('resumes from its checkpoint without applying anything twice', async () => {
    await append('room-1', 'a', 'b');
    const first = processor();
    first.start();
    await first.waitUntilCaughtUp();
    await first.stop();
    db.prepare('DELETE FROM applied').run();
    const { position } = await append('room-1', 'c');
    const second = processor();
    second.start();
    await second.waitUntilCaughtUp(position);
    expect(applied()).toEqual(['c']);
  });

  it('moves its checkpoint past events it does not handle without a commit each: with the next batch it commits, after a quiet while, or at the stop', async () => {
    const storedCheckpoint = async () => (await store.checkpoints.read('recording@1'))?.position;
    const commits = jest.spyOn(store, 'commit');
    const running = processor(undefined, undefined, { skippedCheckpointMs: 60_000 });
    running.start();
    const skipped = await append('room-1', 'ignored one', 'ignored two');
    await running.waitUntilCaughtUp(skipped.position);
    expect(applied()).toEqual([]);
    expect(commits).not.toHaveBeenCalled();
    expect(await storedCheckpoint()).toBeUndefined();

    const handled = await append('room-1', 'a');
    await running.waitUntilCaughtUp(handled.position);
    expect(applied()).toEqual(['a']);
    expect(await storedCheckpoint()).toBe(handled.position);

    const skippedAgain = await append('room-2', 'ignored three');
    await running.waitUntilCaughtUp(skippedAgain.position);
    expect(await storedCheckpoint()).toBe(handled.position);
    await running.stop();
    expect(await storedCheckpoint()).toBe(skippedAgain.position);
    expect(commits).toHaveBeenCalledTimes(2);

    const quick = processor(undefined, undefined, { skippedCheckpointMs: 20 });
    quick.start();
    const quiet = await append('room-2', 'ignored four');
    await quick.waitUntilCaughtUp(quiet.position);
    await eventually(async () => (await storedCheckpoint()) === quiet.position);
  });

  it('stops at an event that fails, keeping what came before and recording which event it was', async () => {
    await append('room-1', 'a', 'b');
    await append('room-2', 'poison');
    await append('room-1', 'after');
    failOn.add('poison');
    const running = processor(undefined, 100);
    running.start();
    await eventually(async () => (await store.checkpoints.read('recording@1'))?.failure !== undefined);
    const checkpoint = (await store.checkpoints.read('recording@1'))!;
    const poison = (await eventStore.readStream('room-2'))[0]!;
    expect(applied()).toEqual(['a', 'b']);
    expect(checkpoint.position).toBe(poison.position - 1);
    expect(checkpoint.failure).toMatchObject({ position: poison.position, eventId: poison.id, eventType: 'Said', streamId: 'room-2', message: 'cannot apply poison' });
  });

  it('reports its lag behind the head when the metrics are read, growing while it is stopped on a failure', async () => {
    const lag = async () => Number(/^projection_lag_events\{projection="recording@1"\} (\d+)$/m.exec((await renderMetrics()).body)?.[1]);
    await append('room-1', 'a', 'b');
    const running = processor();
    running.start();
    await running.waitUntilCaughtUp();
    expect(await lag()).toBe(0);
    failOn.add('poison');
    await append('room-2', 'poison');
    await eventually(async () => (await store.checkpoints.read('recording@1'))?.failure !== undefined);
    expect(await lag()).toBe(1);
    await append('room-1', 'c', 'd');
    expect(await lag()).toBe(3);
  });

  it('tries the failed event again once its failure is cleared (admin retry)', async () => {
    await append('room-1', 'a');
    await append('room-1', 'flaky', 'b');
    failOn.add('flaky');
    const running = processor();
    running.start();
    await eventually(async () => (await store.checkpoints.read('recording@1'))?.failure !== undefined);
    failOn.clear();
    await store.checkpoints.clearFailure('recording@1');
    await running.waitUntilCaughtUp();
    expect(applied()).toEqual(['a', 'flaky', 'b']);
  });

  it('goes on after the failed event once the checkpoint is moved past it (admin skip)', async () => {
    await append('room-1', 'a', 'poison', 'b');
    failOn.add('poison');
    const running = processor();
    running.start();
    await eventually(async () => (await store.checkpoints.read('recording@1'))?.failure !== undefined);
    const failure = (await store.checkpoints.read('recording@1'))!.failure!;
    await store.checkpoints.save('recording@1', failure.position);
    await running.waitUntilCaughtUp();
    expect(applied()).toEqual(['a', 'b']);
  });

  it('publishes each change after its batch is committed, and nothing without a change feed', async () => {
    const feed = new InProcessChangeFeed();
    const received: ChangeMessage[] = [];
    await feed.subscribe('test.*', (message) => received.push(message));
    const running = processor(feed);
    running.start();
    const { position } = await append('room-7', 'hello 👋');
    await running.waitUntilCaughtUp(position);
    await eventually(() => received.length === 1);
    expect(received[0]).toEqual({ topic: 'test.room-7', payload: { text: 'hello 👋' } });
    await running.stop();

    const silent = processor();
    db.prepare('DELETE FROM applied').run();
    await store.checkpoints.remove('recording@1');
    silent.start();
    await silent.waitUntilCaughtUp();
    expect(applied()).toEqual(['hello 👋']);
    expect(received).toHaveLength(1);
    await feed.close();
  });

  it('runs beside other processors on the same store, each applying every event once, in order, and checkpointing the head', async () => {
    // As in a projectors process: one store, one subscription per projection, all woken by each append.
    // Appends come in turns of their own, as requests do: a batch's transaction never yields to another turn.
    const appendInTurn = async (stream: string, ...texts: string[]) => {
      await new Promise((resolve) => setImmediate(resolve));
      return append(stream, ...texts);
    };
    const seen = new Map<string, number[]>();
    const following = (name: string) => {
      seen.set(name, []);
      const created = new ProjectionProcessor({
        eventStore,
        store,
        projection: { name, handles: () => true, apply: async (event) => void seen.get(name)!.push(event.position) },
        logger,
        batchSize: 5,
      });
      processors.push(created);
      return created;
    };
    await append('room-1', 'a', 'b', 'c');
    const live = ['one', 'two', 'three'].map((name) => following(name));
    live.forEach((p) => p.start());
    let head = 0;
    for (let i = 0; i < 30; i++) head = (await appendInTurn(`room-${i % 4}`, ...Array.from({ length: 1 + (i % 6) }, (_, j) => `text ${i}.${j}`))).position;
    const late = following('late');
    late.start();
    head = (await appendInTurn('room-9', 'last')).position;
    for (const p of [...live, late]) await p.waitUntilCaughtUp(head);
    const everything = Array.from({ length: head }, (_, i) => i + 1);
    for (const name of seen.keys()) {
      expect(seen.get(name)).toEqual(everything);
      expect((await store.checkpoints.read(name))?.position).toBe(head);
    }
  });
});
