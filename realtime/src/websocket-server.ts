// The WebSocket endpoint `/ws` (API.md, Realtime): authenticates a connection with its access token,
// subscribes it to its rooms and to its own user topic, and forwards every change of the change feed
// to the connections it concerns through uWS's pub/sub. Typing is relayed through the change feed so
// that members connected to other nodes see it too. A resuming client is first sent what it missed
// (see room-catch-up.ts); connections are reported for presence, and presence changes pushed to the
// people who share a room with the user.
import { randomUUID } from 'node:crypto';
import { assertNever } from '@chat/domain';
import {
  type AccessTokenVerifier,
  ApiError,
  type AuthenticatedUser,
  type ChangeFeed,
  type ChangeMessage,
  type Logger,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_HEARTBEAT_INTERVAL_MS,
  type PresenceChange,
  presenceChangeSchema,
  type SessionRegistry,
} from '@chat/platform';
import type * as uWS from 'uWebSockets.js';
import { type ClientFrame, parseClientFrame } from './client-frames';
import { LatestPresence, PresenceReporter } from './presence';
import { deliveryLatencySeconds, slowConsumersDropped, websocketConnections, websocketFrames } from './realtime-metrics';
import { RoomCatchUp } from './room-catch-up';
import type { MissedMessages, RoomMembership } from './room-membership';
import { TokenBucket, type TokenBucketPolicy } from './token-bucket';

export const WEBSOCKET_PATH = '/ws';

/** The close codes of the contract, beside the standard ones uWS uses itself (1009: frame too large). */
export const CLOSE_CODES = {
  goingAway: 1001,
  frameTooLarge: 1009,
  internalError: 1011,
  unauthenticated: 4401,
  slowConsumer: 4408,
  rateLimited: 4429,
} as const;

export interface WebSocketLimits {
  /** How long a connection without a `token` query parameter has to send its `auth` frame. */
  readonly authTimeoutMs: number;
  /**
   * A connection is closed (4401) this long after its access token's expiry unless an `auth` frame with a fresh
   * token renewed it; the same tolerance the HTTP services give a token, for clocks that disagree.
   */
  readonly tokenExpiryGraceMs: number;
  /** How often the sessions of open connections are checked, so that a revoked one (logout, password change) is closed (4401). */
  readonly sessionCheckIntervalMs: number;
  /** A typing state stops by itself this long after its last renewal. */
  readonly typingTimeoutMs: number;
  /** uWS closes a connection silent for this long; it pings automatically before that. */
  readonly idleTimeoutSeconds: number;
  /** A bigger frame closes the connection with 1009. uWS itself drops one over four times this without a close frame. */
  readonly maxPayloadBytes: number;
  /** A connection with more than this waiting to be sent is closed (4408): it resumes from its cursors. */
  readonly slowConsumerBytes: number;
  readonly frames: TokenBucketPolicy;
  /** Typing notifications a connection may start (renewing one is free); the others get a RATE_LIMITED error frame. */
  readonly typingStarts: TokenBucketPolicy;
  /** Frames refused for the rate within `strikeWindowMs` of each other before the connection is closed (4429). */
  readonly maxRateLimitStrikes: number;
  readonly strikeWindowMs: number;
  /** Frames kept while the token is being verified, answered once it is. */
  readonly maxFramesWhileAuthenticating: number;
  /** A room with more missed messages than this is not caught up on `resume`: the client gets `resync` for it. */
  readonly resumeMessagesPerRoom: number;
  /** The most messages one `resume` sends over all its rooms; the rooms beyond get `resync`. */
  readonly resumeMessagesTotal: number;
  /** Live frames of one room held while its history is read; beyond this the room gets `resync`. */
  readonly maxHeldFramesPerRoom: number;
  readonly presenceHeartbeatIntervalMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  authTimeoutMs: 5000,
  tokenExpiryGraceMs: 5000,
  sessionCheckIntervalMs: 30_000,
  typingTimeoutMs: 5000,
  idleTimeoutSeconds: 60,
  maxPayloadBytes: 16 * 1024,
  slowConsumerBytes: 1024 * 1024,
  frames: { capacity: 30, refillPerSecond: 10 },
  typingStarts: { capacity: 5, refillPerSecond: 1 },
  maxRateLimitStrikes: 20,
  strikeWindowMs: 10_000,
  maxFramesWhileAuthenticating: 16,
  resumeMessagesPerRoom: 200,
  resumeMessagesTotal: 1000,
  maxHeldFramesPerRoom: 500,
  presenceHeartbeatIntervalMs: PRESENCE_HEARTBEAT_INTERVAL_MS,
};

export interface WebSocketEndpointOptions {
  readonly changeFeed: ChangeFeed;
  readonly verifier: AccessTokenVerifier;
  readonly sessions: SessionRegistry;
  readonly membership: RoomMembership;
  readonly missedMessages: MissedMessages;
  readonly logger: Logger;
  /** This node in presence reports; a new UUID by default. */
  readonly nodeId?: string;
  readonly limits?: Partial<WebSocketLimits>;
}

export interface WebSocketEndpoint {
  /** Stops following the change feed and closes every connection (1001). */
  close(): Promise<void>;
}

/** A change as the projections publish it (and as a client receives it). */
interface ChangeFrame {
  readonly type: string;
  readonly roomId?: string;
  readonly seq?: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Why a client should reload a room (or its room list) rather than wait for frames. */
type ResyncReason = 'too-far-behind' | 'not-a-member' | 'unavailable';

/** One room of a `resume`: read after `cursor`; with a catch-up, live frames are held meanwhile. */
interface ResumePlan {
  readonly roomId: string;
  readonly cursor: number;
  /** Absent when live frames reached the connection before the resume: only what precedes them is read. */
  readonly catchUp?: RoomCatchUp;
  readonly beforeSeq?: number;
}

type AuthState =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'verifying'; readonly queued: string[] }
  | { readonly kind: 'authenticated'; readonly user: AuthenticatedUser };

/** One client's connection, kept as the socket's user data. */
class Connection {
  readonly id = randomUUID();
  socket?: uWS.WebSocket<SocketData>;
  auth: AuthState = { kind: 'waiting' };
  closed = false;
  /** Reported connected for presence, and not yet disconnected. */
  presenceReported = false;
  readonly rooms = new Set<string>();
  /** Rooms being caught up on after `resume`: the connection takes their frames one by one, not from the uWS topic. */
  readonly catchUps = new Map<string, RoomCatchUp>();
  /** Per room, the seq of the first `message.created` sent to it live: a late `resume` reads only up to it. */
  readonly firstLiveSeq = new Map<string, number>();
  /** While the initial room list is read: the rooms left meanwhile, which must not be joined from it. */
  leftWhileLoading?: Set<string>;
  readonly typing = new Map<string, NodeJS.Timeout>();
  authTimer?: NodeJS.Timeout;
  expiryTimer?: NodeJS.Timeout;
  strikes = 0;
  lastStrikeAt = 0;

  constructor(
    readonly queryToken: string | undefined,
    readonly bucket: TokenBucket,
    readonly typingStarts: TokenBucket,
  ) {}

  get userId(): string | undefined {
    return this.auth.kind === 'authenticated' ? this.auth.user.userId : undefined;
  }
}

interface SocketData {
  readonly connection: Connection;
}

const roomTopic = (roomId: string) => `room/${roomId}`;
const userTopic = (userId: string) => `user/${userId}`;
const FEED_ROOM_PREFIX = 'room.';
const FEED_USER_PREFIX = 'user.';
/** How many connections' sessions one read of the store checks. */
const SESSION_CHECK_CHUNK = 500;

export async function attachWebSocketEndpoint(app: uWS.TemplatedApp, options: WebSocketEndpointOptions): Promise<WebSocketEndpoint> {
  const limits: WebSocketLimits = { ...DEFAULT_WEBSOCKET_LIMITS, ...options.limits };
  const { changeFeed, logger } = options;
  const connections = new Set<Connection>();
  const presence = new PresenceReporter({
    changeFeed,
    nodeId: options.nodeId ?? randomUUID(),
    logger,
    heartbeatIntervalMs: limits.presenceHeartbeatIntervalMs,
    openConnections: function* () {
      for (const connection of connections) if (connection.presenceReported && connection.userId) yield { userId: connection.userId, connectionId: connection.id };
    },
  });
  const latestPresence = new LatestPresence();
  const socketsOfUser = new Map<string, Set<Connection>>();
  const socketsOfRoom = new Map<string, Set<Connection>>();

  const addTo = (index: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    const set = index.get(key) ?? new Set<Connection>();
    set.add(connection);
    index.set(key, set);
  };
  const removeFrom = (index: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    const set = index.get(key);
    set?.delete(connection);
    if (set?.size === 0) index.delete(key);
  };

  const end = (connection: Connection, code: number, reason: string) => {
    if (connection.closed || !connection.socket) return;
    connection.socket.end(code, reason);
  };

  const dropIfSlow = (connection: Connection) => {
    if (connection.closed || !connection.socket) return;
    if (connection.socket.getBufferedAmount() <= limits.slowConsumerBytes) return;
    slowConsumersDropped.inc();
    end(connection, CLOSE_CODES.slowConsumer, 'slow consumer: reconnect and resume');
  };

  const send = (connection: Connection, text: string) => {
    if (connection.closed || !connection.socket) return;
    dropIfSlow(connection);
    if (connection.closed) return;
    connection.socket.send(text, false);
    websocketFrames.inc({ direction: 'out' });
    dropIfSlow(connection);
  };

  const sendFrame = (connection: Connection, frame: object) => send(connection, JSON.stringify(frame));
  const sendError = (connection: Connection, error: ApiError) => sendFrame(connection, { type: 'error', ...error.toBody() });

  /** `app.publish` to a uWS topic, then the receivers' backlog is checked: none is silently skipped by uWS (see maxBackpressure). */
  const publish = (topic: string, text: string, receivers: readonly Connection[] | ReadonlySet<Connection> | undefined) => {
    const count = receivers === undefined ? 0 : 'size' in receivers ? receivers.size : receivers.length;
    if (!receivers || count === 0) return;
    app.publish(topic, text, false);
    websocketFrames.inc({ direction: 'out' }, count);
    // A receiver dropped here leaves the set it may be in: a Set's iteration allows that, so no copy is needed.
    for (const receiver of receivers) dropIfSlow(receiver);
  };

  /** From the message's append (its `createdAt`, taken just before) to its frame handed to the sockets. */
  const observeLatency = (frame: ChangeFrame) => {
    const at = frame.data?.createdAt;
    if (frame.type !== 'message.created' || typeof at !== 'string') return;
    const madeAt = Date.parse(at);
    if (Number.isFinite(madeAt)) deliveryLatencySeconds.observe(Math.max(0, Date.now() - madeAt) / 1000);
  };

  const join = (connection: Connection, roomId: string) => {
    if (connection.closed || !connection.socket || connection.rooms.has(roomId)) return;
    connection.rooms.add(roomId);
    addTo(socketsOfRoom, roomId, connection);
    connection.socket.subscribe(roomTopic(roomId));
  };

  const leave = (connection: Connection, roomId: string) => {
    connection.leftWhileLoading?.add(roomId);
    if (!connection.rooms.delete(roomId)) return;
    removeFrom(socketsOfRoom, roomId, connection);
    connection.firstLiveSeq.delete(roomId);
    const catchUp = connection.catchUps.get(roomId);
    if (catchUp) {
      // What was held goes out first: it ends with the frame that took the user out of the room.
      connection.catchUps.delete(roomId);
      for (const text of catchUp.release()) send(connection, text);
    }
    stopTyping(connection, roomId);
    if (!connection.closed) connection.socket?.unsubscribe(roomTopic(roomId));
  };

  /** The room's frames come from its uWS topic again, with no more checking. */
  const goLive = (connection: Connection, roomId: string) => {
    connection.catchUps.delete(roomId);
    if (!connection.closed && connection.rooms.has(roomId)) connection.socket?.subscribe(roomTopic(roomId));
  };

  /** Tells the client to reload the room over HTTP instead; the room's frames flow live from here on. */
  const resync = (connection: Connection, roomId: string, reason: ResyncReason) => {
    sendFrame(connection, { type: 'resync', roomId, data: { reason } });
    const catchUp = connection.catchUps.get(roomId);
    if (!catchUp) return;
    for (const text of catchUp.release()) send(connection, text);
    goLive(connection, roomId);
  };

  /** A live frame of a room the connection is catching up on (see room-catch-up.ts). */
  const deliverAtSeam = (connection: Connection, roomId: string, catchUp: RoomCatchUp, frame: ChangeFrame, text: string) => {
    if (catchUp.reading) {
      if (catchUp.hold(frame, text)) return;
      resync(connection, roomId, 'too-far-behind');
      send(connection, text);
      return;
    }
    if (catchUp.admits(frame)) send(connection, text);
    if (catchUp.done) goLive(connection, roomId);
  };

  const onResume = (connection: Connection, user: AuthenticatedUser, cursors: Readonly<Record<string, number>>) => {
    const plans: ResumePlan[] = [];
    // Every room starts holding its live frames now, before any read, though the rooms are read one by one.
    for (const [roomId, cursor] of Object.entries(cursors)) {
      if (!connection.rooms.has(roomId)) {
        resync(connection, roomId, 'not-a-member');
        continue;
      }
      if (connection.catchUps.has(roomId)) continue;
      const firstLiveSeq = connection.firstLiveSeq.get(roomId);
      if (firstLiveSeq !== undefined) {
        plans.push({ roomId, cursor, beforeSeq: firstLiveSeq });
        continue;
      }
      const catchUp = new RoomCatchUp(limits.maxHeldFramesPerRoom);
      connection.catchUps.set(roomId, catchUp);
      connection.socket?.unsubscribe(roomTopic(roomId));
      plans.push({ roomId, cursor, catchUp });
    }
    void catchUpOn(connection, user, plans);
  };

  const catchUpOn = async (connection: Connection, user: AuthenticatedUser, plans: readonly ResumePlan[]) => {
    let budget = limits.resumeMessagesTotal;
    for (const { roomId, cursor, catchUp, beforeSeq } of plans) {
      if (connection.closed) return;
      const limit = Math.min(limits.resumeMessagesPerRoom, budget);
      let missed: Awaited<ReturnType<MissedMessages['after']>> | 'failed';
      try {
        // One more than may be sent tells whether there are too many.
        missed = await options.missedMessages.after(user.userId, roomId, cursor, limit + 1);
      } catch (error) {
        logger.error({ err: error, userId: user.userId, roomId }, 'reading the messages a resuming client missed failed');
        missed = 'failed';
      }
      if (connection.closed) return;
      // Left the room, or resynced, while the history was read.
      if (catchUp ? connection.catchUps.get(roomId) !== catchUp : !connection.rooms.has(roomId)) continue;
      if (missed === 'failed' || missed === undefined) {
        resync(connection, roomId, missed === undefined ? 'not-a-member' : 'unavailable');
        continue;
      }
      const toSend = beforeSeq === undefined ? missed : missed.filter((message) => message.seq < beforeSeq);
      if (toSend.length > limit) {
        resync(connection, roomId, 'too-far-behind');
        continue;
      }
      budget -= toSend.length;
      for (const message of toSend) sendFrame(connection, { type: 'message.created', roomId, seq: message.seq, data: message });
      if (!catchUp) continue;
      for (const text of catchUp.finish(toSend.at(-1)?.seq ?? cursor)) send(connection, text);
      if (catchUp.done) goLive(connection, roomId);
    }
    sendFrame(connection, { type: 'resumed', data: { rooms: plans.map(({ roomId }) => roomId) } });
  };

  const publishTyping = (userId: string, roomId: string, state: 'start' | 'stop') => {
    changeFeed
      .publish(`${FEED_ROOM_PREFIX}${roomId}`, { type: 'typing', roomId, data: { userId, state, at: new Date().toISOString() } })
      .catch((error: unknown) => logger.warn({ err: error, roomId }, 'publishing a typing state failed'));
  };

  const stopTyping = (connection: Connection, roomId: string) => {
    const timer = connection.typing.get(roomId);
    if (!timer) return;
    clearTimeout(timer);
    connection.typing.delete(roomId);
    if (connection.userId) publishTyping(connection.userId, roomId, 'stop');
  };

  const onTyping = (connection: Connection, user: AuthenticatedUser, roomId: string, state: 'start' | 'stop') => {
    if (!connection.rooms.has(roomId)) {
      sendError(connection, ApiError.forbidden('You are not a member of this room'));
      return;
    }
    if (state === 'stop') {
      stopTyping(connection, roomId);
      return;
    }
    const renewing = connection.typing.get(roomId);
    if (renewing) {
      // A renewal only moves the deadline: the others were told already, which keeps typing cheap to repeat.
      clearTimeout(renewing);
    } else if (connection.typingStarts.take()) {
      publishTyping(user.userId, roomId, 'start');
    } else {
      sendError(connection, ApiError.rateLimited(Math.ceil(1 / limits.typingStarts.refillPerSecond), 'Too many typing notifications: slow down'));
      return;
    }
    connection.typing.set(roomId, setTimeout(() => stopTyping(connection, roomId), limits.typingTimeoutMs));
  };

  /** The token's user, or the connection closed with 4401 and undefined. */
  const verify = async (connection: Connection, token: string): Promise<AuthenticatedUser | undefined> => {
    try {
      const user = await options.verifier.verify(token);
      if (!(await options.sessions.isLive(user))) throw ApiError.unauthenticated('The session has ended');
      return connection.closed ? undefined : user;
    } catch (error) {
      end(connection, CLOSE_CODES.unauthenticated, error instanceof ApiError ? error.message : 'The access token is not valid');
      return undefined;
    }
  };

  /** Closes the connection once its token expires, unless a fresh one renews it before; tells the client until when. */
  const acceptUntilExpiry = (connection: Connection, user: AuthenticatedUser, token: string) => {
    // The token was verified, so its payload can be read as it stands; `exp` is a required claim.
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
    clearTimeout(connection.expiryTimer);
    connection.expiryTimer = setTimeout(
      () => end(connection, CLOSE_CODES.unauthenticated, 'The access token has expired: reconnect with a fresh one, or renew it with an auth frame'),
      exp * 1000 + limits.tokenExpiryGraceMs - Date.now(),
    );
    sendFrame(connection, { type: 'authenticated', data: { userId: user.userId, expiresAt: new Date(exp * 1000).toISOString() } });
  };

  const authenticate = async (connection: Connection, token: string, cursors?: Readonly<Record<string, number>>) => {
    connection.auth = { kind: 'verifying', queued: [] };
    const user = await verify(connection, token);
    if (!user) return;
    clearTimeout(connection.authTimer);
    const queued = connection.auth.queued;
    connection.auth = { kind: 'authenticated', user };
    // Registered before the room list is read, so that a membership change meanwhile is not missed.
    addTo(socketsOfUser, user.userId, connection);
    connection.socket?.subscribe(userTopic(user.userId));
    connection.presenceReported = true;
    presence.connected({ userId: user.userId, connectionId: connection.id });
    connection.leftWhileLoading = new Set();
    let rooms: string[];
    try {
      rooms = await options.membership.roomsOf(user.userId);
    } catch (error) {
      logger.error({ err: error, userId: user.userId }, 'reading the rooms of a connecting user failed');
      end(connection, CLOSE_CODES.internalError, 'rooms unavailable, reconnect');
      return;
    }
    const leftWhileLoading = connection.leftWhileLoading ?? new Set<string>();
    connection.leftWhileLoading = undefined;
    for (const roomId of rooms) if (!leftWhileLoading.has(roomId)) join(connection, roomId);
    acceptUntilExpiry(connection, user, token);
    if (cursors) onResume(connection, user, cursors);
    for (const text of queued) onFrame(connection, text);
  };

  /** An `auth` frame on an authenticated connection: a fresh token of the same user keeps it open past the old one's expiry. */
  const renewAuthentication = async (connection: Connection, current: AuthenticatedUser, token: string, cursors?: Readonly<Record<string, number>>) => {
    const user = await verify(connection, token);
    if (!user) return;
    if (user.userId !== current.userId) {
      sendError(connection, ApiError.forbidden('A connection stays with the user it authenticated'));
      return;
    }
    connection.auth = { kind: 'authenticated', user };
    acceptUntilExpiry(connection, user, token);
    if (cursors) onResume(connection, user, cursors);
  };

  let checkingSessions = false;
  /**
   * Closes the connections whose session ended, with one read of the store per SESSION_CHECK_CHUNK connections;
   * a store that does not answer closes nobody (the next round asks again).
   */
  const checkSessions = async () => {
    if (checkingSessions) return;
    checkingSessions = true;
    try {
      const checked = [...connections].flatMap((connection) => (connection.auth.kind === 'authenticated' ? [{ connection, user: connection.auth.user }] : []));
      for (let start = 0; start < checked.length; start += SESSION_CHECK_CHUNK) {
        const chunk = checked.slice(start, start + SESSION_CHECK_CHUNK);
        const live = await options.sessions.whichAreLive(chunk.map(({ user }) => user)).catch(() => chunk.map(() => true));
        for (const [index, { connection, user }] of chunk.entries()) {
          // Unless a renewal moved the connection to another session meanwhile.
          if (!live[index] && connection.auth.kind === 'authenticated' && connection.auth.user === user) end(connection, CLOSE_CODES.unauthenticated, 'The session has ended');
        }
      }
    } finally {
      checkingSessions = false;
    }
  };

  const withinRate = (connection: Connection): boolean => {
    if (connection.bucket.take()) return true;
    const now = performance.now();
    if (now - connection.lastStrikeAt > limits.strikeWindowMs) connection.strikes = 0;
    connection.strikes += 1;
    connection.lastStrikeAt = now;
    if (connection.strikes >= limits.maxRateLimitStrikes) end(connection, CLOSE_CODES.rateLimited, 'too many frames');
    else sendError(connection, ApiError.rateLimited(Math.ceil(1 / limits.frames.refillPerSecond), 'Too many frames: slow down'));
    return false;
  };

  const onFrame = (connection: Connection, text: string) => {
    if (connection.closed) return;
    const { auth } = connection;
    if (auth.kind === 'verifying') {
      if (auth.queued.length >= limits.maxFramesWhileAuthenticating) end(connection, CLOSE_CODES.rateLimited, 'too many frames before authentication');
      else auth.queued.push(text);
      return;
    }
    const parsed = parseClientFrame(text);
    if ('problem' in parsed) {
      sendError(connection, ApiError.validationFailed(parsed.problem));
      return;
    }
    const frame: ClientFrame = parsed.frame;
    if (auth.kind === 'waiting') {
      if (frame.type === 'auth') void authenticate(connection, frame.token, frame.cursors);
      else end(connection, CLOSE_CODES.unauthenticated, 'authenticate first');
      return;
    }
    switch (frame.type) {
      case 'auth':
        void renewAuthentication(connection, auth.user, frame.token, frame.cursors);
        return;
      case 'ping':
        sendFrame(connection, { type: 'pong' });
        return;
      case 'typing':
        onTyping(connection, auth.user, frame.roomId, frame.state);
        return;
      case 'resume':
        onResume(connection, auth.user, frame.cursors);
        return;
      default:
        assertNever(frame);
    }
  };

  const parseChange = (message: ChangeMessage): ChangeFrame | undefined => {
    const frame = message.payload as ChangeFrame | null;
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') {
      logger.warn({ topic: message.topic }, 'a change without a frame type was ignored');
      return undefined;
    }
    return frame;
  };

  const onRoomChange = (message: ChangeMessage) => {
    const frame = parseChange(message);
    if (!frame) return;
    const roomId = message.topic.slice(FEED_ROOM_PREFIX.length);
    const members = socketsOfRoom.get(roomId);
    if (!members) return;
    observeLatency(frame);
    const text = JSON.stringify(frame);
    // Typing is sent one by one, so that no connection of the typist, on any node, hears its own typing.
    const typist = frame.type === 'typing' ? frame.data?.userId : undefined;
    const fromTopic: Connection[] = [];
    const atSeam: [Connection, RoomCatchUp][] = [];
    for (const member of [...members]) {
      const catchUp = member.catchUps.get(roomId);
      if (typist !== undefined && member.userId === typist) continue;
      if (catchUp) atSeam.push([member, catchUp]);
      else if (typist !== undefined) send(member, text);
      else fromTopic.push(member);
    }
    publish(roomTopic(roomId), text, fromTopic);
    if (frame.type === 'message.created' && typeof frame.seq === 'number') {
      for (const member of fromTopic) if (!member.firstLiveSeq.has(roomId)) member.firstLiveSeq.set(roomId, frame.seq);
    }
    // After the topic's publish: a connection that goes back to the topic here must not receive this frame from it as well.
    for (const [member, catchUp] of atSeam) deliverAtSeam(member, roomId, catchUp, frame, text);
    if (frame.type === 'room.deleted') for (const member of [...members]) leave(member, roomId);
  };

  /** Pushed to every connection here that shares a room with the user, whoever's node the user is on. */
  const onPresenceChange = (message: ChangeMessage) => {
    const parsed = presenceChangeSchema.safeParse(message.payload);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 5) }, 'ignored a presence change that does not match its schema');
      return;
    }
    if (connections.size === 0 || !latestPresence.accept(parsed.data)) return;
    void pushPresence(parsed.data);
  };

  const pushPresence = async (change: PresenceChange) => {
    let rooms: string[];
    try {
      rooms = await options.membership.roomsOf(change.userId);
    } catch (error) {
      logger.warn({ err: error, userId: change.userId }, 'reading the rooms of a user whose presence changed failed');
      return;
    }
    if (!latestPresence.isLatest(change)) return;
    const text = JSON.stringify({ type: 'presence', data: change });
    const told = new Set<Connection>();
    for (const roomId of rooms) {
      for (const member of socketsOfRoom.get(roomId) ?? []) {
        if (member.userId === change.userId || told.has(member)) continue;
        told.add(member);
        send(member, text);
      }
    }
  };

  const onUserChange = (message: ChangeMessage) => {
    const frame = parseChange(message);
    if (!frame) return;
    const userId = message.topic.slice(FEED_USER_PREFIX.length);
    const sockets = socketsOfUser.get(userId);
    if (!sockets) return;
    observeLatency(frame);
    const text = JSON.stringify(frame);
    const { roomId } = frame;
    const membershipChange = frame.type === 'member.joined' || frame.type === 'member.left' || frame.type === 'room.created';
    if (!membershipChange || roomId === undefined) {
      publish(userTopic(userId), text, sockets);
      return;
    }
    for (const connection of [...sockets]) {
      // The same change goes to the room first: a connection in the room has it already.
      if (!connection.rooms.has(roomId)) send(connection, text);
      if (frame.type === 'member.left') leave(connection, roomId);
      else join(connection, roomId);
    }
  };

  const unsubscribeRooms = await changeFeed.subscribe(`${FEED_ROOM_PREFIX}*`, onRoomChange);
  const unsubscribeUsers = await changeFeed.subscribe(`${FEED_USER_PREFIX}*`, onUserChange);
  const unsubscribePresence = await changeFeed.subscribe(PRESENCE_CHANGES_TOPIC, onPresenceChange);
  presence.start();
  const sessionChecks = setInterval(() => void checkSessions(), limits.sessionCheckIntervalMs);
  sessionChecks.unref();

  app.ws<SocketData>(WEBSOCKET_PATH, {
    idleTimeout: limits.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    // uWS cuts an oversize frame's connection without a close frame (the client sees 1006); below its
    // hard cap the limit is checked here, so that the client is told why (1009).
    maxPayloadLength: limits.maxPayloadBytes * 4,
    // Above the slow-consumer limit, so that uWS never skips a frame for a connection before it is closed.
    maxBackpressure: limits.slowConsumerBytes * 2,
    closeOnBackpressureLimit: 0,
    upgrade: (response, request, context) => {
      const token = request.getQuery('token') || undefined;
      const connection = new Connection(token, new TokenBucket(limits.frames), new TokenBucket(limits.typingStarts));
      response.upgrade<SocketData>(
        { connection },
        request.getHeader('sec-websocket-key'),
        request.getHeader('sec-websocket-protocol'),
        request.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (socket) => {
      const { connection } = socket.getUserData();
      connection.socket = socket;
      connections.add(connection);
      websocketConnections.inc();
      if (connection.queryToken !== undefined) {
        void authenticate(connection, connection.queryToken);
      } else {
        connection.authTimer = setTimeout(() => end(connection, CLOSE_CODES.unauthenticated, 'no auth frame in time'), limits.authTimeoutMs);
      }
    },
    message: (socket, message, isBinary) => {
      const { connection } = socket.getUserData();
      websocketFrames.inc({ direction: 'in' });
      if (message.byteLength > limits.maxPayloadBytes) {
        end(connection, CLOSE_CODES.frameTooLarge, 'frame too large');
        return;
      }
      if (!withinRate(connection)) return;
      if (isBinary) {
        sendError(connection, ApiError.validationFailed('Frames are JSON text'));
        return;
      }
      onFrame(connection, Buffer.from(message).toString('utf8'));
    },
    close: (socket) => {
      const { connection } = socket.getUserData();
      connection.closed = true;
      connections.delete(connection);
      websocketConnections.dec();
      clearTimeout(connection.authTimer);
      clearTimeout(connection.expiryTimer);
      for (const roomId of [...connection.rooms]) leave(connection, roomId);
      const { userId } = connection;
      if (userId) removeFrom(socketsOfUser, userId, connection);
      reportDisconnected(connection);
    },
  });

  const reportDisconnected = (connection: Connection) => {
    const { userId } = connection;
    if (!connection.presenceReported || !userId) return;
    connection.presenceReported = false;
    presence.disconnected({ userId, connectionId: connection.id });
  };

  return {
    close: async () => {
      clearInterval(sessionChecks);
      await unsubscribeRooms();
      await unsubscribeUsers();
      await unsubscribePresence();
      for (const connection of [...connections]) {
        end(connection, CLOSE_CODES.goingAway, 'server shutting down');
        // Told now, while the change feed is still open, whether or not uWS has run the close handler yet.
        reportDisconnected(connection);
      }
      await presence.close();
    },
  };
}
