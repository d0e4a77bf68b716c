// Two realtime processes side by side on one redis-server, as the distributed deployment runs them (the
// gateway would spread the clients): command-api and projectors as processes too, sharing one SQLite event
// store and read models, so that what a client receives went through the whole path, Redis change feed included.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeIntegration, generateKeyVariables, type ServiceProcess, startServiceProcess } from '@chat/platform';
import WebSocket from 'ws';
import { type Frame, TestClient } from './testing/websocket-test-client';

const distOf = (service: string) => path.resolve(__dirname, `../../${service}/dist/main.js`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

interface Person {
  readonly id: string;
  readonly token: string;
}

describeIntegration('realtime across two nodes', 'redis', (redisUrl) => {
  let dataDir: string;
  let commandApi: ServiceProcess;
  let projectors: ServiceProcess;
  const nodes: ServiceProcess[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-realtime-cluster-'));
    const env = {
      DATA_DIR: dataDir,
      REDIS_URL: redisUrl,
      ...(await generateKeyVariables()),
      // Every test run on this machine registers from 127.0.0.1, and the counts live in the shared Redis.
      RATE_LIMIT_REGISTER_PER_IP: '100000/60',
    };
    // One after the other: the first creates the SQLite files the next ones open.
    commandApi = await startServiceProcess(distOf('command-api'), env);
    projectors = await startServiceProcess(distOf('projectors'), env);
    nodes.push(await startServiceProcess(distOf('realtime'), env), await startServiceProcess(distOf('realtime'), env));
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([...nodes, projectors, commandApi].map((service) => service?.stop('SIGKILL')));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function call<T>(method: string, url: string, token: string | undefined, body?: unknown): Promise<T> {
    const response = await fetch(`${commandApi.url}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async function register(): Promise<Person> {
    const username = `rt_${randomUUID().slice(0, 8)}`;
    const { user, accessToken } = await call<{ user: { id: string }; accessToken: string }>('POST', '/api/auth/register', undefined, {
      username,
      password: 'correct horse battery staple',
    });
    return { id: user.id, token: accessToken };
  }

  async function openRoom(owner: Person, members: readonly Person[]): Promise<string> {
    const { room } = await call<{ room: { id: string } }>('POST', '/api/rooms', owner.token, { name: 'cluster', memberIds: members.map((member) => member.id) });
    return room.id;
  }

  async function send(author: Person, roomId: string, text: string): Promise<number> {
    const { message } = await call<{ message: { seq: number } }>('POST', `/api/rooms/${roomId}/messages`, author.token, { clientMessageId: randomUUID(), text });
    return message.seq;
  }

  /** With cursors, authenticates with the `auth` frame that resumes too, as a reconnecting client does. */
  async function connect(person: Person, node: ServiceProcess, cursors?: Readonly<Record<string, number>>): Promise<TestClient> {
    const query = cursors ? '' : `?token=${person.token}`;
    const client = new TestClient(new WebSocket(`ws://127.0.0.1:${node.port}/ws${query}`));
    clients.push(client);
    await client.open();
    if (cursors) client.send({ type: 'auth', token: person.token, cursors });
    await client.roundTrip();
    return client;
  }

  const seqsIn = (frames: readonly Frame[], roomId: string) =>
    frames.filter((frame) => frame.type === 'message.created' && frame.roomId === roomId).map((frame) => frame.seq);

  it('delivers a message to a member connected to the other node', async () => {
    const [ann, bob] = [await register(), await register()];
    const roomId = await openRoom(ann, [bob]);
    const annOnFirst = await connect(ann, nodes[0]!);
    const bobOnSecond = await connect(bob, nodes[1]!);
    const seq = await send(ann, roomId, 'across nodes');
    const received = await bobOnSecond.next((frame) => frame.type === 'message.created' && frame.roomId === roomId, 20_000);
    expect(received).toMatchObject({ roomId, seq, data: { text: 'across nodes', authorId: ann.id } });
    await annOnFirst.next((frame) => frame.type === 'message.created' && frame.seq === seq, 20_000);
  });

  it('delivers a room to a member added, at once, and nothing more once removed, without reconnecting', async () => {
    const [ann, bob, dave] = [await register(), await register(), await register()];
    const roomId = await openRoom(ann, [bob]);
    const bobOnSecond = await connect(bob, nodes[1]!);
    const daveOnSecond = await connect(dave, nodes[1]!);
    /** Once bob, on dave's node, has the message, dave has it too if it was sent to him. */
    const sentAndSeen = async (text: string) => {
      const seq = await send(ann, roomId, text);
      await bobOnSecond.next((frame) => frame.type === 'message.created' && frame.seq === seq, 20_000);
      await daveOnSecond.roundTrip();
    };
    const textsOfDave = () => daveOnSecond.frames.filter((frame) => frame.type === 'message.created').map((frame) => frame.data?.text);

    await sentAndSeen('before dave');
    await call('POST', `/api/rooms/${roomId}/members`, ann.token, { userId: dave.id });
    await daveOnSecond.next((frame) => frame.type === 'member.joined' && frame.roomId === roomId, 20_000);
    await sentAndSeen('while dave is in');
    await call('DELETE', `/api/rooms/${roomId}/members/${dave.id}`, ann.token);
    await daveOnSecond.next((frame) => frame.type === 'member.left' && frame.roomId === roomId, 20_000);
    await sentAndSeen('after dave');
    expect(textsOfDave()).toEqual(['while dave is in']);
  });

  it('shows a user with several tabs on both nodes online until the last tab closes', async () => {
    const [ann, carl] = [await register(), await register()];
    const annWatching = await connect(ann, nodes[0]!);
    const roomId = await openRoom(ann, [carl]);
    // Presence goes to the people the read models say share a room with carl: once ann is told of the room,
    // its membership is committed there (before that, carl coming online would reach nobody).
    await annWatching.next((frame) => frame.type === 'room.created' && frame.roomId === roomId, 20_000);
    const presenceOfCarl = () => annWatching.frames.filter((frame) => frame.type === 'presence' && frame.data?.userId === carl.id).map((frame) => frame.data?.online);
    const tabs = [await connect(carl, nodes[0]!), await connect(carl, nodes[1]!), await connect(carl, nodes[1]!)];
    await until(() => presenceOfCarl().length > 0, 'carl shown online');
    for (const tab of tabs.slice(0, 2)) {
      tab.close();
      await tab.closed;
      // Longer than command-api's offline grace (OFFLINE_GRACE_MS): an early offline would be here by now.
      await pause(2_500);
      expect(presenceOfCarl()).toEqual([true]);
    }
    const lastClosedAt = Date.now();
    tabs[2]!.close();
    await until(() => presenceOfCarl().length === 2, 'carl shown offline');
    expect(presenceOfCarl()).toEqual([true, false]);
    const offline = annWatching.frames.find((frame) => frame.type === 'presence' && frame.data?.online === false);
    expect(Date.parse(String(offline?.data?.lastSeenAt))).toBeGreaterThanOrEqual(lastClosedAt - 1000);
  }, 30_000);

  it('lets the clients of a node that dies resume on the other without losing or repeating a message', async () => {
    const [ann, bob] = [await register(), await register()];
    const roomId = await openRoom(ann, [bob]);
    const [survivor, doomed] = [nodes[0]!, nodes[1]!];
    const first = await connect(bob, doomed);
    // Ann's frames on the surviving node tell when a message is in the read models (projectors publish after their commit).
    const annOnSurvivor = await connect(ann, survivor);
    // Bob reconnects to the surviving node once his connection has dropped and a few messages were sent and
    // projected meanwhile, resuming from the last seq he holds; the rest are sent while he reconnects and catches up.
    const away = annOnSurvivor.next((frame) => frame.type === 'message.created' && frame.seq === 15, 20_000);
    const second = first.closed
      .then(() => away)
      .then(() => connect(bob, survivor, { [roomId]: Math.max(0, ...seqsIn(first.frames, roomId).map(Number)) }));
    const total = 40;
    for (let i = 1; i <= total; i++) {
      await send(ann, roomId, `message ${i}`);
      if (i === 10) await doomed.stop('SIGKILL');
    }
    const resumed = await second;
    await resumed.next((frame) => frame.type === 'message.created' && frame.seq === total, 20_000);
    await resumed.roundTrip();
    expect([...seqsIn(first.frames, roomId), ...seqsIn(resumed.frames, roomId)]).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    const caughtUp = seqsIn(resumed.frames.slice(0, resumed.frames.findIndex((frame) => frame.type === 'resumed')), roomId);
    expect(caughtUp).toEqual(expect.arrayContaining([11, 12, 13, 14, 15]));
  }, 60_000);
});
