// Messages on their way out. Each is shown at once (optimistically) and keyed by the clientMessageId
// chosen here, which makes a repeat harmless: the server answers the same id with the same message. One
// is sent at a time, oldest first, so they arrive in the order they were written; one that fails for
// the network or a busy server is tried again with backoff, one the server refuses waits for the user
// (retry or discard). While the browser is offline nothing is sent; coming back sends what waited, once.
import { assign, fromPromise, setup } from 'xstate';
import type { Message } from '../api/types';
import { isApiError } from '../api/client';
import { backoffDelayMs } from './connection.machine';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxItem {
  readonly clientMessageId: string;
  readonly roomId: string;
  readonly text: string;
  readonly replyTo?: string;
  readonly status: OutboxStatus;
  /** Tries that failed for a reason worth retrying. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly message?: Message;
  readonly error?: string;
}

export interface OutboxContext {
  readonly items: readonly OutboxItem[];
  readonly online: boolean;
  readonly random: () => number;
  /** The clientMessageId being sent now. */
  readonly current?: string;
}

export type OutboxEvent =
  | { type: 'ENQUEUE'; clientMessageId: string; roomId: string; text: string; replyTo?: string }
  | { type: 'RETRY'; clientMessageId: string }
  | { type: 'DISCARD'; clientMessageId: string }
  /** The room's history was cleared up to this seq: what was sent there before it is no longer shown. */
  | { type: 'HISTORY_CLEARED'; roomId: string; upToSeq: number }
  | { type: 'WENT_OFFLINE' }
  | { type: 'WENT_ONLINE' };

/** After this many failed tries in a row an item is marked failed and waits for the user. */
export const MAX_AUTOMATIC_ATTEMPTS = 5;

export interface SendInput {
  readonly roomId: string;
  readonly clientMessageId: string;
  readonly text: string;
  readonly replyTo?: string;
}

const update = (items: readonly OutboxItem[], clientMessageId: string, change: (item: OutboxItem) => OutboxItem | undefined) =>
  items.flatMap((item) => {
    if (item.clientMessageId !== clientMessageId) return [item];
    const changed = change(item);
    return changed ? [changed] : [];
  });

const nextPending = (items: readonly OutboxItem[]) => items.find((item) => item.status === 'pending');
const currentOf = (context: OutboxContext) => context.items.find((item) => item.clientMessageId === context.current);

const describe = (error: unknown) => (error instanceof Error ? error.message : 'Not sent');

export const outboxMachine = setup({
  types: { context: {} as OutboxContext, events: {} as OutboxEvent, input: {} as { online?: boolean; random?: () => number } },
  actors: {
    send: fromPromise<Message, SendInput>(async () => {
      throw new Error('send is provided by the app');
    }),
  },
  actions: {
    /** Tells the app a message is stored, with its seq (the room shows it without waiting for the push). */
    delivered: (_, _message: Message) => undefined,
  },
  guards: {
    canSend: ({ context }) => context.online && nextPending(context.items) !== undefined,
    worthRetrying: ({ context, event }) => {
      const { error } = event as unknown as { error: unknown };
      const retryable = isApiError(error) ? error.retryable : true;
      const current = currentOf(context);
      return retryable && (current?.attempts ?? 0) + 1 < MAX_AUTOMATIC_ATTEMPTS;
    },
  },
  delays: {
    retryDelay: ({ context }) => backoffDelayMs(currentOf(context)?.attempts ?? 1, context.random),
  },
}).createMachine({
  id: 'outbox',
  context: ({ input }) => ({ items: [], online: input.online ?? true, random: input.random ?? Math.random }),
  initial: 'idle',
  on: {
    // No target: a send in flight goes on; in idle, the eventless transition picks the new item up.
    ENQUEUE: {
      actions: assign({
        items: ({ context, event }) =>
          context.items.some((item) => item.clientMessageId === event.clientMessageId)
            ? context.items
            : [
                ...context.items,
                {
                  clientMessageId: event.clientMessageId,
                  roomId: event.roomId,
                  text: event.text,
                  ...(event.replyTo ? { replyTo: event.replyTo } : {}),
                  status: 'pending',
                  attempts: 0,
                  createdAt: new Date().toISOString(),
                },
              ],
      }),
    },
    DISCARD: {
      actions: assign({
        items: ({ context, event }) => update(context.items, event.clientMessageId, (item) => (item.status === 'failed' ? undefined : item)),
      }),
    },
    HISTORY_CLEARED: {
      actions: assign({
        items: ({ context, event }) =>
          context.items.filter((item) => !(item.roomId === event.roomId && item.status === 'sent' && item.message && item.message.seq <= event.upToSeq)),
      }),
    },
    RETRY: {
      actions: assign({
        items: ({ context, event }) =>
          update(context.items, event.clientMessageId, (item) => (item.status === 'failed' ? { ...item, status: 'pending', attempts: 0, error: undefined } : item)),
      }),
    },
    WENT_OFFLINE: {
      target: '.idle',
      // A request cut off midway may or may not have arrived: it is sent again later with the same id.
      actions: assign({
        online: false,
        current: undefined,
        items: ({ context }) => context.items.map((item) => (item.status === 'sending' ? { ...item, status: 'pending' } : item)),
      }),
    },
    WENT_ONLINE: { guard: ({ context }) => !context.online, target: '.idle', actions: assign({ online: true }) },
  },
  states: {
    idle: {
      always: { guard: 'canSend', target: 'sending' },
    },
    sending: {
      entry: assign(({ context }) => {
        const next = nextPending(context.items)!;
        return { current: next.clientMessageId, items: update(context.items, next.clientMessageId, (item) => ({ ...item, status: 'sending' })) };
      }),
      invoke: {
        src: 'send',
        input: ({ context }) => {
          const item = currentOf(context)!;
          return { roomId: item.roomId, clientMessageId: item.clientMessageId, text: item.text, ...(item.replyTo ? { replyTo: item.replyTo } : {}) };
        },
        onDone: {
          target: 'idle',
          actions: [
            assign({
              items: ({ context, event }) =>
                update(context.items, context.current!, (item) => ({ ...item, status: 'sent', message: event.output })),
            }),
            { type: 'delivered', params: ({ event }) => event.output },
          ],
        },
        onError: [
          {
            guard: 'worthRetrying',
            target: 'waitingToRetry',
            actions: assign({
              items: ({ context, event }) =>
                update(context.items, context.current!, (item) => ({
                  ...item,
                  status: 'pending',
                  attempts: item.attempts + 1,
                  error: describe(event.error),
                })),
            }),
          },
          {
            target: 'idle',
            actions: assign({
              items: ({ context, event }) =>
                update(context.items, context.current!, (item) => ({
                  ...item,
                  status: 'failed',
                  attempts: item.attempts + 1,
                  error: describe(event.error),
                })),
            }),
          },
        ],
      },
    },
    waitingToRetry: {
      after: { retryDelay: 'idle' },
    },
  },
});

/** A new clientMessageId: random, unique per author in practice. */
export function newClientMessageId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
