// The WebSocket endpoint `/ws` (API.md, Realtime): authenticates a connection with its access token,
// subscribes it to its rooms and to its own user topic, and forwards every change of the change feed
// to the connections it concerns through uWS's pub/sub. Typing is relayed through the change feed so
// that members connected to other nodes see it too.
import { assertNever } from '@chat/domain';
import {
  type AccessTokenVerifier,
  ApiError,
  type AuthenticatedUser,
  type ChangeFeed,
  type ChangeMessage,
  type Logger,
  type SessionRegistry,
} from '@chat/platform';
import type * as uWS from 'uWebSockets.js';
import { type ClientFrame, parseClientFrame } from './client-frames';
import { deliveryLatencySeconds, slowConsumersDropped, websocketConnections, websocketFrames } from './realtime-metrics';
import type { RoomMembership } from './room-membership';
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
  /** A typing state stops by itself this long after its last renewal. */
  readonly typingTimeoutMs: number;
  /** uWS closes a connection silent for this long; it pings automatically before that. */
  readonly idleTimeoutSeconds: number;
  /** A bigger frame closes the connection with 1009. uWS itself drops one over four times this without a close frame. */
  readonly maxPayloadBytes: number;
  /** A connection with more than this waiting to be sent is closed (4408): it resumes from its cursors. */
  readonly slowConsumerBytes: number;
  readonly frames: TokenBucketPolicy;
  /** Frames refused for the rate within `strikeWindowMs` of each other before the connection is closed (4429). */
  readonly maxRateLimitStrikes: number;
  readonly strikeWindowMs: number;
  /** Frames kept while the token is being verified, answered once it is. */
  readonly maxFramesWhileAuthenticating: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  authTimeoutMs: 5000,
  typingTimeoutMs: 5000,
  idleTimeoutSeconds: 60,
  maxPayloadBytes: 16 * 1024,
  slowConsumerBytes: 1024 * 1024,
  frames: { capacity: 30, refillPerSecond: 10 },
  maxRateLimitStrikes: 20,
  strikeWindowMs: 10_000,
  maxFramesWhileAuthenticating: 16,
};

export interface WebSocketEndpointOptions {
  readonly changeFeed: ChangeFeed;
  readonly verifier: AccessTokenVerifier;
  readonly sessions: SessionRegistry;
  readonly membership: RoomMembership;
  readonly logger: Logger;
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
  readonly data?: Readonly<Record<string, unknown>>;
}

type AuthState =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'verifying'; readonly queued: string[] }
  | { readonly kind: 'authenticated'; readonly user: AuthenticatedUser };

/** One client's connection, kept as the socket's user data. */
class Connection {
  socket?: uWS.WebSocket<SocketData>;
  auth: AuthState = { kind: 'waiting' };
  closed = false;
  readonly rooms = new Set<string>();
  /** While the initial room list is read: the rooms left meanwhile, which must not be joined from it. */
  leftWhileLoading?: Set<string>;
  readonly typing = new Map<string, NodeJS.Timeout>();
  authTimer?: NodeJS.Timeout;
  strikes = 0;
  lastStrikeAt = 0;

  constructor(
    readonly queryToken: string | undefined,
    readonly bucket: TokenBucket,
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

export async function attachWebSocketEndpoint(app: uWS.TemplatedApp, options: WebSocketEndpointOptions): Promise<WebSocketEndpoint> {
  const limits: WebSocketLimits = { ...DEFAULT_WEBSOCKET_LIMITS, ...options.limits };
  const { changeFeed, logger } = options;
  const connections = new Set<Connection>();
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
  const publish = (topic: string, text: string, receivers: ReadonlySet<Connection> | undefined) => {
    if (!receivers || receivers.size === 0) return;
    app.publish(topic, text, false);
    websocketFrames.inc({ direction: 'out' }, receivers.size);
    for (const receiver of [...receivers]) dropIfSlow(receiver);
  };

  const observeLatency = (frame: ChangeFrame) => {
    const at = frame.data?.createdAt ?? frame.data?.at;
    if (typeof at !== 'string') return;
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
    stopTyping(connection, roomId);
    if (!connection.closed) connection.socket?.unsubscribe(roomTopic(roomId));
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
    if (renewing) clearTimeout(renewing);
    // A renewal only moves the deadline: the others were told already, which keeps typing cheap to repeat.
    else publishTyping(user.userId, roomId, 'start');
    connection.typing.set(roomId, setTimeout(() => stopTyping(connection, roomId), limits.typingTimeoutMs));
  };

  const authenticate = async (connection: Connection, token: string) => {
    connection.auth = { kind: 'verifying', queued: [] };
    let user: AuthenticatedUser;
    try {
      user = await options.verifier.verify(token);
      if (!(await options.sessions.isLive(user))) throw ApiError.unauthenticated('The session has ended');
    } catch (error) {
      end(connection, CLOSE_CODES.unauthenticated, error instanceof ApiError ? error.message : 'The access token is not valid');
      return;
    }
    if (connection.closed) return;
    clearTimeout(connection.authTimer);
    const queued = connection.auth.queued;
    connection.auth = { kind: 'authenticated', user };
    // Registered before the room list is read, so that a membership change meanwhile is not missed.
    addTo(socketsOfUser, user.userId, connection);
    connection.socket?.subscribe(userTopic(user.userId));
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
    for (const text of queued) onFrame(connection, text);
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
      if (frame.type === 'auth') void authenticate(connection, frame.token);
      else end(connection, CLOSE_CODES.unauthenticated, 'authenticate first');
      return;
    }
    switch (frame.type) {
      case 'auth':
        sendError(connection, ApiError.validationFailed('This connection is authenticated already'));
        return;
      case 'ping':
        sendFrame(connection, { type: 'pong' });
        return;
      case 'typing':
        onTyping(connection, auth.user, frame.roomId, frame.state);
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
    if (frame.type === 'typing') {
      // Sent one by one: no connection of the typist, on any node, hears its own typing.
      const typist = frame.data?.userId;
      for (const member of [...members]) if (member.userId !== typist) send(member, text);
      return;
    }
    publish(roomTopic(roomId), text, members);
    if (frame.type === 'room.deleted') for (const member of [...members]) leave(member, roomId);
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
      const connection = new Connection(token, new TokenBucket(limits.frames));
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
      for (const roomId of [...connection.rooms]) leave(connection, roomId);
      const { userId } = connection;
      if (userId) removeFrom(socketsOfUser, userId, connection);
    },
  });

  return {
    close: async () => {
      await unsubscribeRooms();
      await unsubscribeUsers();
      for (const connection of [...connections]) end(connection, CLOSE_CODES.goingAway, 'server shutting down');
    },
  };
}
