// `npm run bench -- messaging`: rooms and messages on the embedded stores.
//   messaging.send          messages/s through HTTP (auth, validation, the room's turn, decide, append) with 50
//                           concurrent senders in one room, against `npm start`'s process (projectors and
//                           realtime's change-feed fan-out included, no WebSocket client connected)
//   messaging.history_page  p50/p99 of a 50-message page in a room of 1,000,000 messages, over HTTP (the
//                           repository query alone is reported beside it); the log is seeded with batch
//                           appends and the running projectors catch up
//   projection.rebuild      the rooms projection rebuilding a new generation from the whole log
// The server runs in a process of its own (as in production, and so the client does not share its core),
// logging at `warn` so that its request log lines do not end up measured through a pipe; its output goes
// to `server.log` in the data folder, which is kept (and named) when the bench fails.
// `npm run bench -- messaging send` (or `history`, `rebuild`, several at once) runs only those parts;
// the rebuild then replays whatever the earlier parts appended. BENCH_SERVER_NODE_ARGS is passed to the
// server's node (`BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles it).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { messageEventId, type MessageSent, roomMessagesStreamId } from '@chat/domain';
import {
  createLogger,
  EMBEDDED_DATABASE_FILE,
  EMBEDDED_READ_MODELS_FILE,
  type EventToAppend,
  Infrastructure,
  loadConfig,
  openSqlite,
  ROOMS_READ_MODEL,
  SqliteEventStore,
  SqliteMessageHistoryRepository,
} from '@chat/platform';
import { findReadModel, ProjectionProcessor } from '@chat/projectors';
import { type EmbeddedServer, type Person, startEmbeddedServer } from './embedded-server';
import { perSecond, report, round } from './report';

const SENDERS = 50;
const MESSAGES_SENT = 20_000;
const WARM_UP_MESSAGES = 2_000;
const HISTORY_SIZE = 1_000_000;
const SEED_BATCH = 1_000;
const PAGE_SIZE = 50;
const PAGES_TIMED = 2_000;
const REBUILD_GENERATION = 99;

const PARTS = ['send', 'history', 'rebuild'] as const;
type Part = (typeof PARTS)[number];

export async function messagingBench(args: readonly string[] = []): Promise<void> {
  const unknown = args.filter((arg) => !(PARTS as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}: choose among ${PARTS.join(', ')}`);
  const runs = (part: Part) => args.length === 0 || args.includes(part);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-bench-messaging-'));
  let failed = true;
  try {
    if (runs('send') || runs('history')) {
      const server = await startEmbeddedServer(dataDir, { maxSockets: SENDERS * 2 });
      try {
        const senders = await Promise.all(Array.from({ length: SENDERS }, () => server.client.register()));
        if (runs('send')) await sendBench(server, senders);
        if (runs('history')) await historyBench(server, dataDir, senders[0]!);
      } finally {
        await server.stop();
      }
    }
    if (runs('rebuild')) await rebuildBench(dataDir);
    failed = false;
  } finally {
    if (failed) process.stderr.write(`the bench's data and the server's log are kept in ${dataDir}\n`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sendBench(server: EmbeddedServer, senders: readonly Person[]): Promise<void> {
  const { client } = server;
  const [owner, ...others] = senders;
  const room = (await client.call<{ room: { id: string } }>('POST', '/api/rooms', owner!, { name: 'Bench', memberIds: others.map((p) => p.id) })).room;
  const sendMessages = async (count: number) => {
    let next = 0;
    await Promise.all(
      senders.map(async (sender) => {
        while (next < count) {
          next++;
          await client.call('POST', `/api/rooms/${room.id}/messages`, sender, { clientMessageId: randomUUID(), text: `message from ${sender.id} 👋` }, 201);
        }
      }),
    );
  };
  await sendMessages(WARM_UP_MESSAGES);
  const startedAt = process.hrtime.bigint();
  const cpuBefore = server.cpuSeconds();
  const clientCpuBefore = process.cpuUsage();
  await sendMessages(MESSAGES_SENT);
  const rate = perSecond(MESSAGES_SENT, startedAt);
  const cpuAfter = server.cpuSeconds();
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientCpuMsPerMessage = round((clientCpu.user + clientCpu.system) / 1000 / MESSAGES_SENT);
  // The server's CPU time per message is steadier than the rate on a machine others are using too.
  const serverCpuMsPerMessage = cpuBefore === undefined || cpuAfter === undefined ? undefined : round(((cpuAfter - cpuBefore) * 1000) / MESSAGES_SENT);
  report({ bench: 'messaging.send', value: rate, unit: 'messages/s', messages: MESSAGES_SENT, concurrentSenders: SENDERS, path: 'http', stores: 'embedded sqlite', projectorsRunning: true, serverCpuMsPerMessage, clientCpuMsPerMessage, loadAverage: round(os.loadavg()[0]!) });
}

async function historyBench(server: EmbeddedServer, dataDir: string, owner: Person): Promise<void> {
  const { client } = server;
  const room = (await client.call<{ room: { id: string } }>('POST', '/api/rooms', owner, { name: 'A million messages' })).room;
  const seedStartedAt = process.hrtime.bigint();
  const store = SqliteEventStore.open(path.join(dataDir, EMBEDDED_DATABASE_FILE));
  try {
    let revision: number | undefined;
    const at = new Date().toISOString();
    for (let seq = 1; seq <= HISTORY_SIZE; seq += SEED_BATCH) {
      const batch: EventToAppend[] = [];
      for (let s = seq; s < seq + SEED_BATCH && s <= HISTORY_SIZE; s++) {
        const clientMessageId = `seed-${s}`;
        const messageId = messageEventId(owner.id, clientMessageId);
        const data: MessageSent['data'] = { roomId: room.id, messageId, seq: s, authorId: owner.id, clientMessageId, text: `seeded message number ${s}`, at };
        batch.push({ id: messageId, type: 'MessageSent', data, metadata: { actorId: owner.id } });
      }
      revision = (await store.appendToStream(roomMessagesStreamId(room.id), batch, { expectedRevision: revision ?? 'no_stream' })).nextExpectedRevision;
    }
  } finally {
    await store.close();
  }
  const seededIn = Number(process.hrtime.bigint() - seedStartedAt) / 1e9;
  // The synchronous seeding kept this process from noticing the server close idle connections.
  client.dropIdleConnections();
  const catchUpStartedAt = process.hrtime.bigint();
  for (;;) {
    const rooms = await client.call<{ id: string; lastSeq: number }[]>('GET', '/api/rooms', owner);
    if (rooms.find((r) => r.id === room.id)?.lastSeq === HISTORY_SIZE) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const caughtUpIn = Number(process.hrtime.bigint() - catchUpStartedAt) / 1e9;

  const randomCursor = () => PAGE_SIZE + 1 + Math.floor(Math.random() * (HISTORY_SIZE - PAGE_SIZE));
  const overHttp = await timed(PAGES_TIMED, async () => {
    const page = await client.call<{ messages: unknown[] }>('GET', `/api/rooms/${room.id}/messages?before=${randomCursor()}&limit=${PAGE_SIZE}`, owner);
    if (page.messages.length !== PAGE_SIZE) throw new Error(`a page of ${page.messages.length} messages`);
  });
  const db = openSqlite(path.join(dataDir, EMBEDDED_READ_MODELS_FILE), { readonly: true });
  const history = new SqliteMessageHistoryRepository(db, 1);
  const inRepository = await timed(PAGES_TIMED, async () => {
    await history.page(room.id, { afterSeq: 0, beforeSeq: randomCursor(), limit: PAGE_SIZE, from: 'newest' });
  });
  db.close();
  report({
    bench: 'messaging.history_page',
    value: overHttp.p99,
    unit: 'ms (p99)',
    p50: overHttp.p50,
    p99: overHttp.p99,
    via: 'http GET /api/rooms/:id/messages?before=<random>&limit=50, one request at a time',
    repositoryP50: inRepository.p50,
    repositoryP99: inRepository.p99,
    pages: PAGES_TIMED,
    roomMessages: HISTORY_SIZE,
    seededInSeconds: round(seededIn),
    projectorsCaughtUpInSeconds: round(caughtUpIn),
  });
}

async function rebuildBench(dataDir: string): Promise<void> {
  const infrastructure = new Infrastructure(loadConfig('bench', { DATA_DIR: dataDir }), createLogger({ serviceName: 'bench', level: 'silent' }));
  try {
    const model = findReadModel(ROOMS_READ_MODEL);
    if (!model) throw new Error('no rooms read model in the catalogue');
    const eventStore = await infrastructure.eventStore();
    const processor = new ProjectionProcessor({
      eventStore,
      store: await model.projectionStore(infrastructure),
      projection: await model.projection(infrastructure, REBUILD_GENERATION),
      logger: infrastructure.logger,
    });
    const startedAt = process.hrtime.bigint();
    processor.start();
    await processor.waitUntilCaughtUp();
    const events = processor.eventsProcessed;
    const rate = perSecond(events, startedAt);
    await processor.stop();
    await model.drop(infrastructure, REBUILD_GENERATION);
    report({ bench: 'projection.rebuild', value: rate, unit: 'events/s', events, projection: ROOMS_READ_MODEL, readStore: 'sqlite' });
  } finally {
    await infrastructure.close();
  }
}

async function timed(times: number, run: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const startedAt = process.hrtime.bigint();
    await run();
    durations.push(Number(process.hrtime.bigint() - startedAt) / 1e6);
  }
  durations.sort((a, b) => a - b);
  const at = (fraction: number) => round(durations[Math.min(durations.length - 1, Math.floor(durations.length * fraction))]!);
  return { p50: at(0.5), p99: at(0.99) };
}

