// `npm run bench -- realtime`: WebSocket delivery of the embedded app, and the same loads against a
// minimal Socket.IO broadcast server for comparison.
//   realtime.e2e      1,000 connected clients in 50 rooms of 20; messages sent through the HTTP command path
//                     (POST → append → projectors → change feed → realtime) at increasing rates; for each
//                     rate the p50/p99 of send→deliver over every frame delivered; the value is the highest
//                     rate sustained (sent at the rate offered, every frame delivered, p99 ≤ 100 ms); two
//                     ladders per server, taken in turns with Socket.IO's, and the value is their mean
//   realtime.fanout   one room of 5,000 connected members, the same ladder in messages/s; the value is the
//                     deliveries/s of the highest rate sustained (p99 ≤ 1 s there: see FANOUT_RULE)
//   realtime.idle     20,000 authenticated connections (or as many as the server's open-files limit allows,
//                     extrapolated) held idle on the one node: its RSS
//   realtime.{e2e,fanout}.socketio, realtime.{e2e,fanout}.ratio   the same loads against socketio-server.ts
// A step's latency is measured on the machine's monotonic clock: the sender stamps the message text with
// it, each receiving client subtracts it from its own reading when the frame arrives.
//
// Users: registering runs argon2 (19 MiB, 2 passes), tens of milliseconds of a core each, so 20,000
// registrations would take most of the run. One user registers over HTTP; the others are seeded the way
// messaging.bench.ts seeds history: the events the Identity deciders decide for a registration
// (UsernameClaimed, UserRegistered, SessionStarted, with that user's argon2 hash and a refresh token the
// bench made) are appended to the event store, and each user then refreshes that token over HTTP, the
// real path that issues an access token and marks its session live. Every connection is a user of its
// own. Rooms are created over HTTP (500 members at creation, the rest of the 5,000 added one by one).
//
// The load generator is LOAD_PROCESSES processes (realtime-load.worker.ts), each holding a share of the
// clients on 127.0.0.x source addresses; every step reports each one's CPU beside the server's, the whole
// machine's and its CPU pressure, so the JSON says whether the generator or the server was at its limit.
//
// REALTIME_BENCH_PHASES=idle,e2e,fanout,socketio (the default: all) runs part of it; REALTIME_BENCH_CPU_PROF=<dir>
// has the embedded server write a V8 CPU profile there when it stops; REALTIME_BENCH_CLIENTS=library uses
// `ws` and socket.io-client rather than the lean clients of websocket-frames.ts; REALTIME_BENCH_LOAD_PROCESSES=<n>
// runs the load generator in n processes instead of DEFAULT_LOAD_PROCESSES (to check that it is not what limits a figure).
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EventToAppend, EMBEDDED_DATABASE_FILE, hashRefreshToken, newRefreshToken, SqliteEventStore } from '@chat/platform';
import {
  type DomainEvent,
  isDomainError,
  userDecider,
  usernameReservationDecider,
  usernameReservationStream,
  userStreamId,
} from '@chat/domain';
import { type EmbeddedServer, type JsonClient, type Person, startEmbeddedServer } from './embedded-server';
import { LatencyHistogram } from './latency-histogram';
import { collapsed, DEFAULT_SUSTAINED_RULE, highestSustainedRate, type LoadStep, type SustainedRule, unsustainedBecause } from './rate-search';
import { type ClientKind, type ClientSpec, monotonicMs, type Protocol, type SendTarget, type WorkerCommand, type WorkerReply } from './realtime-load.worker';
import { report, round } from './report';

const E2E_ROOMS = 50;
const E2E_MEMBERS = 20;
const FANOUT_MEMBERS = 5_000;
const IDLE_CONNECTIONS = 20_000;
/** Three processes beside the server on two cores: more would only queue for the CPU the server needs. */
const DEFAULT_LOAD_PROCESSES = 3;
const LOAD_PROCESSES = loadProcesses(process.env.REALTIME_BENCH_LOAD_PROCESSES);
/** 127.0.0.2 … 127.0.0.41: every address of 127.0.0.0/8 is loopback, each with its own ephemeral ports. */
const SOURCE_ADDRESSES = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);
const CONNECT_CONCURRENCY = 50;
/** The lean clients of websocket-frames.ts unless REALTIME_BENCH_CLIENTS=library (`ws`, socket.io-client). */
const CLIENT_KIND: ClientKind = process.env.REALTIME_BENCH_CLIENTS === 'library' ? 'library' : 'lean';
const STEP_SECONDS = 5;
const DRAIN_MS = 3_000;
/** A first step at the lowest rate, not counted: JIT compilation, first folds of the rooms, buffers growing. */
const WARM_UP_SECONDS = 3;
/** e2e ladders per server, taken in turns with the other server's (see realtimeBench). */
const E2E_ROUNDS = 2;
const E2E_RATES = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000];
const FANOUT_RATES = [5, 10, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300, 400, 500];
/** The issue's bound for e2e. */
const E2E_RULE: SustainedRule = DEFAULT_SUSTAINED_RULE;
/**
 * Fan-out asks for throughput, not latency, and one message to 5,000 members is 5,000 sends and 5,000
 * reads, so its last receiver waits for the others: the bound only rules out a backlog growing through
 * the step. The same rule for both servers.
 */
const FANOUT_RULE: SustainedRule = { ...DEFAULT_SUSTAINED_RULE, p99LimitMs: 1_000 };
/** Users whose tokens send into the fan-out room, in turn. */
const FANOUT_SENDERS = 200;
const SETUP_CONCURRENCY = 16;
/** Descriptors the server keeps beside its connections (files, listeners, HTTP keep-alive, epoll). */
const SERVER_FD_RESERVE = 100;

type Phase = 'idle' | 'e2e' | 'fanout' | 'socketio';
const PHASES: readonly Phase[] = ['idle', 'e2e', 'fanout', 'socketio'];

export async function realtimeBench(): Promise<void> {
  const phases = new Set((process.env.REALTIME_BENCH_PHASES?.split(',') ?? PHASES).map((phase) => phase.trim()));
  const generator = await LoadGenerator.start(LOAD_PROCESSES);
  let ours: ServerUnderTest | undefined;
  let theirs: ServerUnderTest | undefined;
  try {
    ours = phases.has('idle') || phases.has('e2e') || phases.has('fanout') ? await startOurs(generator, phases) : undefined;
    theirs = phases.has('socketio') ? await startSocketIo() : undefined;

    // The e2e ladders of the two servers take turns, so that a spell of the shared machine's noise (it moves
    // either server's figure by a third from one run to the next) falls on both, and each figure is the mean
    // of its rounds.
    const e2eRounds: { ours: LadderResult[]; theirs: LadderResult[] } = { ours: [], theirs: [] };
    for (let round = 1; round <= E2E_ROUNDS; round++) {
      if (ours && phases.has('e2e')) {
        e2eRounds.ours.push(await ladder(generator, { ...ours.e2e, name: `${ours.e2e.name}#${round}` }));
        await ours.settle();
      }
      if (theirs) e2eRounds.theirs.push(await ladder(generator, { ...theirs.e2e, name: `${theirs.e2e.name}#${round}` }));
    }
    if (e2eRounds.ours.length > 0) reportE2e('realtime.e2e', e2eRounds.ours, { server: 'embedded app (HTTP command → SQLite append → projectors → change feed → uWS)', persisted: true });
    if (e2eRounds.theirs.length > 0) reportE2e('realtime.e2e.socketio', e2eRounds.theirs, { server: 'minimal Socket.IO 4 broadcast (HTTP POST → io.to(room).emit)', persisted: false });

    const oursFanout = ours && phases.has('fanout') ? await ladder(generator, ours.fanout) : undefined;
    if (ours && oursFanout) reportFanout('realtime.fanout', oursFanout, { server: 'embedded app', persisted: true, ...(await ours.fanoutDetails()) });
    const theirsFanout = theirs ? await ladder(generator, theirs.fanout) : undefined;
    if (theirsFanout) reportFanout('realtime.fanout.socketio', theirsFanout, { server: 'minimal Socket.IO 4 broadcast', persisted: false });

    if (!ours || !theirs) return;
    const figures = {
      e2e: { ours: figuresOf(e2eRounds.ours, 'rate'), theirs: figuresOf(e2eRounds.theirs, 'rate') },
      fanout: { ours: figuresOf(oursFanout ? [oursFanout] : [], 'deliveries'), theirs: figuresOf(theirsFanout ? [theirsFanout] : [], 'deliveries') },
    };
    const ratio = (a: number, b: number) => (a > 0 && b > 0 ? round(a / b) : null);
    for (const [name, measure] of [['e2e', 'messages/s in'], ['fanout', 'deliveries/s']] as const) {
      const { ours: a, theirs: b } = figures[name];
      report({
        bench: `realtime.${name}.ratio`,
        // null in the JSON when either side sustained no rate at all (NaN prints as null).
        value: ratio(a.sustained, b.sustained) ?? Number.NaN,
        unit: 'ours/socket.io',
        measure: `${measure}, highest sustained (p99 ≤ ${(name === 'e2e' ? E2E_RULE : FANOUT_RULE).p99LimitMs} ms)${name === 'e2e' ? `, the mean of ${E2E_ROUNDS} rounds taken in turns` : ''}`,
        ours: a.sustained,
        socketIo: b.sustained,
        carriedRatio: ratio(a.carried, b.carried),
        carried: { measure: `${measure}, highest with everything delivered and p99 ≤ 2 s`, ours: a.carried, socketIo: b.carried },
        serverCpu: {
          measure: name === 'e2e' ? 'server CPU ms per message, at the highest rate carried' : 'server CPU µs per delivery, at the highest rate carried',
          ours: a.serverCpuCost,
          socketIo: b.serverCpuCost,
        },
      });
    }
  } finally {
    // Every process ends whatever happened; one that failed to fails the run.
    for (const outcome of await Promise.allSettled([ours?.stop(), theirs?.stop(), generator.stop()])) {
      if (outcome.status === 'fulfilled') continue;
      process.stderr.write(`realtime: stopping a process failed: ${String(outcome.reason)}\n`);
      process.exitCode = 1;
    }
  }
}

interface Figure {
  /** Means over the ladders (one per round) of the highest rate sustained and of the highest carried. */
  readonly sustained: number;
  readonly carried: number;
  /** The server's CPU per message (e2e, ms) or per delivery (fan-out, µs) at the highest rate carried, averaged likewise. */
  readonly serverCpuCost: number;
}

/** A server the ladders run against: its e2e and fan-out loads, and its end. */
interface ServerUnderTest {
  readonly e2e: LadderOptions;
  readonly fanout: LadderOptions;
  /** Waits until the server has handled the closes of the last ladder's clients. */
  settle(): Promise<void>;
  /** What the fan-out's JSON line adds about the server. */
  fanoutDetails(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The embedded app with its users and rooms in place, and, when asked for, the idle phase measured. */
async function startOurs(generator: LoadGenerator, phases: ReadonlySet<string>): Promise<ServerUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-bench-realtime-'));
  const unlimited = '1000000/60';
  const server = await startEmbeddedServer(dataDir, {
    raiseFileLimit: true,
    maxSockets: SETUP_CONCURRENCY * 2,
    env: { RATE_LIMIT_REFRESH_PER_IP: unlimited, RATE_LIMIT_LOGIN_PER_IP: unlimited, RATE_LIMIT_REGISTER_PER_IP: unlimited },
    ...(process.env.REALTIME_BENCH_CPU_PROF ? { nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${process.env.REALTIME_BENCH_CPU_PROF}`] } : {}),
  });
  const stop = async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const users = await createUsers(server, dataDir, phases.has('idle') ? IDLE_CONNECTIONS : FANOUT_MEMBERS);
    const e2eRooms = await createE2eRooms(server.client, users);
    const fanoutRoom = await createRoom(server.client, users[0]!, users.slice(1, FANOUT_MEMBERS));
    await waitForProjections(server.client);

    if (phases.has('idle')) {
      await idleBench(server, generator, users);
      await settleAfterDisconnects(server.client);
    }

    const chatUrl = `ws://127.0.0.1:${server.realtimePort}/ws`;
    const e2eTargets = e2eRooms.flatMap((room) => room.members.map((member) => ({ roomId: room.id, token: member.token })));
    return {
      e2e: {
        name: 'realtime.e2e',
        protocol: 'chat',
        url: chatUrl,
        clients: e2eRooms.flatMap((room) => room.members.map((member) => ({ token: member.token }))),
        httpPort: server.port,
        targets: shuffled(e2eTargets),
        deliveriesPerMessage: E2E_MEMBERS,
        rates: E2E_RATES,
        rule: E2E_RULE,
        serverPid: server.pid,
      },
      fanout: {
        name: 'realtime.fanout',
        protocol: 'chat',
        url: chatUrl,
        clients: users.slice(0, FANOUT_MEMBERS).map((user) => ({ token: user.token })),
        httpPort: server.port,
        targets: users.slice(0, FANOUT_SENDERS).map((user) => ({ roomId: fanoutRoom, token: user.token })),
        deliveriesPerMessage: FANOUT_MEMBERS,
        rates: FANOUT_RATES,
        rule: FANOUT_RULE,
        serverPid: server.pid,
      },
      settle: () => settleAfterDisconnects(server.client),
      fanoutDetails: async () => ({ slowConsumersDropped: await metric(server.client, 'realtime_slow_consumers_dropped_total') }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** socketio-server.ts in a process of its own, with the same loads as ours (rooms of its own, no users). */
async function startSocketIo(): Promise<ServerUnderTest> {
  const child = fork(path.join(__dirname, 'socketio-server.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', () => reject(new Error('the Socket.IO server did not start')));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const url = `http://127.0.0.1:${port}`;
  const rooms = Array.from({ length: E2E_ROOMS }, () => randomUUID());
  const fanoutRoom = randomUUID();
  return {
    e2e: {
      name: 'realtime.e2e.socketio',
      protocol: 'socketio',
      url,
      clients: rooms.flatMap((room) => Array.from({ length: E2E_MEMBERS }, () => ({ rooms: [room] }))),
      httpPort: port,
      targets: shuffled(rooms.flatMap((roomId) => Array.from({ length: E2E_MEMBERS }, () => ({ roomId, token: 'none' })))),
      deliveriesPerMessage: E2E_MEMBERS,
      rates: E2E_RATES,
      rule: E2E_RULE,
      serverPid: child.pid!,
    },
    fanout: {
      name: 'realtime.fanout.socketio',
      protocol: 'socketio',
      url,
      clients: Array.from({ length: FANOUT_MEMBERS }, () => ({ rooms: [fanoutRoom] })),
      httpPort: port,
      targets: [{ roomId: fanoutRoom, token: 'none' }],
      deliveriesPerMessage: FANOUT_MEMBERS,
      rates: FANOUT_RATES,
      rule: FANOUT_RULE,
      serverPid: child.pid!,
    },
    // Its closes cost it nothing worth waiting for.
    settle: async () => undefined,
    fanoutDetails: async () => ({}),
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------
// Users and rooms

interface SeededUser {
  readonly id: string;
  readonly refreshToken: string;
}

async function createUsers(server: EmbeddedServer, dataDir: string, count: number): Promise<Person[]> {
  const startedAt = process.hrtime.bigint();
  const registered = await server.client.register();
  const store = SqliteEventStore.open(path.join(dataDir, EMBEDDED_DATABASE_FILE));
  let seeded: SeededUser[];
  try {
    const registration = (await store.readStream(userStreamId(registered.id))).find((event) => event.type === 'UserRegistered');
    const passwordHash = (registration?.data as { passwordHash?: string } | undefined)?.passwordHash;
    if (!passwordHash) throw new Error('the registered user has no password hash in their stream');
    seeded = await seedUsers(store, count - 1, passwordHash);
  } finally {
    await store.close();
  }
  const seededIn = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const refreshedAt = process.hrtime.bigint();
  const refreshed = await inTurns(seeded, SETUP_CONCURRENCY, async (user) => {
    const tokens = await server.client.call<{ accessToken: string }>('POST', '/api/auth/refresh', undefined, { refreshToken: user.refreshToken }, 200);
    return { id: user.id, token: tokens.accessToken };
  });
  process.stderr.write(`realtime: ${count} users (${round(seededIn)} s to seed, ${round(Number(process.hrtime.bigint() - refreshedAt) / 1e9)} s to refresh over HTTP)\n`);
  return [registered, ...refreshed];
}

/** The events a registration appends, decided by the domain itself, without its argon2 hash. */
async function seedUsers(store: SqliteEventStore, count: number, passwordHash: string): Promise<SeededUser[]> {
  const at = new Date().toISOString();
  const users: SeededUser[] = [];
  for (let i = 0; i < count; i++) {
    const userId = randomUUID();
    const username = `rt_${process.pid}_${i}`;
    const refreshToken = newRefreshToken(userId);
    const claimed = usernameReservationDecider.decide({ type: 'ClaimUsername', username, userId, at }, usernameReservationDecider.initialState);
    const registered = userDecider.decide(
      { type: 'RegisterUser', userId, username, passwordHash, sessionId: randomUUID(), refreshTokenHash: hashRefreshToken(refreshToken), userAgent: 'realtime bench', ip: '127.0.0.1', at },
      userDecider.initialState,
    );
    if (isDomainError(claimed) || isDomainError(registered)) throw new Error(`seeding ${username}: ${JSON.stringify(isDomainError(claimed) ? claimed : registered)}`);
    await store.appendToStream(usernameReservationStream(username), toAppend(claimed, userId), { expectedRevision: 'no_stream' });
    await store.appendToStream(userStreamId(userId), toAppend(registered, userId), { expectedRevision: 'no_stream' });
    users.push({ id: userId, refreshToken });
  }
  return users;
}

function toAppend(events: readonly DomainEvent[], actorId: string): EventToAppend[] {
  return events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata: { actorId } }));
}

interface Room {
  readonly id: string;
  readonly members: readonly Person[];
}

async function createE2eRooms(client: JsonClient, users: readonly Person[]): Promise<Room[]> {
  return inTurns(
    Array.from({ length: E2E_ROOMS }, (_, i) => users.slice(i * E2E_MEMBERS, (i + 1) * E2E_MEMBERS)),
    SETUP_CONCURRENCY,
    async (members) => ({ id: await createRoom(client, members[0]!, members.slice(1)), members }),
  );
}

/** A group room of `owner` and `others`: up to the 500 the creation takes at once, the rest added one by one. */
async function createRoom(client: JsonClient, owner: Person, others: readonly Person[]): Promise<string> {
  const initial = others.slice(0, 500);
  const { room } = await client.call<{ room: { id: string } }>('POST', '/api/rooms', owner, { name: `Bench ${others.length + 1}`, memberIds: initial.map((p) => p.id) });
  await inTurns(others.slice(initial.length), SETUP_CONCURRENCY, (member) => client.call('POST', `/api/rooms/${room.id}/members`, owner, { userId: member.id }, 204));
  return room.id;
}

/**
 * Until every projection has applied the whole log and nothing new has come for `quietSeconds`, so that
 * no catching up runs beside a measurement.
 */
async function waitForProjections(client: JsonClient, quietSeconds = 1): Promise<void> {
  const startedAt = Date.now();
  let previous = '';
  let quiet = 0;
  for (;;) {
    const text = await client.text('/metrics');
    const lags = [...text.matchAll(/^projection_lag_events\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
    const processed = [...text.matchAll(/^projection_events_processed_total\{[^}]*\} (\d+)/gm)].map((m) => m[1]).join(',');
    quiet = processed === previous ? quiet + 1 : 0;
    if (lags.length > 0 && lags.every((lag) => lag === 0) && quiet >= quietSeconds) break;
    previous = processed;
    if (Date.now() - startedAt > 300_000) throw new Error('the projections did not catch up within 5 minutes');
    await sleep(1_000);
  }
  process.stderr.write(`realtime: projections caught up (${round((Date.now() - startedAt) / 1000)} s)\n`);
}

/**
 * Users whose last connection closed go offline a little later (2 s of grace), each with a
 * `UserWentOffline` event that the projections then apply: after a phase's clients leave, thousands of
 * them. The next phase starts once the projections have been idle for longer than that grace, so that
 * it measures its own load only.
 */
function settleAfterDisconnects(client: JsonClient): Promise<void> {
  return waitForProjections(client, 5);
}

async function metric(client: JsonClient, name: string): Promise<number> {
  const text = await client.text('/metrics');
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

// ---------------------------------------------------------------------------------------------------
// Idle connections

async function idleBench(server: EmbeddedServer, generator: LoadGenerator, users: readonly Person[]): Promise<void> {
  // One socket per connection: as many as the server's open-files limit leaves room for.
  const fileLimit = openFilesLimit(server.pid);
  const connections = Math.min(IDLE_CONNECTIONS, users.length, fileLimit - openFiles(server.pid) - SERVER_FD_RESERVE);
  const url = `ws://127.0.0.1:${server.realtimePort}/ws`;
  const half = Math.floor(connections / 2);
  // Two points, so that what the set-up left in the heap is not counted per connection: RSS at half the
  // connections and at all of them.
  const startedAt = Date.now();
  const atHalf = await generator.connect('chat', url, users.slice(0, half).map((user) => ({ token: user.token })));
  const rssAtHalf = await settledRssMb(server.pid);
  const connected = atHalf + (await generator.connect('chat', url, users.slice(half, connections).map((user) => ({ token: user.token }))));
  const connectSeconds = (Date.now() - startedAt) / 1000;
  const rss = await settledRssMb(server.pid);
  const perConnectionKb = ((rss - rssAtHalf) * 1024) / (connected - atHalf);
  await generator.disconnect();
  report({
    bench: 'realtime.idle',
    value: round(connected >= IDLE_CONNECTIONS ? rss : rss + (Math.max(0, perConnectionKb) * (IDLE_CONNECTIONS - connected)) / 1024),
    unit: `MB RSS at ${IDLE_CONNECTIONS} connections`,
    connectionsMeasured: connected,
    rssMeasuredMB: round(rss),
    [`rssAt${atHalf}MB`]: round(rssAtHalf),
    perConnectionKB: round(perConnectionKb),
    ...(connected < IDLE_CONNECTIONS
      ? { extrapolated: `the server's open-files limit (${fileLimit}, the hard limit here) leaves room for ${connected} sockets: the value adds ${IDLE_CONNECTIONS - connected} × perConnectionKB` }
      : {}),
    distinctUsers: connected,
    connectSeconds: round(connectSeconds),
    loadAverage: os.loadavg().map(round),
  });
}

/** The server's RSS once its connections have settled: the largest of five samples a second apart. */
async function settledRssMb(pid: number): Promise<number> {
  await sleep(3_000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMb(pid));
    await sleep(1_000);
  }
  return Math.max(...samples);
}

// ---------------------------------------------------------------------------------------------------
// Rate ladders

interface LadderOptions {
  readonly name: string;
  readonly protocol: Protocol;
  readonly url: string;
  readonly clients: readonly ClientSpec[];
  readonly httpPort: number;
  readonly targets: readonly SendTarget[];
  readonly deliveriesPerMessage: number;
  readonly rates: readonly number[];
  readonly rule: SustainedRule;
  readonly serverPid: number;
}

interface MeasuredStep extends LoadStep {
  readonly verdict: string;
  readonly firstSendError?: string;
  /** The server's CPU time over the step per message accepted and per frame delivered: its cost, whoever else used the machine. */
  readonly serverCpuMsPerMessage: number;
  readonly serverCpuMicrosPerDelivery: number;
  readonly answerP99Ms: number;
  readonly serverCpuPct: number;
  readonly generatorCpuPct: number;
  readonly busiestGeneratorProcessCpuPct: number;
  readonly machineBusyPct: number;
  /** The CPU the rest of the machine used meanwhile (other people's work, and this bench's parent), in % of one core. */
  readonly othersCpuPct: number;
  /** The share of the step during which some runnable task of the machine waited for a CPU (/proc/pressure/cpu). */
  readonly cpuPressurePct: number;
  readonly unexpectedCloses: Readonly<Record<string, number>>;
}

interface LadderResult {
  readonly clients: number;
  readonly steps: readonly MeasuredStep[];
  readonly best: MeasuredStep | undefined;
  /** The highest step that had not collapsed: everything sent and delivered, whatever its p99. */
  readonly carried: MeasuredStep | undefined;
  readonly loadAverage: number[];
}

let stepCounter = 0;

async function ladder(generator: LoadGenerator, options: LadderOptions): Promise<LadderResult> {
  const loadAverage = os.loadavg().map(round);
  // On the monotonic clock, which V8's CPU profiles also use: the ladder's part of a profile starts here.
  process.stderr.write(`${options.name}: ${options.clients.length} clients connecting at ${Math.round(monotonicMs())} ms\n`);
  const connected = await generator.connect(options.protocol, options.url, options.clients);
  try {
    await runStep(generator, options, options.rates[0]!, WARM_UP_SECONDS);
    const steps: MeasuredStep[] = [];
    let collapses = 0;
    for (const rate of options.rates) {
      const step = await runStep(generator, options, rate, STEP_SECONDS);
      steps.push(step);
      process.stderr.write(`${options.name}: ${rate}/s ${step.verdict} (p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, server ${step.serverCpuPct} % CPU, generator ${step.generatorCpuPct} %, others ${step.othersCpuPct} %, CPU pressure ${step.cpuPressurePct} %)\n`);
      // Two collapsed steps in a row end the ladder: one may have been a neighbour's burst.
      collapses = collapsed(step, options.rule) ? collapses + 1 : 0;
      if (collapses === 2) break;
      if (collapses === 1) await sleep(2_000);
    }
    const best = highestSustainedRate(steps, options.rule) as MeasuredStep | undefined;
    const carried = steps.filter((step) => !collapsed(step, options.rule)).sort((a, b) => b.rate - a.rate)[0];
    return { clients: connected, steps, best, carried, loadAverage };
  } finally {
    await generator.disconnect();
  }
}

async function runStep(generator: LoadGenerator, options: LadderOptions, rate: number, seconds: number): Promise<MeasuredStep> {
  const step = ++stepCounter;
  const server = processCpuMs(options.serverPid);
  const machine = machineCpu();
  const pressure = cpuPressureMicros();
  const sent = await generator.send(step, rate, seconds * 1000, options.httpPort, options.targets);
  const serverCpuMs = processCpuMs(options.serverPid) - server;
  const machineAfter = machineCpu();
  const pressureMicros = cpuPressureMicros() - pressure;
  const wallMs = Math.max(...sent.map((s) => s.cpu.wallMs));
  const sentCount = sent.reduce((sum, s) => sum + s.sent, 0);
  const failed = sent.reduce((sum, s) => sum + s.failed, 0);
  const expectedDeliveries = sentCount * options.deliveriesPerMessage;
  const drainUntil = Date.now() + DRAIN_MS;
  let collected: Extract<WorkerReply, { kind: 'collected' }>[];
  for (;;) {
    collected = await generator.collect(step);
    if (collected.reduce((sum, c) => sum + c.deliveries, 0) >= expectedDeliveries || Date.now() > drainUntil) break;
    await sleep(100);
  }
  const latency = new LatencyHistogram();
  for (const c of collected) latency.merge(c.latency);
  const answers = new LatencyHistogram();
  for (const s of sent) answers.merge(s.answers);
  const unexpectedCloses: Record<string, number> = {};
  for (const c of collected) for (const [reason, count] of Object.entries(c.unexpectedCloses)) unexpectedCloses[reason] = (unexpectedCloses[reason] ?? 0) + count;
  const generatorCpu = sent.map((s) => (100 * s.cpu.cpuMs) / s.cpu.wallMs);
  const machineBusy = 100 * (1 - (machineAfter.idle - machine.idle) / (machineAfter.total - machine.total));
  const measured: LoadStep = {
    rate,
    durationSeconds: seconds,
    sent: sentCount,
    failed,
    expectedDeliveries,
    deliveries: latency.count,
    p50Ms: round(latency.percentile(0.5)),
    p99Ms: round(latency.percentile(0.99)),
  };
  const problem = sent.find((s) => s.firstError)?.firstError;
  return {
    ...measured,
    verdict: unsustainedBecause(measured, options.rule) ?? 'sustained',
    serverCpuMsPerMessage: sentCount > 0 ? round(serverCpuMs / sentCount) : Number.NaN,
    serverCpuMicrosPerDelivery: latency.count > 0 ? round((1000 * serverCpuMs) / latency.count) : Number.NaN,
    ...(problem ? { firstSendError: problem } : {}),
    answerP99Ms: round(answers.percentile(0.99)),
    serverCpuPct: round((100 * serverCpuMs) / wallMs),
    generatorCpuPct: round(generatorCpu.reduce((a, b) => a + b, 0)),
    busiestGeneratorProcessCpuPct: round(Math.max(...generatorCpu)),
    machineBusyPct: round(machineBusy),
    othersCpuPct: round(Math.max(0, (machineBusy * os.cpus().length) - (100 * serverCpuMs) / wallMs - generatorCpu.reduce((a, b) => a + b, 0))),
    cpuPressurePct: round(pressureMicros / (10 * wallMs)),
    unexpectedCloses,
  };
}

function figureOf(step: MeasuredStep | undefined, what: 'rate' | 'deliveries'): number {
  if (!step) return 0;
  return what === 'rate' ? step.rate : round(step.deliveries / step.durationSeconds);
}

/** Each figure's mean over the ladders; a ladder that sustained nothing counts 0, a cost not measured is left out. */
function figuresOf(results: readonly LadderResult[], what: 'rate' | 'deliveries'): Figure {
  const mean = (values: readonly number[]) => (values.length > 0 ? round(values.reduce((a, b) => a + b, 0) / values.length) : Number.NaN);
  const costs = results
    .map((result) => (what === 'rate' ? result.carried?.serverCpuMsPerMessage : result.carried?.serverCpuMicrosPerDelivery))
    .filter((cost): cost is number => cost !== undefined && Number.isFinite(cost));
  return {
    sustained: results.length > 0 ? mean(results.map((result) => figureOf(result.best, what))) : 0,
    carried: results.length > 0 ? mean(results.map((result) => figureOf(result.carried, what))) : 0,
    serverCpuCost: mean(costs),
  };
}

const stepSummary = (step: MeasuredStep) => ({
  rate: step.rate,
  sent: step.sent,
  p50Ms: step.p50Ms,
  p99Ms: step.p99Ms,
  delivered: `${step.deliveries}/${step.expectedDeliveries}`,
  answerP99Ms: step.answerP99Ms,
  serverCpuPct: step.serverCpuPct,
  serverCpuMsPerMessage: step.serverCpuMsPerMessage,
  serverCpuMicrosPerDelivery: step.serverCpuMicrosPerDelivery,
  generatorCpuPct: step.generatorCpuPct,
  busiestGeneratorProcessCpuPct: step.busiestGeneratorProcessCpuPct,
  machineBusyPct: step.machineBusyPct,
  othersCpuPct: step.othersCpuPct,
  cpuPressurePct: step.cpuPressurePct,
  verdict: step.verdict,
  ...(step.firstSendError ? { firstSendError: step.firstSendError } : {}),
  ...(Object.keys(step.unexpectedCloses).length > 0 ? { unexpectedCloses: step.unexpectedCloses } : {}),
});

function reportE2e(bench: string, rounds: readonly LadderResult[], details: Record<string, unknown>): void {
  report({
    bench,
    value: figuresOf(rounds, 'rate').sustained,
    unit: `messages/s in (highest with p99 ≤ ${E2E_RULE.p99LimitMs} ms, the mean of ${rounds.length} rounds)`,
    clients: rounds[0]?.clients ?? 0,
    rooms: E2E_ROOMS,
    deliveriesPerMessage: E2E_MEMBERS,
    stepSeconds: STEP_SECONDS,
    ...details,
    generator: { processes: LOAD_PROCESSES, sourceAddresses: SOURCE_ADDRESSES.length, clients: CLIENT_KIND },
    rounds: rounds.map((result) => ({
      value: figureOf(result.best, 'rate'),
      p50Ms: result.best?.p50Ms ?? null,
      p99Ms: result.best?.p99Ms ?? null,
      carriedUpTo: result.carried ? { rate: result.carried.rate, p99Ms: result.carried.p99Ms } : null,
      loadAverage: result.loadAverage,
      steps: result.steps.map(stepSummary),
    })),
  });
}

function reportFanout(bench: string, result: LadderResult, details: Record<string, unknown>): void {
  report({
    bench,
    value: figureOf(result.best, 'deliveries'),
    unit: `deliveries/s (highest with p99 ≤ ${FANOUT_RULE.p99LimitMs} ms)`,
    messagesPerSecond: result.best?.rate ?? 0,
    p50Ms: result.best?.p50Ms ?? null,
    p99Ms: result.best?.p99Ms ?? null,
    carriedUpTo: result.carried ? { deliveriesPerSecond: round(result.carried.deliveries / result.carried.durationSeconds), rate: result.carried.rate, p99Ms: result.carried.p99Ms } : null,
    members: result.clients,
    stepSeconds: STEP_SECONDS,
    ...details,
    generator: { processes: LOAD_PROCESSES, sourceAddresses: SOURCE_ADDRESSES.length, clients: CLIENT_KIND },
    loadAverage: result.loadAverage,
    steps: result.steps.map(stepSummary),
  });
}

// ---------------------------------------------------------------------------------------------------
// The load generator's processes

class LoadGenerator {
  private constructor(private readonly workers: readonly WorkerProcess[]) {}

  static async start(processes: number): Promise<LoadGenerator> {
    return new LoadGenerator(Array.from({ length: processes }, () => new WorkerProcess(fork(path.join(__dirname, 'realtime-load.worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))));
  }

  /** Deals the clients out to the processes; answers how many connected, and fails when any did not. */
  async connect(protocol: Protocol, url: string, clients: readonly ClientSpec[]): Promise<number> {
    const replies = await Promise.all(
      this.workers.map((worker, w) =>
        worker.request<'connected'>({
          kind: 'connect',
          protocol,
          client: CLIENT_KIND,
          url,
          clients: clients.filter((_, i) => i % this.workers.length === w),
          localAddresses: rotated(SOURCE_ADDRESSES, w * Math.ceil(SOURCE_ADDRESSES.length / this.workers.length)),
          concurrency: CONNECT_CONCURRENCY,
        }),
      ),
    );
    const failed = replies.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} of ${clients.length} clients could not connect: ${replies.find((r) => r.firstError)?.firstError}`);
    return replies.reduce((sum, r) => sum + r.connected, 0);
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.request<'disconnected'>({ kind: 'disconnect' })));
    // The server notices the closes in its own time: give it that before the next measurement.
    await sleep(2_000);
  }

  /** Every process sends its share of `rate`, each through its own slice of the targets. */
  send(step: number, rate: number, durationMs: number, httpPort: number, targets: readonly SendTarget[]): Promise<Extract<WorkerReply, { kind: 'sent' }>[]> {
    const n = this.workers.length;
    return Promise.all(
      this.workers.map((worker, w) => {
        const share = targets.length >= n ? targets.filter((_, i) => i % n === w) : targets;
        return worker.request<'sent'>({ kind: 'send', step, rate: rate / n, durationMs, httpPort, targets: share });
      }),
    );
  }

  collect(step: number): Promise<Extract<WorkerReply, { kind: 'collected' }>[]> {
    return Promise.all(this.workers.map((worker) => worker.request<'collected'>({ kind: 'collect', step })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.exit()));
  }
}

/** One forked process; at most one command of each kind is outstanding, so a reply is matched by its kind. */
class WorkerProcess {
  private readonly waiting = new Map<string, { resolve(reply: WorkerReply): void; reject(error: Error): void }>();
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    child.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'failed') {
        for (const { reject } of this.waiting.values()) reject(new Error(`a load process failed: ${reply.error}`));
        this.waiting.clear();
        return;
      }
      const waiter = this.waiting.get(reply.kind);
      this.waiting.delete(reply.kind);
      waiter?.resolve(reply);
    });
    child.on('exit', (code) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`a load process exited (${code})`));
      this.waiting.clear();
    });
  }

  request<Kind extends WorkerReply['kind']>(command: WorkerCommand): Promise<Extract<WorkerReply, { kind: Kind }>> {
    const replyKind = { connect: 'connected', disconnect: 'disconnected', send: 'sent', collect: 'collected', exit: '' }[command.kind];
    return new Promise((resolve, reject) => {
      this.waiting.set(replyKind, { resolve: resolve as (reply: WorkerReply) => void, reject });
      this.child.send(command);
    });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ kind: 'exit' } satisfies WorkerCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------
// Processes and the machine, from /proc

/** User + system CPU time of a process so far. */
function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3 of stat(5), utime 14 and stime 15, in clock ticks (100 per second here).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function machineCpu(): { idle: number; total: number } {
  const times = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: times[3]! + times[4]!, total: times.reduce((a, b) => a + b, 0) };
}

/** Microseconds so far during which some runnable task waited for a CPU: the machine's other users show here. */
function cpuPressureMicros(): number {
  try {
    return Number(/^some .* total=(\d+)/m.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function openFilesLimit(pid: number): number {
  const soft = /^Max open files\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
  return Number(soft);
}

function openFiles(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// ---------------------------------------------------------------------------------------------------

async function inTurns<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index]!);
      }
    }),
  );
  return results;
}

/** REALTIME_BENCH_LOAD_PROCESSES, when set: a whole number of processes, at least 1 (a typo must not run a bench with none). */
function loadProcesses(setting: string | undefined): number {
  if (setting === undefined) return DEFAULT_LOAD_PROCESSES;
  const processes = Number(setting);
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`REALTIME_BENCH_LOAD_PROCESSES must be a whole number ≥ 1, got "${setting}"`);
  return processes;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function rotated<T>(items: readonly T[], by: number): T[] {
  return [...items.slice(by % items.length), ...items.slice(0, by % items.length)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
