// One open room's messages: the latest page first, older pages as the reader scrolls up, live frames
// merged in by seq (so a frame seen twice changes nothing), and gaps filled from the history: a frame
// whose seq jumps ahead of what is held, or a reconnect the server did not resume (RESUME), fetches what
// came in between; a room too far behind for that (RELOAD) starts again from the latest page. It also
// reports what the reader has seen, debounced, as the room's read marker.
import { assign, fromPromise, setup } from 'xstate';
import type { HistoryPage } from '../api/client';
import type { Message, ServerFrame } from '../api/types';

export const PAGE_SIZE = 50;
export const GAP_PAGE_SIZE = 100;
export const READ_DEBOUNCE_MS = 300;
export const GAP_RETRY_MS = 2_000;

export interface RoomInput {
  readonly roomId: string;
  /** The reader's marker when the room was opened: the "new messages" divider goes after it. */
  readonly lastReadSeq: number;
  /** The reader: their own messages are never "new". */
  readonly readerId: string;
}

export interface RoomContext {
  readonly roomId: string;
  /** In seq order, no seq twice. */
  readonly messages: readonly Message[];
  readonly hasOlder: boolean;
  readonly readerId: string;
  readonly dividerAfterSeq: number;
  /**
   * The first message that was unread when the room was opened: the "new messages" divider goes
   * before it. Messages arriving later, while the reader is here, do not move it or make one.
   */
  readonly firstUnreadSeq?: number;
  /** The highest seq the reader has seen here (what the server is, or will be, told). */
  readonly readSeq: number;
  /** The highest seq the server confirmed as read. */
  readonly markedSeq: number;
  /** The seq of the read marker being sent now. */
  readonly markingSeq: number;
  readonly error?: unknown;
}

export type RoomEvent =
  | { type: 'FRAME'; frame: ServerFrame }
  | { type: 'MESSAGE_STORED'; message: Message }
  | { type: 'LOAD_OLDER' }
  /** Fill the gap after what is held from the history. */
  | { type: 'RESUME' }
  /** Too much was missed to fill: hold the latest page (and what came after it) instead. */
  | { type: 'RELOAD' }
  | { type: 'SEEN'; seq: number }
  | { type: 'RETRY' };

/** Merges messages into a seq-ordered list; a newer copy of the same seq replaces the held one. */
export function mergeMessages(held: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return [...held];
  const bySeq = new Map<number, Message>();
  for (const message of held) bySeq.set(message.seq, message);
  for (const message of incoming) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The last seq before the first hole in the held messages (all are contiguous: the last seq held; none: 0). */
export function contiguousEnd(messages: readonly Message[]): number {
  if (messages.length === 0) return 0;
  let end = messages[0]!.seq;
  for (const message of messages.slice(1)) {
    if (message.seq !== end + 1) return end;
    end = message.seq;
  }
  return end;
}

export function hasGap(messages: readonly Message[]): boolean {
  return messages.length > 0 && contiguousEnd(messages) !== messages[messages.length - 1]!.seq;
}

const patch = (messages: readonly Message[], id: string, change: (message: Message) => Message) =>
  messages.map((message) => (message.id === id ? change(message) : message));

/**
 * The latest page read again, replacing what was held: only held messages newer than the page (frames
 * that came while it was read) stay, so that what is held is contiguous again.
 */
export function reloadedMessages(held: readonly Message[], page: readonly Message[]): Message[] {
  const pageEnd = page.at(-1)?.seq ?? 0;
  return mergeMessages(page, held.filter((message) => message.seq > pageEnd));
}

/** What a frame does to the held messages (frames of other rooms or types leave them as they are). */
export function applyFrame(messages: readonly Message[], frame: ServerFrame): readonly Message[] {
  const data = (frame.data ?? {}) as Record<string, unknown>;
  const id = typeof data.id === 'string' ? data.id : '';
  switch (frame.type) {
    case 'message.created':
      return mergeMessages(messages, [data as unknown as Message]);
    case 'message.updated':
      return patch(messages, id, (message) => ({ ...message, text: String(data.text ?? message.text), editedAt: String(data.editedAt ?? '') || message.editedAt }));
    case 'message.deleted':
      return patch(messages, id, (message) => ({ ...message, deleted: true, text: '' }));
    case 'reaction.updated':
      return patch(messages, id, (message) => ({ ...message, reactions: (data.reactions as Message['reactions']) ?? message.reactions }));
    case 'history.cleared': {
      const upToSeq = Number(data.upToSeq ?? 0);
      return messages.filter((message) => message.seq > upToSeq);
    }
    default:
      return messages;
  }
}

/**
 * The first message by someone else after the reader's marker (none: undefined). When the marker is
 * older than the first page held, the first unread one is older too: the one right after the marker,
 * where the divider shows once the reader scrolls up to it.
 */
export function firstUnreadSeq(messages: readonly Message[], { dividerAfterSeq, readerId }: Pick<RoomContext, 'dividerAfterSeq' | 'readerId'>): number | undefined {
  const oldestHeld = messages[0]?.seq;
  if (oldestHeld !== undefined && oldestHeld > dividerAfterSeq + 1) return dividerAfterSeq + 1;
  return messages.find((message) => message.seq > dividerAfterSeq && message.authorId !== readerId && !message.deleted)?.seq;
}

export const roomMachine = setup({
  types: { context: {} as RoomContext, events: {} as RoomEvent, input: {} as RoomInput },
  actors: {
    fetchPage: fromPromise<Message[], { roomId: string; page: HistoryPage }>(async () => []),
    markRead: fromPromise<void, { roomId: string; seq: number }>(async () => undefined),
  },
  guards: {
    frameOpensGap: ({ context, event }) => {
      if (event.type !== 'FRAME' || event.frame.type !== 'message.created' || typeof event.frame.seq !== 'number') return false;
      return context.messages.length > 0 && event.frame.seq > contiguousEnd(context.messages) + 1;
    },
    canLoadOlder: ({ context }) => context.hasOlder,
    seenSomethingNew: ({ context, event }) => event.type === 'SEEN' && event.seq > context.readSeq,
  },
  actions: {
    applyFrame: assign({
      messages: ({ context, event }) => (event.type === 'FRAME' ? applyFrame(context.messages, event.frame) : context.messages),
      hasOlder: ({ context, event }) => (event.type === 'FRAME' && event.frame.type === 'history.cleared' ? false : context.hasOlder),
    }),
    storeMessage: assign({ messages: ({ context, event }) => (event.type === 'MESSAGE_STORED' ? mergeMessages(context.messages, [event.message]) : context.messages) }),
    noteSeen: assign({ readSeq: ({ context, event }) => (event.type === 'SEEN' ? Math.max(context.readSeq, event.seq) : context.readSeq) }),
  },
  delays: { readDebounce: READ_DEBOUNCE_MS, gapRetry: GAP_RETRY_MS },
}).createMachine({
  id: 'room',
  context: ({ input }) => ({
    roomId: input.roomId,
    messages: [],
    hasOlder: false,
    readerId: input.readerId,
    dividerAfterSeq: input.lastReadSeq,
    readSeq: input.lastReadSeq,
    markedSeq: input.lastReadSeq,
    markingSeq: input.lastReadSeq,
  }),
  initial: 'loading',
  states: {
    loading: {
      invoke: {
        src: 'fetchPage',
        input: ({ context }) => ({ roomId: context.roomId, page: { limit: PAGE_SIZE } }),
        onDone: {
          target: 'ready',
          actions: assign(({ context, event }) => {
            const page = event.output;
            const messages = mergeMessages(context.messages, page);
            return { messages, hasOlder: page.length === PAGE_SIZE && (page[0]?.seq ?? 1) > 1, error: undefined, firstUnreadSeq: firstUnreadSeq(messages, context) };
          }),
        },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
      // Frames that come while the first page is read are kept; the page merges with them.
      on: { FRAME: { actions: 'applyFrame' }, MESSAGE_STORED: { actions: 'storeMessage' } },
    },
    failed: {
      on: { RETRY: 'loading', RESUME: 'loading', RELOAD: 'loading' },
    },
    ready: {
      type: 'parallel',
      on: {
        MESSAGE_STORED: { actions: 'storeMessage' },
      },
      states: {
        older: {
          initial: 'idle',
          states: {
            idle: { on: { LOAD_OLDER: { guard: 'canLoadOlder', target: 'loading' } } },
            loading: {
              invoke: {
                src: 'fetchPage',
                input: ({ context }) => ({ roomId: context.roomId, page: { before: context.messages[0]?.seq ?? 1, limit: PAGE_SIZE } }),
                onDone: {
                  target: 'idle',
                  actions: assign(({ context, event }) => ({
                    messages: mergeMessages(context.messages, event.output),
                    hasOlder: event.output.length === PAGE_SIZE && (event.output[0]?.seq ?? 1) > 1,
                  })),
                },
                onError: { target: 'idle', actions: assign({ error: ({ event }) => event.error }) },
              },
            },
          },
        },
        sync: {
          initial: 'checking',
          states: {
            // A frame that came while the first page was read may have left a hole.
            checking: { always: [{ guard: ({ context }) => hasGap(context.messages), target: 'fillingGap' }, { target: 'live' }] },
            live: {
              on: {
                FRAME: [{ guard: 'frameOpensGap', target: 'fillingGap', actions: 'applyFrame' }, { actions: 'applyFrame' }],
                RESUME: 'fillingGap',
                RELOAD: 'reloading',
              },
            },
            reloading: {
              invoke: {
                src: 'fetchPage',
                input: ({ context }) => ({ roomId: context.roomId, page: { limit: PAGE_SIZE } }),
                onDone: {
                  target: 'checking',
                  actions: assign(({ context, event }) => ({
                    messages: reloadedMessages(context.messages, event.output),
                    hasOlder: event.output.length === PAGE_SIZE && (event.output[0]?.seq ?? 1) > 1,
                  })),
                },
                onError: 'waitingToReload',
              },
              on: { FRAME: { actions: 'applyFrame' }, RESUME: { target: 'reloading', reenter: true }, RELOAD: { target: 'reloading', reenter: true } },
            },
            waitingToReload: {
              after: { gapRetry: 'reloading' },
              on: { FRAME: { actions: 'applyFrame' }, RESUME: 'reloading', RELOAD: 'reloading' },
            },
            fillingGap: {
              invoke: {
                src: 'fetchPage',
                input: ({ context }) => ({ roomId: context.roomId, page: { after: contiguousEnd(context.messages), limit: GAP_PAGE_SIZE } }),
                onDone: [
                  {
                    // A full page, or a hole still there: more to fetch.
                    guard: ({ context, event }) => event.output.length === GAP_PAGE_SIZE || hasGap(mergeMessages(context.messages, event.output)),
                    target: 'fillingGap',
                    reenter: true,
                    actions: assign({ messages: ({ context, event }) => mergeMessages(context.messages, event.output) }),
                  },
                  { target: 'live', actions: assign({ messages: ({ context, event }) => mergeMessages(context.messages, event.output) }) },
                ],
                onError: 'waitingToRetry',
              },
              on: { FRAME: { actions: 'applyFrame' }, RESUME: { target: 'fillingGap', reenter: true }, RELOAD: 'reloading' },
            },
            waitingToRetry: {
              after: { gapRetry: 'fillingGap' },
              on: { FRAME: { actions: 'applyFrame' }, RESUME: 'fillingGap', RELOAD: 'reloading' },
            },
          },
        },
        reading: {
          initial: 'idle',
          on: { SEEN: { guard: 'seenSomethingNew', target: '.debouncing', reenter: true, actions: 'noteSeen' } },
          states: {
            idle: {},
            debouncing: { after: { readDebounce: 'marking' } },
            marking: {
              entry: assign({ markingSeq: ({ context }) => context.readSeq }),
              invoke: {
                src: 'markRead',
                input: ({ context }) => ({ roomId: context.roomId, seq: context.markingSeq }),
                onDone: [
                  { guard: ({ context }) => context.readSeq > context.markingSeq, target: 'debouncing', actions: assign({ markedSeq: ({ context }) => context.markingSeq }) },
                  { target: 'idle', actions: assign({ markedSeq: ({ context }) => context.markingSeq }) },
                ],
                // Not marked now: the next message seen marks everything up to it anyway.
                onError: 'idle',
              },
              // Seen more meanwhile: noted, and marked once this call is done.
              on: { SEEN: { guard: 'seenSomethingNew', actions: 'noteSeen' } },
            },
          },
        },
      },
    },
  },
});
