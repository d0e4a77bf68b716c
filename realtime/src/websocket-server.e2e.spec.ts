// The `/ws` endpoint over real connections: a uWS server on a free port, `ws` clients, the in-process
// change feed and key-value store, and access tokens signed with a key made for the suite.
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  type InProcessChangeFeed,
  type MessageView,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_CONNECTIONS_TOPIC,
  type PresenceConnectionMessage,
  type SessionRegistry,
} from '@chat/platform';
import WebSocket from 'ws';
import { TestClient as Client } from './testing/websocket-test-client';
import type { MissedMessages, RoomMembership } from './room-membership';
import { deliveryLatencySeconds, slowConsumersDropped, websocketConnections, websocketFrames } from './realtime-metrics';
import { startTestEndpoint, type TestEndpoint } from './testing/test-endpoint';
import { CLOSE_CODES } from './websocket-server';

async function metricValue(metric: { get(): Promise<{ values: { value: number; labels: object; metricName?: string }[] }> }, match: (labels: Record<string, unknown>, metricName?: string) => boolean = () => true): Promise<number> {
  const { values } = await metric.get();
  return values.find((value) => match(value.labels as Record<string, unknown>, value.metricName))?.value ?? 0;
}

const TYPING_TIMEOUT_MS = 400;
const HEARTBEAT_MS = 100;
const SILENCE_MS = 150;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(10);
  }
}

describe('realtime WebSocket endpoint', () => {
  let realtime: TestEndpoint;
  let changeFeed: InProcessChangeFeed;
  let sessions: SessionRegistry;
  const roomsByUser = new Map<string, string[]>();
  const membership: RoomMembership = { roomsOf: async (userId) => [...(roomsByUser.get(userId) ?? [])] };
  // The message history read model, and what happens while a resuming connection reads it.
  const historyByRoom = new Map<string, MessageView[]>();
  let whileReadingHistory: (() => Promise<void>) | undefined;
  const missedMessages: MissedMessages = {
    after: async (userId, roomId, afterSeq, limit) => {
      const during = whileReadingHistory;
      whileReadingHistory = undefined;
      await during?.();
      if (!(roomsByUser.get(userId) ?? []).includes(roomId)) return undefined;
      return (historyByRoom.get(roomId) ?? []).filter((message) => message.seq > afterSeq).slice(0, limit);
    },
  };
  const presenceReports: PresenceConnectionMessage[] = [];
  const clients: Client[] = [];
  let sessionCount = 0;

  beforeAll(async () => {
    realtime = await startTestEndpoint({
      membership,
      missedMessages,
      nodeId: 'node-1',
      limits: {
        typingTimeoutMs: TYPING_TIMEOUT_MS,
        authTimeoutMs: 500,
        tokenExpiryGraceMs: 0,
        sessionCheckIntervalMs: 100,
        maxPayloadBytes: 1024,
        frames: { capacity: 40, refillPerSecond: 20 },
        typingStarts: { capacity: 3, refillPerSecond: 0.5 },
        maxRateLimitStrikes: 5,
        resumeMessagesPerRoom: 10,
        resumeMessagesTotal: 15,
        maxHeldFramesPerRoom: 3,
        presenceHeartbeatIntervalMs: HEARTBEAT_MS,
      },
    });
    ({ changeFeed, sessions } = realtime);
    await changeFeed.subscribe(PRESENCE_CONNECTIONS_TOPIC, (message) => void presenceReports.push(message.payload as PresenceConnectionMessage));
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    roomsByUser.clear();
    historyByRoom.clear();
    whileReadingHistory = undefined;
  });

  afterAll(() => realtime.close());

  async function tokenFor(userId: string, options: { live?: boolean; sessionId?: string; issuedAt?: Date } = {}): Promise<string> {
    return realtime.tokenFor({ userId, sessionId: options.sessionId ?? `session-${++sessionCount}` }, options);
  }
  /** Issued long enough ago that it expires `inMs` from now (negative: expired already). */
  const issuedToExpireIn = (inMs: number) => new Date(Date.now() - ACCESS_TOKEN_LIFETIME_SECONDS * 1000 + inMs);

  function connect(query = ''): Client {
    const client = new Client(new WebSocket(`ws://127.0.0.1:${realtime.port}/ws${query}`));
    clients.push(client);
    return client;
  }

  async function connected(userId: string): Promise<Client> {
    const client = connect(`?token=${await tokenFor(userId)}`);
    await client.open();
    await client.roundTrip();
    return client;
  }

  const roomChange = (roomId: string, type: string, data: Record<string, unknown>) => changeFeed.publish(`room.${roomId}`, { type, roomId, data });
  const userChange = (userId: string, roomId: string, type: string, data: Record<string, unknown>) => changeFeed.publish(`user.${userId}`, { type, roomId, data });

  it('closes with 4401 when the token in the query is not valid', async () => {
    const client = connect('?token=not-a-token');
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('closes with 4401 when the token is valid but its session is not live (revoked)', async () => {
    const client = connect(`?token=${await tokenFor('ann', { live: false })}`);
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('closes with 4401 when the auth frame carries a bad token', async () => {
    const client = connect();
    await client.open();
    client.send({ type: 'auth', token: 'forged' });
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('closes with 4401 when no auth frame comes in time', async () => {
    const client = connect();
    await client.open();
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('closes with 4401 when the first frame is not an auth frame', async () => {
    const client = connect();
    await client.open();
    client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('authenticates with the token in the query, says until when, and answers ping with pong', async () => {
    const client = await connected('ann');
    expect(client.frames).toEqual([{ type: 'authenticated', data: { userId: 'ann', expiresAt: expect.any(String) } }, { type: 'pong' }]);
    expect(Date.parse(String(client.frames[0]?.data?.expiresAt))).toBeGreaterThan(Date.now());
  });

  it('closes with 4401 when the token has expired', async () => {
    const client = connect(`?token=${await tokenFor('ann', { issuedAt: issuedToExpireIn(-60_000) })}`);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.unauthenticated, reason: 'The access token has expired' });
  });

  it('closes with 4401 when the token expires while connected', async () => {
    const client = connect(`?token=${await tokenFor('ann', { issuedAt: issuedToExpireIn(1000) })}`);
    await client.open();
    await client.next((frame) => frame.type === 'authenticated');
    expect((await client.closed).code).toBe(CLOSE_CODES.unauthenticated);
  });

  it('stays open past the first token’s expiry once an auth frame renewed it', async () => {
    const client = connect(`?token=${await tokenFor('ann', { sessionId: 'renewed', issuedAt: issuedToExpireIn(1000) })}`);
    await client.open();
    const first = await client.next((frame) => frame.type === 'authenticated');
    client.send({ type: 'auth', token: await tokenFor('ann', { sessionId: 'renewed' }) });
    const renewed = await client.next((frame) => frame.type === 'authenticated' && frame !== first);
    expect(Date.parse(String(renewed.data?.expiresAt))).toBeGreaterThan(Date.parse(String(first.data?.expiresAt)));
    await pause(Date.parse(String(first.data?.expiresAt)) - Date.now() + 200);
    await client.roundTrip();
  });

  it('refuses to renew a connection with another user’s token', async () => {
    const client = await connected('ann');
    client.send({ type: 'auth', token: await tokenFor('bob') });
    expect((await client.next((frame) => frame.type === 'error')).error?.code).toBe('FORBIDDEN');
    await client.roundTrip();
  });

  it('closes with 4401 a connection whose session is revoked', async () => {
    const client = connect(`?token=${await tokenFor('ann', { sessionId: 'revoked-later' })}`);
    await client.open();
    await client.roundTrip();
    await sessions.markRevoked(['revoked-later']);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.unauthenticated, reason: 'The session has ended' });
  });

  it('authenticates with a first auth frame, answering the frames sent meanwhile afterwards', async () => {
    roomsByUser.set('ann', ['r1']);
    const client = connect();
    await client.open();
    client.send({ type: 'auth', token: await tokenFor('ann') });
    await client.roundTrip();
    await roomChange('r1', 'message.created', { id: 'm1', text: 'hello' });
    expect((await client.next((frame) => frame.type === 'message.created')).data).toEqual({ id: 'm1', text: 'hello' });
  });

  it('answers a malformed frame with a VALIDATION_FAILED error frame and stays open', async () => {
    const client = await connected('ann');
    client.send('not json');
    client.send({ type: 'dance' });
    client.send({ type: 'typing', roomId: 'r1', state: 'maybe' });
    await client.roundTrip();
    const errors = client.frames.filter((frame) => frame.type === 'error');
    expect(errors).toHaveLength(3);
    for (const error of errors) expect(error.error?.code).toBe('VALIDATION_FAILED');
  });

  it('closes a connection that sends a frame over the size limit (1009)', async () => {
    const client = await connected('ann');
    client.send({ type: 'ping', padding: 'x'.repeat(2048) });
    expect((await client.closed).code).toBe(CLOSE_CODES.frameTooLarge);
  });

  it('cuts a connection that sends a frame over uWS’s hard cap', async () => {
    const client = await connected('ann');
    client.send({ type: 'ping', padding: 'x'.repeat(8 * 1024) });
    expect((await client.closed).code).toBe(1006);
  });

  it('refuses frames over the rate with an error frame, then closes with 4429 on repeated abuse', async () => {
    const client = await connected('ann');
    for (let i = 0; i < 60; i++) client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(CLOSE_CODES.rateLimited);
    expect(client.frames.some((frame) => frame.error?.code === 'RATE_LIMITED')).toBe(true);
  });

  it('delivers a room’s changes to its members only', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r2']);
    const ann = await connected('ann');
    const bob = await connected('bob');
    await roomChange('r1', 'message.created', { id: 'm1' });
    await roomChange('r2', 'message.created', { id: 'm2' });
    expect((await ann.next((frame) => frame.type === 'message.created')).roomId).toBe('r1');
    expect((await bob.next((frame) => frame.type === 'message.created')).roomId).toBe('r2');
    await pause(SILENCE_MS);
    expect(ann.frames.filter((frame) => frame.type === 'message.created')).toHaveLength(1);
    expect(bob.frames.filter((frame) => frame.type === 'message.created')).toHaveLength(1);
  });

  it('delivers a user’s own changes on their user topic', async () => {
    const ann = await connected('ann');
    await userChange('ann', 'r1', 'unread.updated', { unreadCount: 3, lastReadSeq: 1 });
    expect((await ann.next((frame) => frame.type === 'unread.updated')).data).toEqual({ unreadCount: 3, lastReadSeq: 1 });
  });

  it('starts delivering a room on member.joined and stops on member.left, without reconnecting', async () => {
    const ann = await connected('ann');
    await roomChange('r1', 'member.joined', { userId: 'ann' });
    await userChange('ann', 'r1', 'member.joined', { userId: 'ann' });
    await ann.next((frame) => frame.type === 'member.joined');
    await roomChange('r1', 'message.created', { id: 'm1' });
    await ann.next((frame) => frame.type === 'message.created');

    await roomChange('r1', 'member.left', { userId: 'ann' });
    await userChange('ann', 'r1', 'member.left', { userId: 'ann' });
    await ann.next((frame) => frame.type === 'member.left');
    await roomChange('r1', 'message.created', { id: 'm2' });
    await pause(SILENCE_MS);
    expect(ann.frames.filter((frame) => frame.type === 'message.created').map((frame) => frame.data?.id)).toEqual(['m1']);
    expect(ann.frames.filter((frame) => frame.type === 'member.joined')).toHaveLength(1);
    expect(ann.frames.filter((frame) => frame.type === 'member.left')).toHaveLength(1);
  });

  it('relays typing to the other members, not to the typist’s own connections, and stops it by itself', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1']);
    const ann = await connected('ann');
    const annElsewhere = await connected('ann');
    const bob = await connected('bob');
    ann.send({ type: 'typing', roomId: 'r1', state: 'start' });
    const started = await bob.next((frame) => frame.type === 'typing');
    expect(started).toMatchObject({ type: 'typing', roomId: 'r1', data: { userId: 'ann', state: 'start' } });
    const stopped = await bob.next((frame) => frame.type === 'typing' && frame.data?.state === 'stop', TYPING_TIMEOUT_MS * 3);
    expect(stopped.data?.userId).toBe('ann');
    expect(ann.frames.some((frame) => frame.type === 'typing')).toBe(false);
    expect(annElsewhere.frames.some((frame) => frame.type === 'typing')).toBe(false);
  });

  it('keeps a renewed typing state going and tells the others once', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1']);
    const ann = await connected('ann');
    const bob = await connected('bob');
    const startedAt = Date.now();
    for (let i = 0; i < 4; i++) {
      ann.send({ type: 'typing', roomId: 'r1', state: 'start' });
      await pause(TYPING_TIMEOUT_MS / 2);
    }
    await bob.next((frame) => frame.type === 'typing' && frame.data?.state === 'stop', TYPING_TIMEOUT_MS * 3);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS * 2);
    expect(bob.frames.filter((frame) => frame.type === 'typing').map((frame) => frame.data?.state)).toEqual(['start', 'stop']);
  });

  it('refuses typing in a room the user is not a member of', async () => {
    roomsByUser.set('bob', ['r1']);
    const ann = await connected('ann');
    const bob = await connected('bob');
    ann.send({ type: 'typing', roomId: 'r1', state: 'start' });
    expect((await ann.next((frame) => frame.type === 'error')).error?.code).toBe('FORBIDDEN');
    await pause(SILENCE_MS);
    expect(bob.frames.some((frame) => frame.type === 'typing')).toBe(false);
  });

  const messageView = (roomId: string, seq: number): MessageView => ({
    id: `${roomId}-m${seq}`, roomId, seq, authorId: 'bob', text: `message ${seq}`, createdAt: new Date().toISOString(), deleted: false, reactions: {}, attachments: [],
  });
  const createdFrame = (message: MessageView) => ({ type: 'message.created', roomId: message.roomId, seq: message.seq, data: message });
  /** As the projection does it: into the read model first, then (unless told not to yet) on the change feed. */
  async function messageSent(roomId: string, seq: number, options: { publish?: boolean } = {}): Promise<MessageView> {
    const message = messageView(roomId, seq);
    historyByRoom.set(roomId, [...(historyByRoom.get(roomId) ?? []), message]);
    if (options.publish ?? true) await changeFeed.publish(`room.${roomId}`, createdFrame(message));
    return message;
  }
  const createdSeqs = (client: Client, roomId: string) => client.frames.filter((frame) => frame.type === 'message.created' && frame.roomId === roomId).map((frame) => frame.seq);

  it('resumes with exactly the missed messages, in order and once, also those sent during the catch-up', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1']);
    // Another member connected: the room's live frames are published to its uWS topic meanwhile.
    const bob = await connected('bob');
    for (let seq = 1; seq <= 5; seq++) await messageSent('r1', seq);
    let seventhOnTheFeed: (() => Promise<void>) | undefined;
    whileReadingHistory = async () => {
      // In the history read and live during the catch-up: sent once.
      await messageSent('r1', 6);
      await roomChange('r1', 'message.updated', { id: 'r1-m4', text: 'edited' });
      // In the history read, its live frame still on the way when the catch-up ends: sent once.
      const seventh = await messageSent('r1', 7, { publish: false });
      seventhOnTheFeed = () => changeFeed.publish('room.r1', createdFrame(seventh));
    };
    const ann = connect(`?token=${await tokenFor('ann')}`);
    await ann.open();
    ann.send({ type: 'resume', cursors: { r1: 2 } });
    await ann.next((frame) => frame.type === 'resumed');
    await seventhOnTheFeed?.();
    await messageSent('r1', 8);
    await messageSent('r1', 9);
    await ann.next((frame) => frame.seq === 9);
    await ann.roundTrip();
    expect(createdSeqs(ann, 'r1')).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(createdSeqs(bob, 'r1')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const types = ann.frames.map((frame) => frame.type);
    expect(types.indexOf('message.updated')).toBeGreaterThan(types.indexOf('message.created'));
    expect(ann.frames.find((frame) => frame.seq === 3)?.data).toMatchObject({ id: 'r1-m3', roomId: 'r1', seq: 3, text: 'message 3', deleted: false });
  });

  it('resumes as it authenticates when the auth frame carries cursors', async () => {
    roomsByUser.set('ann', ['r1']);
    for (let seq = 1; seq <= 3; seq++) await messageSent('r1', seq);
    whileReadingHistory = async () => void (await messageSent('r1', 4));
    const ann = connect();
    await ann.open();
    ann.send({ type: 'auth', token: await tokenFor('ann'), cursors: { r1: 1 } });
    await ann.next((frame) => frame.type === 'resumed');
    await ann.next((frame) => frame.seq === 4);
    expect(ann.frames[0]?.type).toBe('authenticated');
    expect(createdSeqs(ann, 'r1')).toEqual([2, 3, 4]);
  });

  it('catches up, after a resume sent late, only on what precedes the live messages already sent', async () => {
    roomsByUser.set('ann', ['r1']);
    for (let seq = 1; seq <= 3; seq++) await messageSent('r1', seq);
    const ann = await connected('ann');
    await messageSent('r1', 4);
    await ann.next((frame) => frame.seq === 4);
    ann.send({ type: 'resume', cursors: { r1: 1 } });
    await ann.next((frame) => frame.type === 'resumed');
    expect(createdSeqs(ann, 'r1')).toEqual([4, 2, 3]);
  });

  it('tells a client too far behind in a room to reload it (resync), and goes on live there', async () => {
    roomsByUser.set('ann', ['r1', 'r2']);
    for (let seq = 1; seq <= 11; seq++) await messageSent('r1', seq);
    for (let seq = 1; seq <= 3; seq++) await messageSent('r2', seq);
    const ann = connect(`?token=${await tokenFor('ann')}`);
    await ann.open();
    ann.send({ type: 'resume', cursors: { r1: 0, r2: 1 } });
    await ann.next((frame) => frame.type === 'resumed');
    expect(ann.frames.filter((frame) => frame.type === 'resync')).toEqual([{ type: 'resync', roomId: 'r1', data: { reason: 'too-far-behind' } }]);
    expect(createdSeqs(ann, 'r1')).toEqual([]);
    expect(createdSeqs(ann, 'r2')).toEqual([2, 3]);
    await messageSent('r1', 12);
    await ann.next((frame) => frame.roomId === 'r1' && frame.seq === 12);
  });

  it('tells a client to reload a room that changes too much while it is caught up on, with every frame since sent once', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1']);
    const bob = await connected('bob');
    for (let seq = 1; seq <= 5; seq++) await messageSent('r1', seq);
    whileReadingHistory = async () => {
      for (let seq = 6; seq <= 9; seq++) await messageSent('r1', seq);
    };
    const ann = connect(`?token=${await tokenFor('ann')}`);
    await ann.open();
    ann.send({ type: 'resume', cursors: { r1: 2 } });
    await ann.next((frame) => frame.type === 'resumed');
    await messageSent('r1', 10);
    await ann.next((frame) => frame.seq === 10);
    await ann.roundTrip();
    expect(ann.frames.filter((frame) => frame.type === 'resync')).toEqual([{ type: 'resync', roomId: 'r1', data: { reason: 'too-far-behind' } }]);
    expect(createdSeqs(ann, 'r1')).toEqual([6, 7, 8, 9, 10]);
    expect(createdSeqs(bob, 'r1')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('sends at most the resume budget over all rooms, and resync for the rooms beyond it', async () => {
    roomsByUser.set('ann', ['r1', 'r2']);
    for (const roomId of ['r1', 'r2']) for (let seq = 1; seq <= 8; seq++) await messageSent(roomId, seq);
    const ann = await connected('ann');
    ann.send({ type: 'resume', cursors: { r1: 0, r2: 0 } });
    await ann.next((frame) => frame.type === 'resumed');
    expect(createdSeqs(ann, 'r1')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(createdSeqs(ann, 'r2')).toEqual([]);
    expect(ann.frames.filter((frame) => frame.type === 'resync').map((frame) => frame.roomId)).toEqual(['r2']);
  });

  it('answers a resume naming a room the user is not a member of with resync for it', async () => {
    roomsByUser.set('ann', ['r1']);
    await messageSent('r2', 1);
    const ann = await connected('ann');
    ann.send({ type: 'resume', cursors: { r2: 0 } });
    await ann.next((frame) => frame.type === 'resumed');
    expect(ann.frames.filter((frame) => frame.type === 'resync')).toEqual([{ type: 'resync', roomId: 'r2', data: { reason: 'not-a-member' } }]);
    expect(createdSeqs(ann, 'r2')).toEqual([]);
  });

  it('stops a room’s frames at once when the user is removed during the catch-up, after those held', async () => {
    roomsByUser.set('ann', ['r1']);
    for (let seq = 1; seq <= 2; seq++) await messageSent('r1', seq);
    whileReadingHistory = async () => {
      await messageSent('r1', 3);
      roomsByUser.set('ann', []);
      await roomChange('r1', 'member.left', { userId: 'ann' });
      await userChange('ann', 'r1', 'member.left', { userId: 'ann' });
    };
    const ann = await connected('ann');
    ann.send({ type: 'resume', cursors: { r1: 0 } });
    await ann.next((frame) => frame.type === 'resumed');
    await messageSent('r1', 4);
    await ann.roundTrip();
    expect(createdSeqs(ann, 'r1')).toEqual([3]);
    expect(ann.frames.filter((frame) => frame.type === 'member.left')).toHaveLength(1);
  });

  it('limits how often a connection may start typing', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1']);
    const ann = await connected('ann');
    const bob = await connected('bob');
    for (let i = 0; i < 4; i++) {
      ann.send({ type: 'typing', roomId: 'r1', state: 'start' });
      ann.send({ type: 'typing', roomId: 'r1', state: 'stop' });
    }
    expect((await ann.next((frame) => frame.type === 'error')).error?.code).toBe('RATE_LIMITED');
    await ann.roundTrip();
    await until(() => bob.frames.filter((frame) => frame.type === 'typing').length === 6, 'three starts and stops');
    await pause(SILENCE_MS);
    expect(bob.frames.filter((frame) => frame.type === 'typing').map((frame) => frame.data?.state)).toEqual(['start', 'stop', 'start', 'stop', 'start', 'stop']);
  });

  it('reports each connection for presence: connected, in every heartbeat while open, disconnected', async () => {
    const reportsOf = (kind: 'connected' | 'disconnected') =>
      presenceReports.flatMap((report) => (report.kind === kind && report.userId === 'pat' ? [report] : []));
    const firstTab = await connected('pat');
    await connected('pat');
    await until(() => reportsOf('connected').length === 2, 'two connections reported');
    const [first, second] = reportsOf('connected').map((report) => report.connectionId);
    expect(first).not.toBe(second);
    expect(reportsOf('connected').every((report) => report.nodeId === 'node-1')).toBe(true);
    const heartbeatListing = (connectionIds: readonly (string | undefined)[]) =>
      presenceReports.some(
        (report) => report.kind === 'heartbeat' && connectionIds.every((id) => report.connections.some((connection) => connection.userId === 'pat' && connection.connectionId === id)),
      );
    await until(() => heartbeatListing([first, second]), 'a heartbeat listing both');

    firstTab.close();
    await until(() => reportsOf('disconnected').length === 1, 'the closed one reported');
    expect(reportsOf('disconnected')[0]?.connectionId).toBe(first);
    presenceReports.length = 0;
    await until(() => presenceReports.some((report) => report.kind === 'heartbeat'), 'a later heartbeat');
    expect(heartbeatListing([second])).toBe(true);
    expect(heartbeatListing([first])).toBe(false);
  });

  it('pushes presence changes to those who share a room with the user, once each, latest only, never to the user', async () => {
    roomsByUser.set('ann', ['r1']);
    roomsByUser.set('bob', ['r1', 'r2']);
    roomsByUser.set('carl', ['r3']);
    const ann = await connected('ann');
    const bob = await connected('bob');
    const carl = await connected('carl');
    const change = (online: boolean, minute: number) => ({ userId: 'ann', online, lastSeenAt: `2026-11-26T00:0${minute}:00.000Z` });
    await changeFeed.publish(PRESENCE_CHANGES_TOPIC, change(true, 1));
    await changeFeed.publish(PRESENCE_CHANGES_TOPIC, change(true, 1));
    await changeFeed.publish(PRESENCE_CHANGES_TOPIC, change(false, 0));
    await changeFeed.publish(PRESENCE_CHANGES_TOPIC, change(false, 2));
    await bob.next((frame) => frame.type === 'presence' && frame.data?.online === false);
    await pause(SILENCE_MS);
    expect(bob.frames.filter((frame) => frame.type === 'presence')).toEqual([
      { type: 'presence', data: change(true, 1) },
      { type: 'presence', data: change(false, 2) },
    ]);
    expect(ann.frames.some((frame) => frame.type === 'presence')).toBe(false);
    expect(carl.frames.some((frame) => frame.type === 'presence')).toBe(false);
  });

  it('closes a connection that does not read what it is sent with 4408', async () => {
    roomsByUser.set('ann', ['r1']);
    const ann = await connected('ann');
    ann.socket.pause();
    const text = 'x'.repeat(64 * 1024);
    let closedCode: number | undefined;
    void ann.closed.then(({ code }) => (closedCode = code));
    for (let i = 0; i < 400 && closedCode === undefined; i++) {
      await roomChange('r1', 'message.created', { id: `m${i}`, text });
      await pause(2);
    }
    ann.socket.resume();
    expect((await ann.closed).code).toBe(CLOSE_CODES.slowConsumer);
    expect(await metricValue(slowConsumersDropped)).toBeGreaterThanOrEqual(1);
  });

  it('counts connections, frames in and out, and the delivery latency', async () => {
    const framesIn = () => metricValue(websocketFrames, (labels) => labels.direction === 'in');
    const framesOut = () => metricValue(websocketFrames, (labels) => labels.direction === 'out');
    const latencyCount = () => metricValue(deliveryLatencySeconds, (_labels, name) => name === 'realtime_delivery_latency_seconds_count');
    const [inBefore, outBefore, latencyBefore] = [await framesIn(), await framesOut(), await latencyCount()];
    roomsByUser.set('ann', ['r1']);
    const ann = await connected('ann');
    expect(await metricValue(websocketConnections)).toBeGreaterThanOrEqual(1);
    await roomChange('r1', 'message.created', { id: 'm1', createdAt: new Date().toISOString() });
    await ann.next((frame) => frame.type === 'message.created');
    expect(await framesIn()).toBeGreaterThanOrEqual(inBefore + 1);
    expect(await framesOut()).toBeGreaterThanOrEqual(outBefore + 2);
    expect(await latencyCount()).toBeGreaterThanOrEqual(latencyBefore + 1);
    const exposition = await fetch(`http://127.0.0.1:${realtime.port}/metrics`).then((response) => response.text());
    for (const name of ['realtime_websocket_connections', 'realtime_frames_total', 'realtime_slow_consumers_dropped_total', 'realtime_delivery_latency_seconds']) {
      expect(exposition).toContain(name);
    }
  });
});
