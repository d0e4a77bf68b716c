import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../sqlite/sqlite-database';
import { IdempotencyConflict, WrongExpectedRevision } from './event-store';
import { eventStoreContract } from './event-store.contract';
import { RECENT_APPENDS_WINDOW, SqliteEventStore } from './sqlite-event-store';

describe('SQLite event store', () => {
  eventStoreContract(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-'));
    const store = SqliteEventStore.open(path.join(dir, 'events.db'));
    return {
      store,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describe('SQLite event store: the revisions it can vouch for', () => {
  let dir: string;
  let file: string;
  const stores: SqliteEventStore[] = [];
  const open = (options?: Parameters<typeof SqliteEventStore.open>[1]) => {
    const store = SqliteEventStore.open(file, options);
    stores.push(store);
    return store;
  };
  const event = () => ({ id: randomUUID(), type: 'Noted', data: { at: Date.now() } });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-known-'));
    file = path.join(dir, 'events.db');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('knows what it appended and read to the end, and nothing it has not seen', async () => {
    const store = open();
    expect(store.knownStreamRevision('a')).toBeUndefined();
    await store.appendToStream('a', [event(), event()], { expectedRevision: 'no_stream' });
    expect(store.knownStreamRevision('a')).toBe(1);
    await store.readStream('missing');
    expect(store.knownStreamRevision('missing')).toBe(-1);
    await store.appendToStream('b', [event(), event(), event()], { expectedRevision: 'no_stream' });
    const other = open();
    await other.readStream('b', { maxCount: 1 });
    expect(other.knownStreamRevision('b')).toBeUndefined();
    await other.readStream('b', { fromRevision: 3 });
    expect(other.knownStreamRevision('b')).toBe(2);
  });

  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('forgets everything once another connection has committed (seen from the next turn of the event loop), and a failed or repeated append teaches nothing', async () => {
    const store = open();
    const other = open();
    const first = [event()];
    await store.appendToStream('a', first, { expectedRevision: 'no_stream' });
    await store.appendToStream('a', [event()], { expectedRevision: 0 });
    expect(store.knownStreamRevision('a')).toBe(1);
    // A retry of the first append answers its old result (revision 0), which is not where the stream is.
    await expect(store.appendToStream('a', first, { expectedRevision: 'no_stream' })).resolves.toMatchObject({ nextExpectedRevision: 0 });
    expect(store.knownStreamRevision('a')).toBe(1);

    await other.appendToStream('a', [event()], { expectedRevision: 1 });
    // Asked once per turn: within the turn it last asked, the store still vouches, and its next append is refused.
    expect(store.knownStreamRevision('a')).toBe(1);
    await expect(store.appendToStream('a', [event()], { expectedRevision: 1 })).rejects.toThrow(WrongExpectedRevision);
    await nextTurn();
    expect(store.knownStreamRevision('a')).toBeUndefined();
    await expect(store.appendToStream('a', [event()], { expectedRevision: 1 })).rejects.toThrow(WrongExpectedRevision);
    expect(store.knownStreamRevision('a')).toBeUndefined();
  });

  it('goes on vouching while its WAL is checkpointed by the background thread', async () => {
    const store = open({ checkpointInBackground: { intervalMs: 10 } });
    for (let i = 0; i < 50; i++) await store.appendToStream('a', [event()], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.knownStreamRevision('a')).toBe(49);
  });

  it('vouches for nothing on a connection it was handed, which others may write through', async () => {
    const db = openSqlite(file);
    const store = new SqliteEventStore(db);
    await store.appendToStream('a', [event()], { expectedRevision: 'no_stream' });
    expect(store.knownStreamRevision('a')).toBeUndefined();
    await store.close();
    db.close();
  });
});

describe('SQLite event store: appends written together', () => {
  let dir: string;
  let store: SqliteEventStore;
  const event = (text: string) => ({ id: randomUUID(), type: 'Noted', data: { text } });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-many-'));
    store = SqliteEventStore.open(path.join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('settles each append alone: the one at a wrong revision writes nothing, the others land in order', async () => {
    const earlier = [event('a0')];
    await store.appendToStream('a', earlier, { expectedRevision: 'no_stream' });
    const subscription = store.subscribeToAll();
    const outcomes = await store.appendToStreams([
      { streamId: 'b', events: [event('b0'), event('b1')], expectedRevision: 'no_stream' },
      { streamId: 'a', events: [event('stale')], expectedRevision: 'no_stream' },
      { streamId: 'a', events: earlier, expectedRevision: 'no_stream' },
      { streamId: 'a', events: [event('a1')], expectedRevision: 0 },
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: { nextExpectedRevision: 1 } });
    expect(outcomes[1]).toMatchObject({ reason: expect.any(WrongExpectedRevision) });
    // The repeated append answers what it answered the first time.
    expect(outcomes[2]).toMatchObject({ value: { nextExpectedRevision: 0 } });
    expect(outcomes[3]).toMatchObject({ value: { nextExpectedRevision: 1 } });
    expect((await store.readStream('a')).map((e) => (e.data as { text: string }).text)).toEqual(['a0', 'a1']);
    const all = await store.readAll();
    expect(all.map((e) => (e.data as { text: string }).text)).toEqual(['a0', 'b0', 'b1', 'a1']);
    expect(all.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect(store.knownStreamRevision('a')).toBe(1);
    expect(store.knownStreamRevision('b')).toBe(1);

    const seen: string[] = [];
    for await (const recorded of subscription) {
      seen.push((recorded.data as { text: string }).text);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(['a0', 'b0', 'b1', 'a1']);
  });
});

describe('SQLite event store: recognising a retried append without an index on event ids', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  const event = (text: string) => ({ id: randomUUID(), type: 'Noted', data: { text } });
  const texts = async (streamId: string) => (await store.readStream(streamId)).map((e) => (e.data as { text: string }).text);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-retry-'));
    file = path.join(dir, 'events.db');
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes no index on event ids into a new file', async () => {
    store = SqliteEventStore.open(file);
    const db = openSqlite(file);
    const indexed = db.prepare("SELECT name FROM pragma_index_list('events')").pluck().all() as string[];
    const columns = indexed.map((name) => db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(name));
    db.close();
    expect(columns).toEqual([['stream_id', 'revision']]);
  });

  it('finds a retried `any` or `stream_exists` append among the recent events and writes it once', async () => {
    store = SqliteEventStore.open(file);
    await store.appendToStream('a', [event('first')], { expectedRevision: 'no_stream' });
    const batch = [event('b0'), event('b1')];
    const first = await store.appendToStream('a', batch, { expectedRevision: 'any' });
    await store.appendToStream('a', [event('later')], { expectedRevision: 2 });

    await expect(store.appendToStream('a', batch, { expectedRevision: 'any' })).resolves.toEqual(first);
    await expect(store.appendToStream('a', batch, { expectedRevision: 'stream_exists' })).resolves.toEqual(first);
    await expect(store.appendToStream('a', [batch[0]!, event('other')], { expectedRevision: 'any' })).rejects.toThrow(IdempotencyConflict);
    expect(await texts('a')).toEqual(['first', 'b0', 'b1', 'later']);
  });

  it('appends anew an `any` retry that comes after more than RECENT_APPENDS_WINDOW other events, as EventStoreDB does', async () => {
    store = SqliteEventStore.open(file);
    const retried = event('retried');
    await store.appendToStream('a', [retried], { expectedRevision: 'no_stream' });
    await store.appendToStream('a', Array.from({ length: RECENT_APPENDS_WINDOW }, (_, i) => event(`filler ${i}`)), { expectedRevision: 0 });

    const result = await store.appendToStream('a', [retried], { expectedRevision: 'any' });

    expect(result.nextExpectedRevision).toBe(RECENT_APPENDS_WINDOW + 1);
    expect((await store.readStream('a')).filter((e) => e.id === retried.id)).toHaveLength(2);
  });

  it('still refuses, writing nothing, an id repeated at a new revision in a file made with the event-id index', async () => {
    const old = openSqlite(file);
    old.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
      data TEXT NOT NULL, metadata TEXT, created_at INTEGER NOT NULL, UNIQUE (stream_id, revision), UNIQUE (stream_id, event_id))`);
    old.close();
    store = SqliteEventStore.open(file);
    const stored = event('stored');
    await store.appendToStream('a', [stored], { expectedRevision: 'no_stream' });

    await expect(store.appendToStream('a', [event('new'), stored], { expectedRevision: 0 })).rejects.toThrow(IdempotencyConflict);
    expect(await texts('a')).toEqual(['stored']);
    expect(await store.appendToStream('a', [stored], { expectedRevision: 'no_stream' })).toMatchObject({ nextExpectedRevision: 0 });
  });
});
