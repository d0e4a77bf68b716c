// Rooms and messages end to end over real HTTP: command-api, query-api and the projectors in one
// process (as `npm start` runs them), on a temporary DATA_DIR. Every command and read endpoint, their
// errors, and who may do what.
import { randomUUID } from 'node:crypto';
import { describeIntegration, uniqueSuffix } from '@chat/platform';
import { type EmbeddedTestApp, startEmbeddedApp } from '../testing/embedded-app';
import { type Answer, HttpClient } from '../testing/http-client';

interface Person {
  id: string;
  token: string;
}
interface Room {
  id: string;
  kind: 'group' | 'direct';
  name: string;
  topic: string;
  announcement: string;
  createdAt: string;
  members: { userId: string; role: string; joinedAt: string }[];
  pinned: string[];
}
interface Message {
  id: string;
  roomId: string;
  seq: number;
  authorId: string;
  text: string;
  createdAt: string;
  editedAt?: string;
  deleted: boolean;
  replyTo?: string;
  forwardedFrom?: { roomId: string; messageId: string; authorId: string };
  reactions: Record<string, string[]>;
  attachments: unknown[];
}
interface RoomListItem {
  id: string;
  kind: string;
  name: string;
  topic: string;
  peerId?: string;
  lastMessage: { id: string; seq: number; authorId: string; text: string; edited: boolean; deleted: boolean } | null;
  lastSeq: number;
  unreadCount: number;
  lastReadSeq: number;
  muted: boolean;
  role: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { reason?: string; userIds?: string[]; issues?: { path: string }[] } };
}

let names = 0;
const freshName = () => `m${++names}_${uniqueSuffix()}`.slice(0, 32);

describe('Rooms and messages over HTTP (embedded)', () => {
  let app: EmbeddedTestApp;
  let client: HttpClient;
  let alice: Person, bob: Person, carol: Person, dave: Person, erin: Person, mallory: Person;

  async function register(displayName?: string): Promise<Person> {
    const answer = await client.post<{ user: { id: string }; accessToken: string }>('/api/auth/register', {
      username: freshName(),
      password: 'correct horse battery staple',
      ...(displayName ? { displayName } : {}),
    });
    expect(answer.status).toBe(201);
    return { id: answer.body.user.id, token: answer.body.accessToken };
  }

  beforeAll(async () => {
    app = await startEmbeddedApp({ env: { TRUSTED_PROXY_HOPS: '1' } });
    client = new HttpClient(app.baseUrl);
    const people = await Promise.all(['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Mallory'].map((name) => register(name)));
    [alice, bob, carol, dave, erin, mallory] = people as [Person, Person, Person, Person, Person, Person];
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const as = (person: Person) => ({ token: person.token });
  const caughtUp = () => app.caughtUp();

  async function createRoom(owner: Person, members: Person[] = [], name = 'Launch'): Promise<Room> {
    const answer = await client.post<{ room: Room }>('/api/rooms', { name, memberIds: members.map((m) => m.id) }, as(owner));
    expect(answer.status).toBe(201);
    return answer.body.room;
  }
  async function send(person: Person, roomId: string, text = 'hello', extra: Record<string, unknown> = {}): Promise<Message> {
    const answer = await client.post<{ message: Message }>(`/api/rooms/${roomId}/messages`, { clientMessageId: randomUUID(), text, ...extra }, as(person));
    expect(answer.status).toBe(201);
    return answer.body.message;
  }
  async function history(person: Person, roomId: string, query = ''): Promise<Answer<{ messages: Message[] } & ErrorBody>> {
    await caughtUp();
    return client.get(`/api/rooms/${roomId}/messages${query}`, as(person));
  }
  async function listed(person: Person, roomId: string): Promise<RoomListItem | undefined> {
    await caughtUp();
    const answer = await client.get<RoomListItem[]>('/api/rooms', as(person));
    expect(answer.status).toBe(200);
    return answer.body.find((room) => room.id === roomId);
  }
  /** A room with alice as owner, bob admin, carol moderator, dave member. */
  async function staffedRoom(): Promise<Room> {
    const room = await createRoom(alice, [bob, carol, dave]);
    expect((await client.put(`/api/rooms/${room.id}/members/${bob.id}/role`, { role: 'admin' }, as(alice))).status).toBe(204);
    expect((await client.put(`/api/rooms/${room.id}/members/${carol.id}/role`, { role: 'moderator' }, as(alice))).status).toBe(204);
    return room;
  }
  const expectError = (answer: Answer<unknown>, status: number, code: string, reason?: string) => {
    expect({ status: answer.status, code: (answer.body as ErrorBody).error?.code }).toEqual({ status, code });
    if (reason) expect((answer.body as ErrorBody).error.details?.reason).toBe(reason);
  };

  describe('rooms', () => {
    it('creates a group room: 201 with the caller as owner, then readable by each member', async () => {
      const answer = await client.post<{ room: Room }>('/api/rooms', { name: '  Launch  ', topic: 'T-10', memberIds: [bob.id, bob.id, alice.id] }, as(alice));
      expect(answer.status).toBe(201);
      const { room } = answer.body;
      expect(room).toEqual({
        id: expect.any(String), kind: 'group', name: 'Launch', topic: 'T-10', announcement: '', createdAt: expect.any(String),
        members: [{ userId: alice.id, role: 'owner', joinedAt: room.createdAt }, { userId: bob.id, role: 'member', joinedAt: room.createdAt }].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
        pinned: [],
      });
      await caughtUp();
      expect((await client.get<Room>(`/api/rooms/${room.id}`, as(bob))).body).toEqual(room);
      expect(await listed(bob, room.id)).toEqual({
        id: room.id, kind: 'group', name: 'Launch', topic: 'T-10', lastMessage: null, lastSeq: 0, unreadCount: 0, lastReadSeq: 0,
        muted: false, role: 'member', lastActivityAt: room.createdAt,
      });
    });

    it('refuses a room without a name (400), with unknown members (404), or without a token (401)', async () => {
      expectError(await client.post('/api/rooms', { name: '   ' }, as(alice)), 400, 'VALIDATION_FAILED');
      expectError(await client.post('/api/rooms', { topic: 'no name' }, as(alice)), 400, 'VALIDATION_FAILED');
      const stranger = randomUUID();
      const unknown = await client.post<ErrorBody>('/api/rooms', { name: 'x', memberIds: [bob.id, stranger] }, as(alice));
      expectError(unknown, 404, 'NOT_FOUND', 'USER_NOT_FOUND');
      expect(unknown.body.error.details?.userIds).toEqual([stranger]);
      expectError(await client.post('/api/rooms', { name: 'x' }), 401, 'UNAUTHENTICATED');
    });

    it('opens one direct room per pair: 201 the first time, 200 after, from either side', async () => {
      const first = await client.post<{ room: Room }>('/api/rooms/direct', { userId: erin.id }, as(dave));
      expect(first.status).toBe(201);
      expect(first.body.room).toMatchObject({ kind: 'direct', members: expect.arrayContaining([expect.objectContaining({ userId: dave.id }), expect.objectContaining({ userId: erin.id })]) });
      const again = await client.post<{ room: Room }>('/api/rooms/direct', { userId: dave.id }, as(erin));
      expect(again.status).toBe(200);
      expect(again.body.room.id).toBe(first.body.room.id);
      expect(await listed(dave, first.body.room.id)).toMatchObject({ kind: 'direct', name: 'Erin', peerId: erin.id });
      expect((await client.get<Room>(`/api/rooms/${first.body.room.id}`, as(erin))).body).toMatchObject({ name: 'Dave' });
    });

    it('refuses a direct room with oneself (400), with nobody (404), and with someone who blocked the caller (403)', async () => {
      expectError(await client.post('/api/rooms/direct', { userId: alice.id }, as(alice)), 400, 'VALIDATION_FAILED');
      expectError(await client.post('/api/rooms/direct', { userId: randomUUID() }, as(alice)), 404, 'NOT_FOUND', 'USER_NOT_FOUND');
      const blocker = await register();
      const blocked = await register();
      expect((await client.put(`/api/users/me/blocks/${blocked.id}`, undefined, as(blocker))).status).toBe(204);
      await caughtUp();
      expectError(await client.post('/api/rooms/direct', { userId: blocker.id }, as(blocked)), 403, 'FORBIDDEN', 'BLOCKED');
    });

    it('refuses direct messages to someone who blocked the sender, and lets the blocker write', async () => {
      const [blocker, blocked] = [await register(), await register()];
      const room = (await client.post<{ room: Room }>('/api/rooms/direct', { userId: blocker.id }, as(blocked))).body.room;
      await send(blocked, room.id, 'before the block');
      expect((await client.put(`/api/users/me/blocks/${blocked.id}`, undefined, as(blocker))).status).toBe(204);
      await caughtUp();
      const refused = await client.post(`/api/rooms/${room.id}/messages`, { clientMessageId: randomUUID(), text: 'after' }, as(blocked));
      expectError(refused, 403, 'FORBIDDEN', 'BLOCKED');
      await send(blocker, room.id, 'I may still write');
      expectError(await client.post('/api/rooms/direct', { userId: blocker.id }, as(blocked)), 403, 'FORBIDDEN', 'BLOCKED');
    });

    it('changes details for admins and the owner (200), not for members (403) nor outsiders (404)', async () => {
      const room = await staffedRoom();
      const changed = await client.patch<{ room: Room }>(`/api/rooms/${room.id}`, { name: 'Lift-off', announcement: 'T-10' }, as(bob));
      expect(changed.status).toBe(200);
      expect(changed.body.room).toMatchObject({ name: 'Lift-off', topic: '', announcement: 'T-10' });
      expectError(await client.patch(`/api/rooms/${room.id}`, { name: 'mine' }, as(dave)), 403, 'FORBIDDEN');
      expectError(await client.patch(`/api/rooms/${room.id}`, { name: 'mine' }, as(mallory)), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      expectError(await client.patch(`/api/rooms/${room.id}`, { colour: 'red' }, as(alice)), 400, 'VALIDATION_FAILED');
      expectError(await client.patch(`/api/rooms/not-a-room`, { name: 'x' }, as(alice)), 400, 'VALIDATION_FAILED');
      await caughtUp();
      expect((await client.get<Room>(`/api/rooms/${room.id}`, as(dave))).body).toMatchObject({ name: 'Lift-off', announcement: 'T-10' });
      expect(await listed(dave, room.id)).toMatchObject({ name: 'Lift-off' });
    });

    it('deletes a room for its owner only (204); then it is gone for everyone', async () => {
      const room = await staffedRoom();
      expectError(await client.delete(`/api/rooms/${room.id}`, as(bob)), 403, 'FORBIDDEN');
      expect((await client.delete(`/api/rooms/${room.id}`, as(alice))).status).toBe(204);
      expectError(await client.post(`/api/rooms/${room.id}/messages`, { clientMessageId: 'c1', text: 'hi' }, as(dave)), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      await caughtUp();
      expectError(await client.get(`/api/rooms/${room.id}`, as(alice)), 404, 'NOT_FOUND');
      expect(await listed(dave, room.id)).toBeUndefined();
    });

    it('adds members (admins, 204), refuses members adding (403) and unknown users (404)', async () => {
      const room = await staffedRoom();
      expect((await client.post(`/api/rooms/${room.id}/members`, { userId: erin.id }, as(bob))).status).toBe(204);
      expect((await client.post(`/api/rooms/${room.id}/members`, { userId: erin.id }, as(bob))).status).toBe(204);
      expectError(await client.post(`/api/rooms/${room.id}/members`, { userId: mallory.id }, as(dave)), 403, 'FORBIDDEN');
      expectError(await client.post(`/api/rooms/${room.id}/members`, { userId: randomUUID() }, as(alice)), 404, 'NOT_FOUND', 'USER_NOT_FOUND');
      expectError(await client.post(`/api/rooms/${room.id}/members`, { userId: dave.id }, as(mallory)), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      await caughtUp();
      const members = (await client.get<Room>(`/api/rooms/${room.id}`, as(erin))).body.members.map((m) => m.userId);
      expect(members).toEqual([...[alice.id, bob.id, carol.id, dave.id].sort(), erin.id]);
    });

    it('removes members by the role hierarchy, lets anyone leave, and keeps the owner until they hand over', async () => {
      const room = await staffedRoom();
      expectError(await client.delete(`/api/rooms/${room.id}/members/${carol.id}`, as(dave)), 403, 'FORBIDDEN');
      expectError(await client.delete(`/api/rooms/${room.id}/members/${alice.id}`, as(bob)), 403, 'FORBIDDEN');
      expectError(await client.delete(`/api/rooms/${room.id}/members/${erin.id}`, as(bob)), 404, 'NOT_FOUND', 'NOT_A_MEMBER');
      expect((await client.delete(`/api/rooms/${room.id}/members/${carol.id}`, as(bob))).status).toBe(204);
      expect((await client.delete(`/api/rooms/${room.id}/members/${dave.id}`, as(dave))).status).toBe(204);
      expectError(await client.delete(`/api/rooms/${room.id}/members/${alice.id}`, as(alice)), 409, 'CONFLICT', 'LAST_OWNER_CANNOT_LEAVE');
      expectError(await client.get(`/api/rooms/${room.id}/messages`, as(dave)), 404, 'NOT_FOUND');
      await caughtUp();
      expectError(await client.get(`/api/rooms/${room.id}`, as(carol)), 404, 'NOT_FOUND');
      expect(await listed(dave, room.id)).toBeUndefined();
      expect((await client.get<Room>(`/api/rooms/${room.id}`, as(alice))).body.members.map((m) => m.userId)).toEqual([alice.id, bob.id].sort());
    });

    it('changes roles only below the caller’s own, and hands ownership over for the owner only', async () => {
      const room = await staffedRoom();
      const role = (by: Person, of: Person, to: string) => client.put(`/api/rooms/${room.id}/members/${of.id}/role`, { role: to }, as(by));
      expectError(await role(bob, dave, 'admin'), 403, 'FORBIDDEN');
      expectError(await role(bob, alice, 'member'), 403, 'FORBIDDEN');
      expectError(await role(carol, dave, 'moderator'), 403, 'FORBIDDEN');
      expectError(await role(bob, dave, 'owner'), 403, 'FORBIDDEN');
      expectError(await role(dave, dave, 'admin'), 403, 'FORBIDDEN');
      expectError(await role(bob, dave, 'boss'), 400, 'VALIDATION_FAILED');
      expect((await role(bob, dave, 'moderator')).status).toBe(204);
      expect((await role(alice, bob, 'owner')).status).toBe(204);
      await caughtUp();
      const members = (await client.get<Room>(`/api/rooms/${room.id}`, as(alice))).body.members;
      expect(Object.fromEntries(members.map((m) => [m.userId, m.role]))).toEqual({ [alice.id]: 'admin', [bob.id]: 'owner', [carol.id]: 'moderator', [dave.id]: 'moderator' });
      expect((await listed(bob, room.id))?.role).toBe('owner');
    });

    it('mutes and unmutes the room for the caller only', async () => {
      const room = await staffedRoom();
      expect((await client.put(`/api/rooms/${room.id}/settings/me`, { muted: true }, as(dave))).status).toBe(204);
      expectError(await client.put(`/api/rooms/${room.id}/settings/me`, { muted: 'yes' }, as(dave)), 400, 'VALIDATION_FAILED');
      expectError(await client.put(`/api/rooms/${room.id}/settings/me`, { muted: true }, as(mallory)), 404, 'NOT_FOUND');
      expect((await listed(dave, room.id))?.muted).toBe(true);
      expect((await listed(carol, room.id))?.muted).toBe(false);
    });
  });

  describe('messages', () => {
    it('sends a message: 201 with its id and seq; the same clientMessageId answers the same message', async () => {
      const room = await staffedRoom();
      const body = { clientMessageId: 'client-1', text: '  hello 👋  ' };
      const first = await client.post<{ message: Message }>(`/api/rooms/${room.id}/messages`, body, as(dave));
      expect(first.status).toBe(201);
      expect(first.body.message).toEqual({
        id: expect.any(String), roomId: room.id, seq: 1, authorId: dave.id, text: 'hello 👋', createdAt: expect.any(String),
        deleted: false, reactions: {}, attachments: [],
      });
      const repeated = await client.post<{ message: Message }>(`/api/rooms/${room.id}/messages`, { ...body, text: 'something else' }, as(dave));
      expect(repeated.status).toBe(201);
      expect(repeated.body.message).toEqual(first.body.message);
      const fromOther = await send(carol, room.id, 'hello', { clientMessageId: 'client-1' });
      expect(fromOther.seq).toBe(2);
      expect((await history(alice, room.id)).body.messages).toEqual([first.body.message, fromOther]);
    });

    it('refuses bad messages (400), outsiders (404), replies to unknown messages (404) and attachments (400)', async () => {
      const room = await staffedRoom();
      const post = (person: Person, body: Record<string, unknown>) => client.post(`/api/rooms/${room.id}/messages`, { clientMessageId: randomUUID(), text: 'x', ...body }, as(person));
      expectError(await post(dave, { text: ' \n ' }), 400, 'VALIDATION_FAILED');
      expectError(await post(dave, { text: '😀'.repeat(4001) }), 400, 'VALIDATION_FAILED');
      expectError(await post(dave, { clientMessageId: '' }), 400, 'VALIDATION_FAILED');
      expectError(await post(dave, { attachmentIds: ['file-1'] }), 400, 'VALIDATION_FAILED');
      expectError(await post(dave, { replyTo: randomUUID() }), 404, 'NOT_FOUND', 'MESSAGE_NOT_FOUND');
      expectError(await post(mallory, {}), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      expectError(await client.post(`/api/rooms/${randomUUID()}/messages`, { clientMessageId: 'c', text: 'x' }, as(dave)), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      const original = await send(alice, room.id, 'question');
      const reply = await send(dave, room.id, 'answer', { replyTo: original.id });
      expect(reply.replyTo).toBe(original.id);
      expect((await history(carol, room.id)).body.messages.at(-1)).toEqual(reply);
    });

    it('pages the history by seq: latest page, before, after; a limit of 1 to 100', async () => {
      const room = await createRoom(alice, [bob]);
      for (let i = 1; i <= 12; i++) await send(i % 2 ? alice : bob, room.id, `message ${i}`);
      const seqs = async (query: string) => (await history(bob, room.id, query)).body.messages.map((m) => m.seq);
      expect(await seqs('')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(await seqs('?limit=3')).toEqual([10, 11, 12]);
      expect(await seqs('?before=10&limit=3')).toEqual([7, 8, 9]);
      expect(await seqs('?after=2&limit=3')).toEqual([3, 4, 5]);
      expect(await seqs('?after=2&before=5')).toEqual([3, 4]);
      expectError(await history(bob, room.id, '?limit=0'), 400, 'VALIDATION_FAILED');
      expectError(await history(bob, room.id, '?limit=101'), 400, 'VALIDATION_FAILED');
      expectError(await history(bob, room.id, '?before=abc'), 400, 'VALIDATION_FAILED');
    });

    it('lets only the author edit (200), and shows the edit', async () => {
      const room = await staffedRoom();
      const message = await send(dave, room.id, 'teh launch');
      const edited = await client.patch<{ message: Message }>(`/api/rooms/${room.id}/messages/${message.id}`, { text: 'the launch' }, as(dave));
      expect(edited.status).toBe(200);
      expect(edited.body.message).toEqual({ ...message, text: 'the launch', editedAt: expect.any(String) });
      expectError(await client.patch(`/api/rooms/${room.id}/messages/${message.id}`, { text: 'mine now' }, as(alice)), 403, 'FORBIDDEN');
      expectError(await client.patch(`/api/rooms/${room.id}/messages/${message.id}`, { text: 'x' }, as(mallory)), 404, 'NOT_FOUND');
      expectError(await client.patch(`/api/rooms/${room.id}/messages/${randomUUID()}`, { text: 'x' }, as(dave)), 404, 'NOT_FOUND', 'MESSAGE_NOT_FOUND');
      expect((await history(carol, room.id)).body.messages[0]).toEqual(edited.body.message);
      expect(await listed(carol, room.id)).toMatchObject({ lastMessage: { id: message.id, text: 'the launch', edited: true } });
    });

    it('deletes a message for its author or a moderator and above (204), not for other members (403)', async () => {
      const room = await staffedRoom();
      const [first, second] = [await send(alice, room.id, 'one'), await send(alice, room.id, 'two')];
      expectError(await client.delete(`/api/rooms/${room.id}/messages/${first.id}`, as(dave)), 403, 'FORBIDDEN');
      expect((await client.delete(`/api/rooms/${room.id}/messages/${first.id}`, as(carol))).status).toBe(204);
      expect((await client.delete(`/api/rooms/${room.id}/messages/${second.id}`, as(alice))).status).toBe(204);
      expect((await client.delete(`/api/rooms/${room.id}/messages/${second.id}`, as(alice))).status).toBe(204);
      expectError(await client.delete(`/api/rooms/${room.id}/messages/${second.id}`, as(mallory)), 404, 'NOT_FOUND');
      const messages = (await history(dave, room.id)).body.messages;
      expect(messages.map((m) => ({ seq: m.seq, deleted: m.deleted, text: m.text }))).toEqual([
        { seq: 1, deleted: true, text: '' },
        { seq: 2, deleted: true, text: '' },
      ]);
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 0, lastMessage: { id: second.id, deleted: true, text: '' } });
    });

    it('clears the history for the caller only, or for everyone (admins and the owner)', async () => {
      const room = await staffedRoom();
      await send(alice, room.id, 'one');
      await send(alice, room.id, 'two');
      expect((await client.delete(`/api/rooms/${room.id}/messages?scope=me`, as(dave))).status).toBe(204);
      await send(alice, room.id, 'three');
      expect((await history(dave, room.id)).body.messages.map((m) => m.text)).toEqual(['three']);
      expect((await history(carol, room.id)).body.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 1, lastSeq: 3 });
      expectError(await client.delete(`/api/rooms/${room.id}/messages?scope=everyone`, as(carol)), 403, 'FORBIDDEN');
      expectError(await client.delete(`/api/rooms/${room.id}/messages?scope=all`, as(alice)), 400, 'VALIDATION_FAILED');
      expect((await client.delete(`/api/rooms/${room.id}/messages?scope=everyone`, as(bob))).status).toBe(204);
      expect((await history(carol, room.id)).body.messages).toEqual([]);
      expect(await listed(carol, room.id)).toMatchObject({ unreadCount: 0, lastMessage: null, lastSeq: 3 });
      // A cleared message cannot be reached by id any more either.
      const before = await send(alice, room.id, 'four');
      expect((await history(dave, room.id, '?after=0')).body.messages.map((m) => m.seq)).toEqual([before.seq]);
    });

    it('forwards a message to rooms the caller is a member of (201), and to none when one target refuses', async () => {
      const source = await createRoom(alice, [bob]);
      const target = await createRoom(bob, [carol]);
      const elsewhere = await createRoom(carol);
      const original = await send(alice, source.id, 'worth sharing');
      const forward = (targets: string[]) => client.post<{ messages: Message[] } & ErrorBody>(`/api/rooms/${source.id}/messages/${original.id}/forward`, { roomIds: targets }, as(bob));
      expectError(await forward([target.id, elsewhere.id]), 404, 'NOT_FOUND', 'ROOM_NOT_FOUND');
      expect((await history(carol, target.id)).body.messages).toEqual([]);
      const forwarded = await forward([target.id]);
      expect(forwarded.status).toBe(201);
      expect(forwarded.body.messages).toEqual([
        expect.objectContaining({ roomId: target.id, seq: 1, authorId: bob.id, text: 'worth sharing', forwardedFrom: { roomId: source.id, messageId: original.id, authorId: alice.id } }),
      ]);
      expect((await forward([target.id])).body.messages).toEqual(forwarded.body.messages);
      expectError(await client.post(`/api/rooms/${source.id}/messages/${original.id}/forward`, { roomIds: [target.id] }, as(carol)), 404, 'NOT_FOUND');
      expectError(await client.post(`/api/rooms/${source.id}/messages/${original.id}/forward`, { roomIds: [] }, as(bob)), 400, 'VALIDATION_FAILED');
      expect((await history(carol, target.id)).body.messages).toEqual(forwarded.body.messages);
      expectError(await client.patch(`/api/rooms/${target.id}/messages/${forwarded.body.messages[0]!.id}`, { text: 'changed' }, as(bob)), 403, 'FORBIDDEN');
    });

    it('keeps one reaction per user per emoji, the emoji URL-encoded', async () => {
      const room = await staffedRoom();
      const message = await send(alice, room.id, 'react to me');
      const reaction = (emoji: string) => `/api/rooms/${room.id}/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`;
      expect((await client.put(reaction('👍'), undefined, as(dave))).status).toBe(204);
      expect((await client.put(reaction('👍'), undefined, as(dave))).status).toBe(204);
      expect((await client.put(reaction('👍🏽'), undefined, as(carol))).status).toBe(204);
      expect((await client.put(reaction('👍'), undefined, as(carol))).status).toBe(204);
      expect((await client.put(reaction('a.b'), undefined, as(bob))).status).toBe(204);
      expect((await client.delete(reaction('a.b'), as(bob))).status).toBe(204);
      expectError(await client.put(reaction('no way'), undefined, as(dave)), 400, 'VALIDATION_FAILED');
      expectError(await client.put(reaction('👍'), undefined, as(mallory)), 404, 'NOT_FOUND');
      expect((await history(dave, room.id)).body.messages[0]?.reactions).toEqual({ '👍': [dave.id, carol.id], '👍🏽': [carol.id] });
    });

    it('pins and unpins for moderators and above (204), not for members (403)', async () => {
      const room = await staffedRoom();
      const [first, second] = [await send(dave, room.id, 'one'), await send(dave, room.id, 'two')];
      expect((await client.put(`/api/rooms/${room.id}/pins/${second.id}`, undefined, as(carol))).status).toBe(204);
      expect((await client.put(`/api/rooms/${room.id}/pins/${first.id}`, undefined, as(alice))).status).toBe(204);
      expectError(await client.put(`/api/rooms/${room.id}/pins/${first.id}`, undefined, as(dave)), 403, 'FORBIDDEN');
      expectError(await client.put(`/api/rooms/${room.id}/pins/${randomUUID()}`, undefined, as(carol)), 404, 'NOT_FOUND', 'MESSAGE_NOT_FOUND');
      expect((await client.delete(`/api/rooms/${room.id}/pins/${second.id}`, as(bob))).status).toBe(204);
      expectError(await client.delete(`/api/rooms/${room.id}/pins/${first.id}`, as(dave)), 403, 'FORBIDDEN');
      await caughtUp();
      expect((await client.get<Room>(`/api/rooms/${room.id}`, as(dave))).body.pinned).toEqual([first.id]);
    });

    it('marks messages read and counts the unread ones: not the reader’s own, not deleted', async () => {
      const room = await staffedRoom();
      await send(alice, room.id, 'one');
      await send(dave, room.id, 'mine');
      const third = await send(bob, room.id, 'three');
      await send(carol, room.id, 'four');
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 3, lastReadSeq: 0, lastSeq: 4 });
      expect((await client.post(`/api/rooms/${room.id}/read`, { seq: 2 }, as(dave))).status).toBe(204);
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 2, lastReadSeq: 2 });
      expect((await client.delete(`/api/rooms/${room.id}/messages/${third.id}`, as(bob))).status).toBe(204);
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 1 });
      expect((await client.post(`/api/rooms/${room.id}/read`, { seq: 99 }, as(dave))).status).toBe(204);
      expect(await listed(dave, room.id)).toMatchObject({ unreadCount: 0, lastReadSeq: 4 });
      expectError(await client.post(`/api/rooms/${room.id}/read`, { seq: -1 }, as(dave)), 400, 'VALIDATION_FAILED');
      expectError(await client.post(`/api/rooms/${room.id}/read`, { seq: 1 }, as(mallory)), 404, 'NOT_FOUND');
    });
  });

  describe('concurrent sends', () => {
    it('gives 50 concurrent sends to one room seqs 1..50 with no duplicate, and retrying all 50 changes nothing', async () => {
      const senders = [alice, bob, carol, dave, erin];
      const room = await createRoom(alice, senders.slice(1));
      const requests = Array.from({ length: 50 }, (_, i) => ({ sender: senders[i % senders.length]!, body: { clientMessageId: `burst-${i}`, text: `message ${i}` } }));
      const sendAll = () =>
        Promise.all(requests.map(({ sender, body }) => client.post<{ message: Message }>(`/api/rooms/${room.id}/messages`, body, as(sender))));

      const first = await sendAll();
      expect(first.map((answer) => answer.status)).toEqual(requests.map(() => 201));
      const sent = first.map((answer) => answer.body.message);
      expect(sent.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Set(sent.map((m) => m.id)).size).toBe(50);

      const retried = await sendAll();
      expect(retried.map((answer) => answer.status)).toEqual(requests.map(() => 201));
      expect(retried.map((answer) => answer.body.message)).toEqual(sent);

      const stored = (await history(carol, room.id, '?limit=100')).body.messages;
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Map(stored.map((m) => [m.id, m.seq]))).toEqual(new Map(sent.map((m) => [m.id, m.seq])));
      expect(await listed(carol, room.id)).toMatchObject({ lastSeq: 50, unreadCount: 40 });
    });
  });

  describe('what outsiders learn', () => {
    it('answers a room the caller is not in exactly as one that does not exist', async () => {
      const room = await staffedRoom();
      await send(alice, room.id, 'secret');
      await caughtUp();
      const unknown = randomUUID();
      for (const path of ['', '/messages']) {
        const hidden = await client.get<ErrorBody>(`/api/rooms/${room.id}${path}`, as(mallory));
        const missing = await client.get<ErrorBody>(`/api/rooms/${unknown}${path}`, as(mallory));
        expect(hidden.status).toBe(404);
        expect(hidden.body).toEqual(JSON.parse(JSON.stringify(missing.body).replaceAll(unknown, room.id)));
      }
      expect(await listed(mallory, room.id)).toBeUndefined();
    });

    it('refuses every room endpoint without a token', async () => {
      const [room, message] = [randomUUID(), randomUUID()];
      const calls = [
        client.get('/api/rooms'),
        client.get(`/api/rooms/${room}`),
        client.get(`/api/rooms/${room}/messages`),
        client.post('/api/rooms', { name: 'x' }),
        client.post('/api/rooms/direct', { userId: room }),
        client.patch(`/api/rooms/${room}`, { name: 'x' }),
        client.delete(`/api/rooms/${room}`),
        client.post(`/api/rooms/${room}/members`, { userId: room }),
        client.delete(`/api/rooms/${room}/members/${room}`),
        client.put(`/api/rooms/${room}/members/${room}/role`, { role: 'admin' }),
        client.put(`/api/rooms/${room}/settings/me`, { muted: true }),
        client.post(`/api/rooms/${room}/messages`, { clientMessageId: 'c', text: 'x' }),
        client.patch(`/api/rooms/${room}/messages/${message}`, { text: 'x' }),
        client.delete(`/api/rooms/${room}/messages/${message}`),
        client.delete(`/api/rooms/${room}/messages?scope=me`),
        client.post(`/api/rooms/${room}/messages/${message}/forward`, { roomIds: [room] }),
        client.put(`/api/rooms/${room}/messages/${message}/reactions/%F0%9F%91%8D`),
        client.delete(`/api/rooms/${room}/messages/${message}/reactions/%F0%9F%91%8D`),
        client.put(`/api/rooms/${room}/pins/${message}`),
        client.delete(`/api/rooms/${room}/pins/${message}`),
        client.post(`/api/rooms/${room}/read`, { seq: 1 }),
      ];
      expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual(calls.map(() => 401));
    });

    it('documents every room endpoint in the OpenAPI document', async () => {
      const document = await client.get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs-json');
      const routes = Object.entries(document.body.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
      expect(routes).toEqual(
        expect.arrayContaining([
          'GET /api/rooms', 'POST /api/rooms', 'POST /api/rooms/direct', 'GET /api/rooms/{id}', 'PATCH /api/rooms/{id}', 'DELETE /api/rooms/{id}',
          'POST /api/rooms/{id}/members', 'DELETE /api/rooms/{id}/members/{userId}', 'PUT /api/rooms/{id}/members/{userId}/role',
          'PUT /api/rooms/{id}/settings/me', 'GET /api/rooms/{id}/messages', 'POST /api/rooms/{id}/messages', 'DELETE /api/rooms/{id}/messages',
          'PATCH /api/rooms/{id}/messages/{messageId}', 'DELETE /api/rooms/{id}/messages/{messageId}', 'POST /api/rooms/{id}/messages/{messageId}/forward',
          'PUT /api/rooms/{id}/messages/{messageId}/reactions/{emoji}', 'DELETE /api/rooms/{id}/messages/{messageId}/reactions/{emoji}',
          'PUT /api/rooms/{id}/pins/{messageId}', 'DELETE /api/rooms/{id}/pins/{messageId}', 'POST /api/rooms/{id}/read',
        ]),
      );
    });
  });
});

describeIntegration('Rooms and messages over HTTP, read models in MongoDB', 'mongodb', (url) => {
  let app: EmbeddedTestApp;
  let client: HttpClient;
  beforeAll(async () => {
    app = await startEmbeddedApp({ env: { TRUSTED_PROXY_HOPS: '1', MONGODB_URL: url.replace(/^(mongodb:\/\/[^/?]+)[^?]*/, `$1/chat_e2e_${uniqueSuffix()}`) } });
    client = new HttpClient(app.baseUrl);
  }, 60_000);
  afterAll(async () => {
    const documents = await app?.infrastructure.documents();
    if (documents?.kind === 'mongodb') await documents.db.dropDatabase();
    await app?.close();
  });

  it('lists rooms with unread counts, pages history and hides it from outsiders', async () => {
    const register = async () => {
      const answer = await client.post<{ user: { id: string }; accessToken: string }>('/api/auth/register', { username: freshName(), password: 'correct horse battery staple' });
      return { id: answer.body.user.id, token: answer.body.accessToken };
    };
    const [alice, bob, mallory] = [await register(), await register(), await register()];
    const room = (await client.post<{ room: Room }>('/api/rooms', { name: 'Mongo', memberIds: [bob.id] }, { token: alice.token })).body.room;
    const sent: Message[] = [];
    for (const text of ['one', 'two', 'three']) {
      sent.push((await client.post<{ message: Message }>(`/api/rooms/${room.id}/messages`, { clientMessageId: randomUUID(), text }, { token: alice.token })).body.message);
    }
    expect((await client.put(`/api/rooms/${room.id}/messages/${sent[0]!.id}/reactions/${encodeURIComponent('👍')}`, undefined, { token: bob.token })).status).toBe(204);
    expect((await client.post(`/api/rooms/${room.id}/read`, { seq: 1 }, { token: bob.token })).status).toBe(204);
    await app.caughtUp();
    const list = await client.get<RoomListItem[]>('/api/rooms', { token: bob.token });
    expect(list.body).toEqual([expect.objectContaining({ id: room.id, unreadCount: 2, lastReadSeq: 1, lastSeq: 3, lastMessage: expect.objectContaining({ id: sent[2]!.id, text: 'three' }) })]);
    const page = await client.get<{ messages: Message[] }>(`/api/rooms/${room.id}/messages?before=3&limit=2`, { token: bob.token });
    expect(page.body.messages.map((m) => [m.seq, m.text, m.reactions])).toEqual([[1, 'one', { '👍': [bob.id] }], [2, 'two', {}]]);
    expect((await client.delete(`/api/rooms/${room.id}/messages?scope=me`, { token: bob.token })).status).toBe(204);
    await app.caughtUp();
    expect((await client.get<{ messages: Message[] }>(`/api/rooms/${room.id}/messages`, { token: bob.token })).body.messages).toEqual([]);
    expect((await client.get(`/api/rooms/${room.id}/messages`, { token: mallory.token })).status).toBe(404);
    expect((await client.get<Room>(`/api/rooms/${room.id}`, { token: alice.token })).body.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());
  });
});
