// The public contract (API.md) through the gateway of the running cluster: every request goes through
// nginx to one of two command-api, two query-api or two realtime instances, which share the stores.
// Reads are eventually consistent here (the projectors are a process of their own), so a read that
// follows a command waits until it shows the command. At the end, the gateway's log shows that both
// instances of each pool answered, and that every request id was passed through and logged.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { accessLog, type Answer, cluster, eventually, freshSourceAddress, GatewayClient, instanceAddress, instanceLogLines, RUN_ID, upstreamsTried } from './cluster';

interface Session {
  user: { id: string; username: string; displayName: string };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}
interface Person {
  id: string;
  username: string;
  token: string;
  refreshToken: string;
  client: GatewayClient;
}
interface Message {
  id: string;
  roomId: string;
  seq: number;
  authorId: string;
  text: string;
  editedAt?: string;
  reactions: Record<string, string[]>;
}
interface RoomListItem {
  id: string;
  lastSeq: number;
  unreadCount: number;
  lastReadSeq: number;
}
interface Frame {
  type: string;
  roomId?: string;
  seq?: number;
  data?: Record<string, unknown>;
}

const PASSWORD = 'correct horse battery staple';
const freshName = (label: string) => `${label}_${RUN_ID}_${randomUUID().slice(0, 6)}`.slice(0, 32);

const expectError = (answer: Answer, status: number, code: string) => {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status,
    body: { error: expect.objectContaining({ code, message: expect.any(String) }) },
  });
};

/** A WebSocket through the gateway's /ws, keeping every frame it receives. */
class Socket {
  readonly frames: Frame[] = [];
  private readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, sourceAddress: string) {
    this.socket = new WebSocket(url, { localAddress: sourceAddress, headers: { 'x-request-id': `${RUN_ID}-ws-${randomUUID().slice(0, 8)}` } });
    this.socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /**
   * The first frame received that passes `test`. A pushed change comes through the projectors, as a read model's
   * change does, so it is given the same time as the `eventually` reads of this file: ten processes share two cores.
   */
  async next(test: (frame: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    try {
      return await eventually('a matching WebSocket frame', () => this.frames.find(test), timeoutMs, 20);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the socket received: ${JSON.stringify(this.frames.map((frame) => frame.type))}`);
    }
  }

  /** Once the pong is back, the token is verified and the socket follows the user's rooms. */
  async ready(): Promise<void> {
    await this.opened;
    this.send({ type: 'ping' });
    await this.next((frame) => frame.type === 'pong');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

describe('the API contract through the gateway', () => {
  // One source address per person, as a real deployment's clients would have: the gateway's and
  // command-api's rate limits are per client address.
  const stranger = new GatewayClient(freshSourceAddress());
  let alice: Person, bob: Person, carol: Person;
  let roomId: string;
  const sent: Message[] = [];

  async function register(label: string, sourceAddress: string): Promise<Person> {
    const client = new GatewayClient(sourceAddress);
    const username = freshName(label);
    const answer = await client.post<Session>('/api/auth/register', { username, password: PASSWORD, displayName: label });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      user: expect.objectContaining({ id: expect.any(String), username, displayName: label }),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    return { id: answer.body.user.id, username, token: answer.body.accessToken, refreshToken: answer.body.refreshToken, client };
  }

  const as = (person: Person) => ({ token: person.token });

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([register('alice', freshSourceAddress()), register('bob', freshSourceAddress()), register('carol', freshSourceAddress())]);
  });
  afterAll(() => {
    for (const client of [stranger, alice?.client, bob?.client, carol?.client]) client?.close();
  });

  describe('identity', () => {
    it('refuses a taken username (409) and a short password (400) with the contract body', async () => {
      expectError(await stranger.post('/api/auth/register', { username: alice.username.toUpperCase(), password: PASSWORD }), 409, 'CONFLICT');
      expectError(await stranger.post('/api/auth/register', { username: freshName('short'), password: 'short' }), 400, 'VALIDATION_FAILED');
    });

    it('logs in (200, a new session), and answers a wrong password like an unknown user (401)', async () => {
      const login = await alice.client.post<Session>('/api/auth/login', { username: alice.username, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ user: { id: alice.id }, accessToken: expect.any(String), refreshToken: expect.any(String) });
      expectError(await stranger.post('/api/auth/login', { username: alice.username, password: 'not the password' }), 401, 'UNAUTHENTICATED');
      expectError(await stranger.post('/api/auth/login', { username: freshName('nobody'), password: PASSWORD }), 401, 'UNAUTHENTICATED');
    });

    it('rotates refresh tokens: each works once, and a reused one ends the session (401)', async () => {
      const first = await bob.client.post<Session>('/api/auth/refresh', { refreshToken: bob.refreshToken });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number) });
      expectError(await bob.client.post('/api/auth/refresh', { refreshToken: bob.refreshToken }), 401, 'UNAUTHENTICATED');
      // The reuse revoked the whole session, the rotated token with it.
      expectError(await bob.client.post('/api/auth/refresh', { refreshToken: first.body.refreshToken }), 401, 'UNAUTHENTICATED');
      const login = await bob.client.post<Session>('/api/auth/login', { username: bob.username, password: PASSWORD });
      expect(login.status).toBe(200);
      bob = { ...bob, token: login.body.accessToken, refreshToken: login.body.refreshToken };
    });

    it('reads and changes the profile', async () => {
      const me = await alice.client.get('/api/users/me', as(alice));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: alice.id, username: alice.username, displayName: 'alice', bio: '', statusText: '' });
      const patched = await alice.client.patch('/api/users/me', { bio: 'through the gateway', statusText: 'testing' }, as(alice));
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: alice.id, bio: 'through the gateway', statusText: 'testing' });
      // query-api answers from the user views, which follow the log.
      await eventually('the profile change shows on reads', async () => {
        const read = await alice.client.get<{ bio: string }>('/api/users/me', as(alice));
        return read.body.bio === 'through the gateway' ? read : undefined;
      });
      const publicProfile = await bob.client.get(`/api/users/${alice.id}`, as(bob));
      expect(publicProfile.status).toBe(200);
      expect(publicProfile.body).toMatchObject({ id: alice.id, username: alice.username });
    });

    it('refuses a missing or bad token with 401 and the contract body, on reads and commands alike', async () => {
      expectError(await stranger.get('/api/users/me'), 401, 'UNAUTHENTICATED');
      expectError(await stranger.get('/api/rooms', { token: 'not-a-token' }), 401, 'UNAUTHENTICATED');
      expectError(await stranger.post('/api/rooms', { name: 'x' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('rooms and messages', () => {
    beforeAll(async () => {
      const created = await alice.client.post<{ room: { id: string; kind: string; name: string } }>(
        '/api/rooms',
        { name: 'Gateway', topic: 'two of everything', memberIds: [bob.id] },
        as(alice),
      );
      expect(created.status).toBe(201);
      expect(created.body.room).toMatchObject({ kind: 'group', name: 'Gateway' });
      roomId = created.body.room.id;
    });

    it('shows the new room to its members (details and list), and to nobody else (404)', async () => {
      const details = await eventually('the room is readable', async () => {
        const answer = await bob.client.get<{ id: string; members: { userId: string; role: string }[] }>(`/api/rooms/${roomId}`, as(bob));
        return answer.status === 200 ? answer : undefined;
      });
      expect(details.body.members).toEqual(
        expect.arrayContaining([expect.objectContaining({ userId: alice.id, role: 'owner' }), expect.objectContaining({ userId: bob.id, role: 'member' })]),
      );
      const list = await alice.client.get<RoomListItem[]>('/api/rooms', as(alice));
      expect(list.status).toBe(200);
      expect(list.body.map((room) => room.id)).toContain(roomId);
      expectError(await carol.client.get(`/api/rooms/${roomId}`, as(carol)), 404, 'NOT_FOUND');
      expectError(await carol.client.get(`/api/rooms/${randomUUID()}`, as(carol)), 404, 'NOT_FOUND');
    });

    it('sends messages with gapless seqs; the same clientMessageId answers the same message', async () => {
      for (const text of ['one', 'two', 'three']) {
        const answer = await alice.client.post<{ message: Message }>(`/api/rooms/${roomId}/messages`, { clientMessageId: `cm-${text}`, text }, as(alice));
        expect(answer.status).toBe(201);
        sent.push(answer.body.message);
      }
      expect(sent.map((message) => message.seq)).toEqual([1, 2, 3]);
      const again = await alice.client.post<{ message: Message }>(`/api/rooms/${roomId}/messages`, { clientMessageId: 'cm-two', text: 'two' }, as(alice));
      expect(again.status).toBe(201);
      expect(again.body.message).toEqual(sent[1]);
      expectError(await alice.client.post(`/api/rooms/${roomId}/messages`, { clientMessageId: 'cm-x', text: '  ' }, as(alice)), 400, 'VALIDATION_FAILED');
      expectError(await carol.client.post(`/api/rooms/${roomId}/messages`, { clientMessageId: 'cm-x', text: 'hi' }, as(carol)), 404, 'NOT_FOUND');
    });

    it('edits (author only) and reacts, and the history shows both in seq order', async () => {
      const [first] = sent as [Message];
      const edited = await alice.client.patch<{ message: Message }>(`/api/rooms/${roomId}/messages/${first.id}`, { text: 'one, edited' }, as(alice));
      expect(edited.status).toBe(200);
      expect(edited.body.message).toMatchObject({ id: first.id, text: 'one, edited', editedAt: expect.any(String) });
      expectError(await bob.client.patch(`/api/rooms/${roomId}/messages/${first.id}`, { text: 'mine' }, as(bob)), 403, 'FORBIDDEN');
      const reaction = `/api/rooms/${roomId}/messages/${first.id}/reactions/${encodeURIComponent('👍')}`;
      expect((await bob.client.put(reaction, undefined, as(bob))).status).toBe(204);

      const history = await eventually('the history shows the edit and the reaction', async () => {
        const answer = await bob.client.get<{ messages: Message[] }>(`/api/rooms/${roomId}/messages?limit=10`, as(bob));
        const head = answer.body.messages?.[0];
        return head?.text === 'one, edited' && head.reactions['👍']?.length ? answer : undefined;
      });
      expect(history.body.messages.map((message) => [message.seq, message.text])).toEqual([
        [1, 'one, edited'],
        [2, 'two'],
        [3, 'three'],
      ]);
      expect(history.body.messages[0]?.reactions).toEqual({ '👍': [bob.id] });
      const page = await bob.client.get<{ messages: Message[] }>(`/api/rooms/${roomId}/messages?after=1&limit=1`, as(bob));
      expect(page.body.messages.map((message) => message.seq)).toEqual([2]);
      expectError(await bob.client.get(`/api/rooms/${roomId}/messages?limit=0`, as(bob)), 400, 'VALIDATION_FAILED');
    });

    it('counts unread messages and clears them when read', async () => {
      const unread = (person: Person) => async () => {
        const list = await person.client.get<RoomListItem[]>('/api/rooms', as(person));
        return list.body.find((room) => room.id === roomId);
      };
      await eventually('bob has 3 unread', async () => ((await unread(bob)())?.unreadCount === 3 ? true : undefined));
      expect(await unread(alice)()).toMatchObject({ unreadCount: 0, lastSeq: 3 });
      expect((await bob.client.post(`/api/rooms/${roomId}/read`, { seq: 2 }, as(bob))).status).toBe(204);
      await eventually('bob has 1 unread', async () => ((await unread(bob)())?.unreadCount === 1 ? true : undefined));
      expect((await bob.client.post(`/api/rooms/${roomId}/read`, { seq: 3 }, as(bob))).status).toBe(204);
      const read = await eventually('bob has read everything', async () => {
        const room = await unread(bob)();
        return room?.unreadCount === 0 ? room : undefined;
      });
      expect(read).toMatchObject({ lastReadSeq: 3, lastSeq: 3 });
    });
  });

  describe('realtime through /ws', () => {
    it('advertises the gateway as the WebSocket address', async () => {
      const config = await stranger.get<{ wsUrl: string }>('/api/config');
      expect(config.status).toBe(200);
      expect(config.body.wsUrl).toBe(`${cluster.gatewayUrl.replace(/^http/, 'ws')}/ws`);
    });

    it('pushes a message sent through the gateway to members on either realtime instance, and closes a bad token with 4401', async () => {
      const wsUrl = `${cluster.gatewayUrl.replace(/^http/, 'ws')}/ws`;
      // Two of bob's sockets and one of alice's: least_conn spreads them over both realtime instances.
      const sockets = [
        new Socket(`${wsUrl}?token=${bob.token}`, bob.client.sourceAddress),
        new Socket(`${wsUrl}?token=${bob.token}`, bob.client.sourceAddress),
        new Socket(`${wsUrl}?token=${alice.token}`, alice.client.sourceAddress),
      ];
      try {
        await Promise.all(sockets.map((socket) => socket.ready()));
        const answer = await alice.client.post<{ message: Message }>(`/api/rooms/${roomId}/messages`, { clientMessageId: 'cm-ws', text: 'pushed' }, as(alice));
        expect(answer.status).toBe(201);
        for (const socket of sockets.slice(0, 2)) {
          const frame = await socket.next((f) => f.type === 'message.created' && f.roomId === roomId);
          expect(frame).toMatchObject({ type: 'message.created', roomId, seq: answer.body.message.seq });
          expect(frame.data).toMatchObject({ id: answer.body.message.id, text: 'pushed' });
        }
      } finally {
        await Promise.all(sockets.map((socket) => socket.close()));
      }

      const bad = new WebSocket(`${wsUrl}?token=forged`, { localAddress: stranger.sourceAddress });
      const code = await new Promise<number>((resolve) => bad.once('close', (closeCode) => resolve(closeCode)));
      expect(code).toBe(4401);
    });
  });

  describe('the gateway', () => {
    it('answers anything outside /api and /ws with the web client (index.html for client-side routes)', async () => {
      const page = await stranger.get<string>('/rooms/some-room', { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(String(page.headers['content-type'])).toContain('text/html');
      expect(page.body).toMatch(/<!doctype html>/i);
    });

    it('returns the caller’s request id, and makes one up when there is none', async () => {
      const answer = await stranger.get('/api/config');
      expect(answer.headers['x-request-id']).toBe(answer.requestId);
      const response = await fetch(`${cluster.gatewayUrl}/api/config`);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('logged every request of this run with its id, and both instances of each pool answered', async () => {
      // nginx writes a WebSocket's line when it closes: the sockets above have.
      const entries = await eventually('the WebSocket lines are in the access log', () => {
        const lines = accessLog();
        return lines.filter((entry) => entry.path === '/ws').length >= 3 ? lines : undefined;
      });
      const servedBy = (test: (entry: (typeof entries)[number]) => boolean) =>
        [...new Set(entries.filter(test).flatMap((entry) => upstreamsTried(entry)))].sort();
      const apiRequest = (method: (m: string) => boolean) => (entry: (typeof entries)[number]) => entry.path.startsWith('/api/') && method(entry.method);
      expect(servedBy(apiRequest((m) => m === 'GET'))).toEqual([instanceAddress('query-api-1'), instanceAddress('query-api-2')]);
      expect(servedBy(apiRequest((m) => m !== 'GET'))).toEqual([instanceAddress('command-api-1'), instanceAddress('command-api-2')]);
      expect(servedBy((entry) => entry.path === '/ws')).toEqual([instanceAddress('realtime-1'), instanceAddress('realtime-2')]);

      // The id a client sends is the one the gateway logs and the instance that answered logs too.
      const answer = await stranger.post('/api/rooms', { name: 'no token' });
      expect(answer.status).toBe(401);
      const line = await eventually('the request is in the access log', () => accessLog().find((entry) => entry.requestId === answer.requestId));
      const [instance] = upstreamsTried(line);
      const name = instance === instanceAddress('command-api-1') ? 'command-api-1' : 'command-api-2';
      const serviceLines = await eventually(`${name} logged the request`, () => {
        const lines = instanceLogLines(name, answer.requestId);
        return lines.length > 0 ? lines : undefined;
      });
      expect(serviceLines.map((text) => (JSON.parse(text) as { requestId?: string }).requestId)).toContain(answer.requestId);
    });
  });
});
