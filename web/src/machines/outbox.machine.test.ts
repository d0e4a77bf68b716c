import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { ApiError } from '../api/client';
import type { Message } from '../api/types';
import { MAX_AUTOMATIC_ATTEMPTS, outboxMachine, type SendInput } from './outbox.machine';
import { BACKOFF_MAX_MS } from './connection.machine';

const stored = (input: SendInput, seq: number): Message => ({
  id: `m-${input.clientMessageId}`,
  roomId: input.roomId,
  seq,
  authorId: 'me',
  text: input.text,
  createdAt: new Date().toISOString(),
  deleted: false,
  reactions: {},
  attachments: [],
});

/** A fake server: answers each send with `behaviour(input, n)` (n counts calls), remembering what it stored once per clientMessageId. */
function start(behaviour: (input: SendInput, call: number) => Promise<void> | void = () => undefined, online = true) {
  const calls: SendInput[] = [];
  const storedIds = new Map<string, Message>();
  const delivered: Message[] = [];
  const machine = outboxMachine.provide({
    actors: {
      send: fromPromise(async ({ input }) => {
        calls.push(input);
        await behaviour(input, calls.length);
        const message = storedIds.get(input.clientMessageId) ?? stored(input, storedIds.size + 1);
        storedIds.set(input.clientMessageId, message);
        return message;
      }),
    },
    actions: { delivered: (_, message) => void delivered.push(message) },
  });
  const actor = createActor(machine, { input: { online, random: () => 0.5 } }).start();
  return { actor, calls, storedIds, delivered };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const statuses = (actor: ReturnType<typeof start>['actor']) => actor.getSnapshot().context.items.map((item) => `${item.clientMessageId}:${item.status}`);

describe('outbox machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows a message as pending at once, then sent with the stored message', async () => {
    const { actor, delivered } = start();
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    expect(statuses(actor)).toEqual(['c1:sending']);
    await flush();
    expect(statuses(actor)).toEqual(['c1:sent']);
    expect(actor.getSnapshot().context.items[0]!.message?.seq).toBe(1);
    expect(delivered.map((message) => message.text)).toEqual(['hello']);
  });

  it('sends one at a time, in the order written', async () => {
    const { actor, calls } = start(() => new Promise((resolve) => setTimeout(resolve, 100)));
    for (const id of ['c1', 'c2', 'c3']) actor.send({ type: 'ENQUEUE', clientMessageId: id, roomId: 'r1', text: id });
    expect(statuses(actor)).toEqual(['c1:sending', 'c2:pending', 'c3:pending']);
    await vi.advanceTimersByTimeAsync(100);
    expect(statuses(actor)).toEqual(['c1:sent', 'c2:sending', 'c3:pending']);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1', 'c2', 'c3']);
    expect(statuses(actor)).toEqual(['c1:sent', 'c2:sent', 'c3:sent']);
  });

  it('retries a network failure with backoff, with the same clientMessageId', async () => {
    const { actor, calls } = start((_, call) => {
      if (call < 3) throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
    });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    await flush();
    expect(statuses(actor)).toEqual(['c1:pending']);
    expect(actor.getSnapshot().matches('waitingToRetry')).toBe(true);
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1', 'c1', 'c1']);
    expect(statuses(actor)).toEqual(['c1:sent']);
  });

  it('tries again after an expired access token (401), which the session refreshes meanwhile', async () => {
    const { actor, calls } = start((_, call) => {
      if (call === 1) throw new ApiError(401, 'UNAUTHENTICATED', 'The access token has expired');
    });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    expect(calls).toHaveLength(2);
    expect(statuses(actor)).toEqual(['c1:sent']);
  });

  it('keeps later messages behind one that is being retried, so the order holds', async () => {
    const { actor, calls } = start((input, call) => {
      if (input.clientMessageId === 'c1' && call === 1) throw new ApiError(503, 'UNAVAILABLE', 'busy');
    });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'one' });
    await flush();
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c2', roomId: 'r1', text: 'two' });
    await flush();
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1']);
    await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1', 'c1', 'c2']);
  });

  it('marks a message the server refuses as failed, goes on with the others, and sends it again on RETRY', async () => {
    let refuse = true;
    const { actor, calls } = start((input) => {
      if (input.clientMessageId === 'c1' && refuse) throw new ApiError(403, 'FORBIDDEN', 'You are blocked');
    });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'one' });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c2', roomId: 'r1', text: 'two' });
    await flush();
    expect(statuses(actor)).toEqual(['c1:failed', 'c2:sent']);
    expect(actor.getSnapshot().context.items[0]!.error).toBe('You are blocked');
    refuse = false;
    actor.send({ type: 'RETRY', clientMessageId: 'c1' });
    await flush();
    expect(statuses(actor)).toEqual(['c1:sent', 'c2:sent']);
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1', 'c2', 'c1']);
  });

  it('gives up after the automatic attempts and lets the user discard the message', async () => {
    const { actor, calls } = start(() => {
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
    });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'one' });
    for (let i = 0; i < MAX_AUTOMATIC_ATTEMPTS; i += 1) await vi.advanceTimersByTimeAsync(BACKOFF_MAX_MS);
    expect(calls).toHaveLength(MAX_AUTOMATIC_ATTEMPTS);
    expect(statuses(actor)).toEqual(['c1:failed']);
    actor.send({ type: 'DISCARD', clientMessageId: 'c1' });
    expect(statuses(actor)).toEqual([]);
  });

  it('holds what is written offline and sends it once when back online', async () => {
    const { actor, calls, storedIds } = start(undefined, false);
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'written offline' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(0);
    expect(statuses(actor)).toEqual(['c1:pending']);
    actor.send({ type: 'WENT_ONLINE' });
    actor.send({ type: 'WENT_ONLINE' });
    await flush();
    expect(calls).toHaveLength(1);
    expect(storedIds.size).toBe(1);
    expect(statuses(actor)).toEqual(['c1:sent']);
  });

  it('sends a message cut off by going offline again with the same id: stored once', async () => {
    const { actor, calls, storedIds } = start((_, call) => (call === 1 ? new Promise((resolve) => setTimeout(resolve, 1000)) : undefined));
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    await vi.advanceTimersByTimeAsync(10);
    actor.send({ type: 'WENT_OFFLINE' });
    expect(statuses(actor)).toEqual(['c1:pending']);
    await vi.advanceTimersByTimeAsync(2000);
    actor.send({ type: 'WENT_ONLINE' });
    await flush();
    expect(calls.map((call) => call.clientMessageId)).toEqual(['c1', 'c1']);
    expect(storedIds.size).toBe(1);
    expect(statuses(actor)).toEqual(['c1:sent']);
  });

  it('ignores a second ENQUEUE of the same clientMessageId', async () => {
    const { actor, calls } = start();
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'hello' });
    await flush();
    expect(calls).toHaveLength(1);
  });

  it('forgets what was sent to a room once its history is cleared up to it, and nothing else', async () => {
    const { actor } = start();
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c1', roomId: 'r1', text: 'one' });
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c2', roomId: 'r2', text: 'elsewhere' });
    await flush();
    actor.send({ type: 'ENQUEUE', clientMessageId: 'c3', roomId: 'r1', text: 'after the clear' });
    actor.send({ type: 'WENT_OFFLINE' });
    await flush();
    actor.send({ type: 'HISTORY_CLEARED', roomId: 'r1', upToSeq: 2 });
    expect(actor.getSnapshot().context.items.map((item) => `${item.clientMessageId}:${item.status}`)).toEqual(['c2:sent', 'c3:pending']);
  });
});
