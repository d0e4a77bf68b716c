// `npm start`'s process (the compiled embedded/dist/main.js: `npm run build` first, npm test does), whose
// projectors and realtime endpoint run on a worker thread: what the projectors write there must reach the main
// thread's read side and what they publish the WebSockets; presence must cross between realtime there and the
// presence consumer on the main thread, and the sessions kept on the main thread must be seen there; the thread's
// metrics must reach /metrics, and a stop must store the projections' checkpoints for the next start.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ServiceProcess, startServiceProcess } from '@chat/platform';
import { readModels } from '@chat/projectors';
import WebSocket from 'ws';

const entry = path.resolve(__dirname, '../dist/main.js');

interface Person {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

interface Frame {
  readonly type: string;
  readonly roomId?: string;
  readonly seq?: number;
  readonly data?: Record<string, unknown>;
}

async function until<T>(find: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `name{projection="…"} value` samples of /metrics, by projection. */
function samplesByProjection(metrics: string, name: string): Map<string, number> {
  return new Map([...metrics.matchAll(new RegExp(`^${name}\\{projection="([^"]+)"\\} (\\d+)$`, 'gm'))].map((match) => [match[1]!, Number(match[2])]));
}

describe('the embedded app with its projectors and realtime on a worker thread', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-embedded-'));
  let app: ServiceProcess | undefined;
  const sockets: WebSocket[] = [];
  const projections = readModels.map((model) => `${model.name}@1`);

  async function start(): Promise<ServiceProcess> {
    const started = await startServiceProcess(entry, { DATA_DIR: dataDir, REALTIME_PORT: '0', RATE_LIMIT_REGISTER_PER_IP: '1000/60' });
    app = started;
    await until(() => started.logs.find((line) => line.msg === 'chat is running (embedded)'), 'the app started');
    return started;
  }

  async function call<T>(method: string, url: string, as?: Person, body?: unknown): Promise<T> {
    const response = await fetch(`${app!.url}${url}`, {
      method,
      headers: { connection: 'close', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(as ? { authorization: `Bearer ${as.token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  const metrics = async () => (await fetch(`${app!.url}/metrics`, { headers: { connection: 'close' } })).text();

  /** The metrics once every projection has applied the whole log. */
  const caughtUpMetrics = () =>
    until(async () => {
      const text = await metrics();
      const lags = samplesByProjection(text, 'projection_lag_events');
      return projections.every((projection) => lags.get(projection) === 0) ? text : undefined;
    }, 'every projection caught up');

  const password = 'correct horse battery staple';

  async function register(name: string): Promise<Person> {
    const username = `${name}_${randomUUID().slice(0, 8)}`;
    const { user, accessToken } = await call<{ user: { id: string }; accessToken: string }>('POST', '/api/auth/register', undefined, { username, password });
    return { id: user.id, username, token: accessToken };
  }

  /** A new session: embedded mode keeps the live sessions in memory, so a restart ends the old ones. */
  async function logIn(person: Person): Promise<Person> {
    const { accessToken } = await call<{ accessToken: string }>('POST', '/api/auth/login', undefined, { username: person.username, password });
    return { ...person, token: accessToken };
  }

  /** A WebSocket of `person` to the endpoint `GET /api/config` advertises. */
  async function openSocket(person: Person): Promise<WebSocket> {
    const { wsUrl } = await call<{ wsUrl: string }>('GET', '/api/config');
    return new WebSocket(`ws://127.0.0.1:${new URL(wsUrl).port}/ws?token=${person.token}`);
  }

  /** A WebSocket of `person`, joined to their rooms, keeping what it receives. */
  async function connect(person: Person): Promise<Frame[]> {
    const socket = await openSocket(person);
    sockets.push(socket);
    const frames: Frame[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
    await once(socket, 'open');
    // The pong to a first ping says the server has joined the socket to its user's rooms.
    socket.send(JSON.stringify({ type: 'ping' }));
    await until(() => frames.find((frame) => frame.type === 'pong'), 'the first pong');
    return frames;
  }

  const sendMessage = async (author: Person, roomId: string, text: string) =>
    (await call<{ message: { seq: number } }>('POST', `/api/rooms/${roomId}/messages`, author, { clientMessageId: randomUUID(), text })).message.seq;

  const history = async (reader: Person, roomId: string) =>
    (await call<{ messages: { seq: number; text: string }[] }>('GET', `/api/rooms/${roomId}/messages`, reader)).messages.map(({ seq, text }) => ({ seq, text }));

  let ann: Person;
  let bob: Person;
  let roomId: string;

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await app?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes what the thread’s projectors publish to its WebSockets, and the main thread serves what they wrote', async () => {
    await start();
    [ann, bob] = [await register('ann'), await register('bob')];
    const bobsFrames = await connect(bob);

    ({
      room: { id: roomId },
    } = await call<{ room: { id: string } }>('POST', '/api/rooms', ann, { name: 'threads', memberIds: [bob.id] }));
    await until(() => bobsFrames.find((frame) => frame.type === 'member.joined' && frame.roomId === roomId), 'bob is told he joined the room');
    const seq = await sendMessage(ann, roomId, 'hello from the main thread');

    const pushed = await until(() => bobsFrames.find((frame) => frame.type === 'message.created' && frame.roomId === roomId), 'the message is pushed to bob');
    expect(pushed).toMatchObject({ seq, data: { text: 'hello from the main thread', authorId: ann.id } });
    expect(await history(bob, roomId)).toEqual([{ seq, text: 'hello from the main thread' }]);
  }, 30_000);

  it('tells bob when ann comes online and goes offline: her connection reported on the thread, her presence decided on the main thread', async () => {
    const bobsFrames = await connect(bob);
    const presenceOf = (online: boolean) => () => bobsFrames.find((frame) => frame.type === 'presence' && frame.data?.userId === ann.id && frame.data?.online === online);

    const annsSocket = await openSocket(ann);
    await once(annsSocket, 'open');
    await until(presenceOf(true), 'bob is told ann is online');
    expect((await call<{ online: boolean }>('GET', `/api/users/${ann.id}`, bob)).online).toBe(true);

    annsSocket.close();
    await until(presenceOf(false), 'bob is told ann is offline');
  }, 30_000);

  it('refuses on the thread’s WebSocket endpoint a session that ended on the main thread', async () => {
    const leaving = await logIn(ann);
    await call('POST', '/api/auth/logout', leaving);

    const socket = await openSocket(leaving);
    const [code] = (await once(socket, 'close')) as [number];

    expect(code).toBe(4401);
  });

  it('shows the projections of the thread in /metrics, once each, and their stores in readiness', async () => {
    const text = await caughtUpMetrics();

    expect([...samplesByProjection(text, 'projection_lag_events').keys()].sort()).toEqual([...projections].sort());
    expect(samplesByProjection(text, 'projection_events_processed_total').get('rooms@1')).toBeGreaterThan(0);
    expect(samplesByProjection(text, 'projection_failed').get('rooms@1')).toBe(0);
    expect(text.match(/^# TYPE projection_lag_events /gm)).toHaveLength(1);
    expect(text.match(/^process_cpu_user_seconds_total /gm)).toHaveLength(1);
    const ready = await fetch(`${app!.url}/health/ready`, { headers: { connection: 'close' } });
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks).toContainEqual({ name: 'changes thread', ok: true });
    // Realtime's metrics come from the thread, once.
    expect(text.match(/^# TYPE realtime_websocket_connections /gm)).toHaveLength(1);
  });

  it('stops with exit code 0 on SIGTERM, and a restart goes on from the checkpoints the stop stored', async () => {
    // Caught up from position 0, each projection has processed the whole log so far.
    const processedBefore = samplesByProjection(await caughtUpMetrics(), 'projection_events_processed_total');
    for (const socket of sockets.splice(0)) socket.terminate();

    const ended = await app!.stop('SIGTERM');
    expect(ended).toMatchObject({ code: 0, signal: null });
    expect(ended.afterMs).toBeLessThan(5000);
    expect(app!.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);

    const restarted = await start();
    // Processed since the restart: only what was appended after the stop, had the checkpoints not been stored the whole log again.
    const processedAfter = samplesByProjection(await caughtUpMetrics(), 'projection_events_processed_total');
    for (const projection of projections) expect(processedAfter.get(projection) ?? 0).toBeLessThan(processedBefore.get(projection)!);
    [ann, bob] = [await logIn(ann), await logIn(bob)];
    const bobsFrames = await connect(bob);
    const seq = await sendMessage(ann, roomId, 'after the restart');
    await until(() => bobsFrames.find((frame) => frame.type === 'message.created' && frame.seq === seq), 'the second message is pushed to bob');
    expect(await history(bob, roomId)).toEqual([
      { seq: 1, text: 'hello from the main thread' },
      { seq: 2, text: 'after the restart' },
    ]);
    expect(restarted.logs.some((line) => line.thread === 'changes' && line.msg === 'projection started')).toBe(true);
  }, 60_000);
});
