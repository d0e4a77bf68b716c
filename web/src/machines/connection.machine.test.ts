import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import type { ServerFrame } from '../api/types';
import {
  BACKOFF_MAX_MS,
  CONNECT_TIMEOUT_MS,
  HEARTBEAT_EVERY_MS,
  PONG_TIMEOUT_MS,
  RESUME_TIMEOUT_MS,
  backoffDelayMs,
  connectionMachine,
  type ConnectionEvent,
  type RoomCursors,
  type SocketInput,
} from './connection.machine';

function start(options: { online?: boolean; random?: () => number; resume?: () => Promise<void>; cursors?: () => RoomCursors } = {}) {
  const sockets: (SocketInput & { sent: unknown[]; closed: boolean })[] = [];
  const delivered: ServerFrame[] = [];
  const overHttp: RoomCursors[] = [];
  const resumedWith: RoomCursors[] = [];
  let rejected = 0;
  const machine = connectionMachine.provide({
    actors: {
      socket: fromCallback<ConnectionEvent, SocketInput>(({ input, receive }) => {
        const socket = { ...input, sent: [] as unknown[], closed: false };
        sockets.push(socket);
        receive((event) => {
          if (event.type === 'SEND') socket.sent.push(event.frame);
        });
        return () => {
          socket.closed = true;
        };
      }),
      resume: fromPromise(async ({ input }) => {
        resumedWith.push(input.cursors);
        await (options.resume ?? (async () => undefined))();
      }),
    },
    actions: {
      deliver: (_, frame) => void delivered.push(frame),
      tokenRejected: () => void (rejected += 1),
      catchUpOverHttp: (_, cursors) => void overHttp.push(cursors),
    },
  });
  let token = 0;
  const actor = createActor(machine, {
    input: {
      url: 'ws://chat.test/ws',
      accessToken: () => `token-${++token}`,
      online: options.online ?? true,
      random: options.random ?? (() => 0.5),
      ...(options.cursors ? { cursors: options.cursors } : {}),
    },
  }).start();
  return { actor, sockets, delivered, overHttp, resumedWith, rejected: () => rejected, resumes: () => resumedWith.length };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

/** Opens and authenticates; with cursors, the server's `resumed` too. */
async function goLive(actor: ReturnType<typeof start>['actor']) {
  actor.send({ type: 'SOCKET_OPEN' });
  actor.send({ type: 'AUTHENTICATED' });
  actor.send({ type: 'RESUMED' });
  await flush();
}

describe('connection machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects, authenticates (the server’s `authenticated`), reloads the room list, then is live', async () => {
    const { actor, sockets, resumedWith } = start();
    expect(actor.getSnapshot().matches({ open: 'connecting' })).toBe(true);
    expect(sockets[0]).toMatchObject({ url: 'ws://chat.test/ws', token: 'token-1', cursors: {} });
    actor.send({ type: 'SOCKET_OPEN' });
    expect(actor.getSnapshot().matches({ open: 'authenticating' })).toBe(true);
    actor.send({ type: 'AUTHENTICATED' });
    expect(actor.getSnapshot().matches({ open: 'resuming' })).toBe(true);
    await flush();
    // No room held: nothing for the server to resume, no `resumed` to wait for.
    expect(resumedWith).toEqual([{}]);
    expect(actor.getSnapshot().matches({ open: 'live' })).toBe(true);
  });

  it('authenticates with the cursors of the rooms held, read afresh for each socket, and is live once the server says `resumed`', async () => {
    let held: RoomCursors = { r1: 7 };
    const { actor, sockets, resumedWith, delivered } = start({ cursors: () => held });
    expect(sockets[0]!.cursors).toEqual({ r1: 7 });
    actor.send({ type: 'SOCKET_OPEN' });
    actor.send({ type: 'AUTHENTICATED' });
    await flush();
    expect(resumedWith).toEqual([{ r1: 7 }]);
    // The catch-up's frames reach the app while the machine waits for the end of it.
    actor.send({ type: 'FRAME', frame: { type: 'message.created', roomId: 'r1', seq: 8, data: {} } });
    expect(delivered).toHaveLength(1);
    expect(actor.getSnapshot().matches({ open: 'resuming' })).toBe(true);
    actor.send({ type: 'RESUMED' });
    expect(actor.getSnapshot().matches({ open: 'live' })).toBe(true);
    held = { r1: 8, r2: 3 };
    actor.send({ type: 'SOCKET_CLOSED', code: 1006 });
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    expect(sockets[1]!.cursors).toEqual({ r1: 8, r2: 3 });
  });

  it('waits for both the server’s catch-up and the HTTP reload before going live', async () => {
    let finishReload = () => undefined as void;
    const { actor } = start({ cursors: () => ({ r1: 1 }), resume: () => new Promise<void>((resolve) => (finishReload = resolve)) });
    actor.send({ type: 'SOCKET_OPEN' });
    actor.send({ type: 'AUTHENTICATED' });
    actor.send({ type: 'RESUMED' });
    await flush();
    expect(actor.getSnapshot().matches({ open: 'resuming' })).toBe(true);
    finishReload();
    await flush();
    expect(actor.getSnapshot().matches({ open: 'live' })).toBe(true);
  });

  it('catches the rooms up over HTTP when the server never says `resumed`', async () => {
    const { actor, overHttp } = start({ cursors: () => ({ r1: 4 }) });
    actor.send({ type: 'SOCKET_OPEN' });
    actor.send({ type: 'AUTHENTICATED' });
    await vi.advanceTimersByTimeAsync(RESUME_TIMEOUT_MS - 1);
    expect(overHttp).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(overHttp).toEqual([{ r1: 4 }]);
    expect(actor.getSnapshot().matches({ open: 'live' })).toBe(true);
  });

  it('renews a live connection’s token with an auth frame', async () => {
    const { actor, sockets } = start();
    actor.send({ type: 'TOKEN_RENEWED' });
    await goLive(actor);
    actor.send({ type: 'TOKEN_RENEWED' });
    expect(sockets[0]!.sent).toEqual([{ type: 'auth', token: 'token-2' }]);
  });

  it('delivers pushed frames to the app', async () => {
    const { actor, delivered } = start();
    await goLive(actor);
    actor.send({ type: 'FRAME', frame: { type: 'message.created', roomId: 'r1', seq: 1, data: {} } });
    expect(delivered).toEqual([{ type: 'message.created', roomId: 'r1', seq: 1, data: {} }]);
  });

  it('sends client frames only while live', async () => {
    const { actor, sockets } = start();
    actor.send({ type: 'SEND', frame: { type: 'typing', roomId: 'r1', state: 'start' } });
    await goLive(actor);
    actor.send({ type: 'SEND', frame: { type: 'typing', roomId: 'r1', state: 'stop' } });
    expect(sockets[0]!.sent).toEqual([{ type: 'typing', roomId: 'r1', state: 'stop' }]);
  });

  it('backs off with growing, jittered delays after drops, and reconnects with a fresh token', async () => {
    const { actor, sockets } = start({ random: () => 0 });
    actor.send({ type: 'SOCKET_CLOSED', code: 1006 });
    expect(actor.getSnapshot().matches('backingOff')).toBe(true);
    expect(sockets[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(backoffDelayMs(1, () => 0) - 1);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.token).toBe('token-2');
    actor.send({ type: 'SOCKET_CLOSED', code: 1006 });
    expect(actor.getSnapshot().context.attempt).toBe(2);
    await vi.advanceTimersByTimeAsync(backoffDelayMs(2, () => 0));
    expect(sockets).toHaveLength(3);
  });

  it('starts counting attempts again once live', async () => {
    const { actor } = start();
    actor.send({ type: 'SOCKET_CLOSED', code: 1006 });
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    await goLive(actor);
    expect(actor.getSnapshot().context.attempt).toBe(0);
  });

  it('computes equal-jitter backoff, capped', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(250);
    expect(backoffDelayMs(1, () => 1)).toBe(500);
    expect(backoffDelayMs(3, () => 0.5)).toBe(1500);
    expect(backoffDelayMs(30, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelayMs(30, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });

  it('asks for a new token when the server refuses the old one (4401)', async () => {
    const { actor, rejected } = start();
    actor.send({ type: 'SOCKET_OPEN' });
    actor.send({ type: 'SOCKET_CLOSED', code: 4401 });
    expect(rejected()).toBe(1);
    expect(actor.getSnapshot().matches('backingOff')).toBe(true);
  });

  it('gives up on a socket that neither opens nor authenticates in time', async () => {
    const { actor, sockets } = start();
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
    expect(actor.getSnapshot().matches('backingOff')).toBe(true);
    expect(sockets[0]!.closed).toBe(true);
  });

  it('pings while live and drops a connection that stops answering', async () => {
    const { actor, sockets } = start();
    await goLive(actor);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_EVERY_MS);
    expect(sockets[0]!.sent).toEqual([{ type: 'ping' }]);
    actor.send({ type: 'PONG' });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_EVERY_MS);
    expect(sockets[0]!.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(PONG_TIMEOUT_MS);
    expect(actor.getSnapshot().matches('backingOff')).toBe(true);
  });

  it('goes offline with the browser, closing the socket, and reconnects (and resumes) when it is back', async () => {
    const { actor, sockets, resumes } = start();
    await goLive(actor);
    actor.send({ type: 'WENT_OFFLINE' });
    expect(actor.getSnapshot().matches('offline')).toBe(true);
    expect(sockets[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    actor.send({ type: 'WENT_ONLINE' });
    expect(sockets).toHaveLength(2);
    await goLive(actor);
    expect(resumes()).toBe(2);
  });

  it('starts offline when the browser is, and backs off when resuming fails', async () => {
    let failResume = true;
    const { actor, sockets } = start({ online: false, resume: async () => (failResume ? Promise.reject(new Error('http down')) : undefined) });
    expect(actor.getSnapshot().matches('offline')).toBe(true);
    expect(sockets).toHaveLength(0);
    actor.send({ type: 'WENT_ONLINE' });
    await goLive(actor);
    expect(actor.getSnapshot().matches('backingOff')).toBe(true);
    failResume = false;
    actor.send({ type: 'RETRY_NOW' });
    await goLive(actor);
    expect(actor.getSnapshot().matches({ open: 'live' })).toBe(true);
  });
});
