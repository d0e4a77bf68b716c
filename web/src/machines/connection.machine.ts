// The realtime connection: opens the WebSocket at the config's wsUrl, authenticates with the access
// token (first frame, then a ping: the server answers it only once the token is accepted), catches up
// on what was missed while away (resuming), stays live with heartbeats, and when the socket drops backs
// off with jitter before trying again. The browser going offline parks it until it comes back.
import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type { ServerFrame } from '../api/types';

export interface ConnectionInput {
  readonly url: string;
  readonly accessToken: () => string | undefined;
  /** Whether the browser thinks it is online now. */
  readonly online?: boolean;
  /** Math.random by default; tests pin it. */
  readonly random?: () => number;
}

export interface ConnectionContext {
  readonly url: string;
  readonly accessToken: () => string | undefined;
  readonly random: () => number;
  readonly startsOffline: boolean;
  /** Failed attempts since the connection was last live. */
  readonly attempt: number;
}

export type ClientFrame = { type: 'typing'; roomId: string; state: 'start' | 'stop' } | { type: 'ping' };

export type ConnectionEvent =
  | { type: 'SOCKET_OPEN' }
  | { type: 'PONG' }
  | { type: 'FRAME'; frame: ServerFrame }
  | { type: 'SOCKET_CLOSED'; code: number }
  | { type: 'WENT_OFFLINE' }
  | { type: 'WENT_ONLINE' }
  | { type: 'RETRY_NOW' }
  | { type: 'SEND'; frame: ClientFrame };

export const CLOSE_UNAUTHENTICATED = 4401;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 10_000;
export const HEARTBEAT_EVERY_MS = 25_000;
export const PONG_TIMEOUT_MS = 10_000;

/**
 * Exponential backoff with "equal jitter": half the exponential delay for sure, the other half random,
 * so that clients dropped together do not all come back in the same instant.
 */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** The browser's WebSocket, reporting what happens to it as events for the machine. */
export const browserSocket = fromCallback<ConnectionEvent, { url: string; token: string | undefined }>(({ input, sendBack, receive }) => {
  const socket = new WebSocket(input.url);
  const send = (frame: unknown) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };
  socket.onopen = () => {
    send({ type: 'auth', token: input.token ?? '' });
    send({ type: 'ping' });
    sendBack({ type: 'SOCKET_OPEN' });
  };
  socket.onmessage = (message) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(message.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'pong') sendBack({ type: 'PONG' });
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
    /** Catches up after (re)connecting: the room list and every open room's gap. */
    resume: fromPromise<void>(async () => undefined),
  },
  actions: {
    /** Hands a pushed frame to the rooms, the room list, the typing indicators. */
    deliver: (_, _frame: ServerFrame) => undefined,
    /** The server refused the token: the session refreshes it before the next attempt. */
    tokenRejected: () => undefined,
  },
  delays: {
    backoff: ({ context }) => backoffDelayMs(context.attempt, context.random),
    connectTimeout: CONNECT_TIMEOUT_MS,
    heartbeat: HEARTBEAT_EVERY_MS,
    pongTimeout: PONG_TIMEOUT_MS,
  },
  guards: {
    unauthenticated: ({ event }) => event.type === 'SOCKET_CLOSED' && event.code === CLOSE_UNAUTHENTICATED,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ url: input.url, accessToken: input.accessToken, random: input.random ?? Math.random, startsOffline: input.online === false, attempt: 0 }),
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
      invoke: { id: 'socket', src: 'socket', input: ({ context }) => ({ url: context.url, token: context.accessToken() }) },
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
          on: { PONG: 'resuming' },
          after: { connectTimeout: '#connection.backingOff' },
        },
        resuming: {
          invoke: {
            src: 'resume',
            onDone: { target: 'live', actions: assign({ attempt: 0 }) },
            onError: '#connection.backingOff',
          },
        },
        live: {
          initial: 'quiet',
          on: { SEND: { actions: sendTo('socket', ({ event }) => event) } },
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
