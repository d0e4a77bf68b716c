// `npm run bench -- eventstore`: the embedded event store and the projection processor.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EventToAppend, SqliteEventStore, SqliteStreamIndexRepository, openSqlite } from '@chat/platform';
import { ProjectionProcessor, SqliteProjectionStore, streamIndexProjection } from '@chat/projectors';
import pino from 'pino';
import { perSecond, report } from './report';

const STREAMS = 100;
const LOG_SIZE = 200_000;

const messageEvent = (i: number): EventToAppend => ({
  id: randomUUID(),
  type: 'MessageSent',
  data: { messageId: randomUUID(), authorId: randomUUID(), text: `message number ${i} 👋`, clientMessageId: randomUUID() },
  metadata: { actorId: 'bench' },
});

async function appendSingles(store: SqliteEventStore, count: number): Promise<void> {
  const revisions = new Array<number | undefined>(STREAMS).fill(undefined);
  const startedAt = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const stream = i % STREAMS;
    const result = await store.appendToStream(`room-single${stream}`, [messageEvent(i)], { expectedRevision: revisions[stream] ?? 'no_stream' });
    revisions[stream] = result.nextExpectedRevision;
  }
  report({ bench: 'eventstore.append', value: perSecond(count, startedAt), unit: 'events/s', events: count, eventsPerAppend: 1, synchronous: 'normal' });
}

async function appendBatches(store: SqliteEventStore, count: number): Promise<void> {
  const revisions = new Array<number | undefined>(STREAMS).fill(undefined);
  const startedAt = process.hrtime.bigint();
  for (let i = 0; i < count / 100; i++) {
    const stream = i % STREAMS;
    const batch = Array.from({ length: 100 }, (_, j) => messageEvent(i * 100 + j));
    const result = await store.appendToStream(`room-batch${stream}`, batch, { expectedRevision: revisions[stream] ?? 'no_stream' });
    revisions[stream] = result.nextExpectedRevision;
  }
  report({ bench: 'eventstore.append_batch', value: perSecond(count, startedAt), unit: 'events/s', events: count, eventsPerAppend: 100 });
}

async function readAll(store: SqliteEventStore): Promise<number> {
  const startedAt = process.hrtime.bigint();
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    count += page.length;
    after = page.at(-1)!.position;
  }
  report({ bench: 'eventstore.read_all', value: perSecond(count, startedAt), unit: 'events/s', events: count, pageSize: 1000 });
  return count;
}

async function rebuild(file: string, store: SqliteEventStore, events: number): Promise<void> {
  const db = openSqlite(file);
  const projection = streamIndexProjection('stream-index@bench', new SqliteStreamIndexRepository(db, 99));
  const processor = new ProjectionProcessor({ eventStore: store, store: new SqliteProjectionStore(db), projection, logger: pino({ level: 'silent' }) });
  const startedAt = process.hrtime.bigint();
  processor.start();
  await processor.waitUntilCaughtUp();
  const rate = perSecond(events, startedAt);
  await processor.stop();
  db.close();
  report({ bench: 'projection.rebuild', value: rate, unit: 'events/s', events, projection: 'stream-index', readStore: 'sqlite' });
}

export async function eventstoreBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-bench-'));
  const file = path.join(dir, 'chat.db');
  const store = SqliteEventStore.open(file);
  try {
    await appendSingles(store, 20_000);
    await appendBatches(store, LOG_SIZE - 20_000);
    const events = await readAll(store);
    await rebuild(file, store, events);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
