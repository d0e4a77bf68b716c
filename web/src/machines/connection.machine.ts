// The realtime connection: opens the WebSocket at the config's wsUrl, authenticates with the access
// token and the cursors of the rooms the client holds (the server then sends what they missed before any
// live frame, and says `resumed`), reloads over HTTP what frames do not carry (the room list), stays live
// with heartbeats, and when the socket drops backs off with jitter before trying again. The browser going
// offline parks it until it comes back.
import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type { ServerFrame } from '../api/types';

export interface ConnectionInput {
  readonly url: string;
  readonly accessToken: () => string | undefined;
  /** Whether the browser thinks it is online now. */
  readonly online?: boolean;
  /** Per room, the last seq the client holds (contiguously): the server catches those rooms up. None by default. */
  readonly cursors?: () => RoomCursors;
  /** Math.random by default; tests pin it. */
  readonly random?: () => number;
}

export type RoomCursors = Readonly<Record<string, number>>;

export interface ConnectionContext {
  readonly url: string;
  readonly accessToken: () => string | undefined;
  readonly readCursors: () => RoomCursors;
  /** What the current socket's auth frame carried: the rooms the server is catching up on. */
  readonly cursors: RoomCursors;
  readonly random: () => number;
  readonly startsOffline: boolean;
  /** Failed attempts since the connection was last live. */
  readonly attempt: number;
}

export type ClientFrame = { type: 'typing'; roomId: string; state: 'start' | 'stop' } | { type: 'ping' } | { type: 'auth'; token: string };

export type ConnectionEvent =
  | { type: 'SOCKET_OPEN' }
  /** The server accepted the token (its `authenticated` frame). */
  | { type: 'AUTHENTICATED' }
  /** The server caught up on every room of the cursors (its `resumed` frame); some may have got `resync`. */
  | { type: 'RESUMED' }
  | { type: 'PONG' }
  | { type: 'FRAME'; frame: ServerFrame }
  | { type: 'SOCKET_CLOSED'; code: number }
  | { type: 'WENT_OFFLINE' }
  | { type: 'WENT_ONLINE' }
  | { type: 'RETRY_NOW' }
  /** The session has a fresh access token: a live connection renews itself with it rather than being closed at the old one's expiry. */
  | { type: 'TOKEN_RENEWED' }
  | { type: 'SEND'; frame: ClientFrame };

export const CLOSE_UNAUTHENTICATED = 4401;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 10_000;
export const HEARTBEAT_EVERY_MS = 25_000;
export const PONG_TIMEOUT_MS = 10_000;
/** How long the server may take to say `resumed` before the rooms catch up over HTTP instead. */
export const RESUME_TIMEOUT_MS = 15_000;

/**
 * Exponential backoff with "equal jitter": half the exponential delay for sure, the other half random,
 * so that clients dropped together do not all come back in the same instant.
 */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export interface SocketInput {
  readonly url: string;
  readonly token: string | undefined;
  readonly cursors: RoomCursors;
}

/** The browser's WebSocket, reporting what happens to it as events for the machine. */
export const browserSocket = fromCallback<ConnectionEvent, SocketInput>(({ input, sendBack, receive }) => {
  const socket = new WebSocket(input.url);
  const send = (frame: unknown) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };
  socket.onopen = () => {
    send({ type: 'auth', token: input.token ?? '', ...(Object.keys(input.cursors).length > 0 ? { cursors: input.cursors } : {}) });
    sendBack({ type: 'SOCKET_OPEN' });
  };
  socket.onmessage = (message) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(message.data)) as ServerFrame;
    } catch {
      return;
    }
    // The connection's own frames drive the machine; the others are the app's.
    if (frame.type === 'pong') sendBack({ type: 'PONG' });
    else if (frame.type === 'authenticated') sendBack({ type: 'AUTHENTICATED' });
    else if (frame.type === 'resumed') sendBack({ type: 'RESUMED' });
    else sendBack({ type: 'FRAME', frame });
  };
  socket.onclose = (event) => sendBack({ type: 'SOCKET_CLOSED', code: event.code });
  receive((event) => {
    if (event.type === 'SEND') send(event.frame);
  });
  return () => {
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(1000, 'client closed');
  };
});

export const connectionMachine = setup({
  types: { context: {} as ConnectionContext, events: {} as ConnectionEvent, input: {} as ConnectionInput },
  actors: {
    socket: browserSocket,
    /**
     * Reloads after (re)connecting what frames do not bring back: the room list, people's presence, and
     * the gaps of held rooms that were not in the cursors.
     */
    resume: fromPromise<void, { cursors: RoomCursors }>(async () => undefined),
  },
  actions: {
    /** Hands a pushed frame to the rooms, the room list, the typing indicators. */
    deliver: (_, _frame: ServerFrame) => undefined,
    /** The server refused the token: the session refreshes it before the next attempt. */
    tokenRejected: () => undefined,
    /** The server never said `resumed`: these rooms catch up over HTTP instead. */
    catchUpOverHttp: (_, _cursors: RoomCursors) => undefined,
  },
  delays: {
    backoff: ({ context }) => backoffDelayMs(context.attempt, context.random),
    connectTimeout: CONNECT_TIMEOUT_MS,
    heartbeat: HEARTBEAT_EVERY_MS,
    pongTimeout: PONG_TIMEOUT_MS,
    resumeTimeout: RESUME_TIMEOUT_MS,
  },
  guards: {
    unauthenticated: ({ event }) => event.type === 'SOCKET_CLOSED' && event.code === CLOSE_UNAUTHENTICATED,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    accessToken: input.accessToken,
    readCursors: input.cursors ?? (() => ({})),
    cursors: {},
    random: input.random ?? Math.random,
    startsOffline: input.online === false,
    attempt: 0,
  }),
  initial: 'starting',
  on: {
    WENT_OFFLINE: '.offline',
  },
  states: {
    starting: {
      always: [{ guard: ({ context }) => context.startsOffline, target: 'offline' }, { target: 'open' }],
    },
    offline: {
      on: { WENT_ONLINE: { target: 'open', actions: assign({ attempt: 0 }) } },
    },
    open: {
      // Read as the socket is made: the catch-up starts from what is held now.
      entry: assign({ cursors: ({ context }) => context.readCursors() }),
      invoke: { id: 'socket', src: 'socket', input: ({ context }) => ({ url: context.url, token: context.accessToken(), cursors: context.cursors }) },
      initial: 'connecting',
      on: {
        SOCKET_CLOSED: [
          { guard: 'unauthenticated', target: 'backingOff', actions: 'tokenRejected' },
          { target: 'backingOff' },
        ],
        FRAME: { actions: { type: 'deliver', params: ({ event }) => event.frame } },
      },
      states: {
        connecting: {
          on: { SOCKET_OPEN: 'authenticating' },
          after: { connectTimeout: '#connection.backingOff' },
        },
        authenticating: {
          on: { AUTHENTICATED: 'resuming' },
          after: { connectTimeout: '#connection.backingOff' },
        },
        resuming: {
          type: 'parallel',
          onDone: { target: 'live', actions: assign({ attempt: 0 }) },
          states: {
            // The missed messages of the rooms in the cursors arrive as frames, then `resumed`.
            catchingUp: {
              initial: 'waiting',
              states: {
                waiting: {
                  always: { guard: ({ context }) => Object.keys(context.cursors).length === 0, target: 'done' },
                  on: { RESUMED: 'done' },
                  after: { resumeTimeout: { target: 'done', actions: { type: 'catchUpOverHttp', params: ({ context }) => context.cursors } } },
                },
                done: { type: 'final' },
              },
            },
            reloading: {
              initial: 'working',
              states: {
                working: {
                  invoke: { src: 'resume', input: ({ context }) => ({ cursors: context.cursors }), onDone: 'done', onError: '#connection.backingOff' },
                },
                done: { type: 'final' },
              },
            },
          },
        },
        live: {
          initial: 'quiet',
          on: {
            SEND: { actions: sendTo('socket', ({ event }) => event) },
            TOKEN_RENEWED: { actions: sendTo('socket', ({ context }) => ({ type: 'SEND', frame: { type: 'auth', token: context.accessToken() ?? '' } })) },
          },
          states: {
            quiet: { after: { heartbeat: 'probing' } },
            probing: {
              entry: sendTo('socket', { type: 'SEND', frame: { type: 'ping' } }),
              on: { PONG: 'quiet' },
              after: { pongTimeout: '#connection.backingOff' },
            },
          },
        },
      },
    },
    backingOff: {
      entry: assign({ attempt: ({ context }) => context.attempt + 1 }),
      after: { backoff: 'open' },
      on: { RETRY_NOW: 'open', WENT_ONLINE: 'open' },
    },
  },
});
