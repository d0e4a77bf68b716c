import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import type { HistoryPage } from '../api/client';
import type { Message } from '../api/types';
import { GAP_RETRY_MS, PAGE_SIZE, READ_DEBOUNCE_MS, contiguousEnd, mergeMessages, reloadedMessages, roomMachine } from './room.machine';

const message = (seq: number, text = `m${seq}`): Message => ({
  id: `id-${seq}`,
  roomId: 'r1',
  seq,
  authorId: 'bob',
  text,
  createdAt: '2026-11-25T10:00:00.000Z',
  deleted: false,
  reactions: {},
  attachments: [],
});

/** A fake room history holding seqs 1..last, answering pages as the API does. */
function start(options: { last: number; lastReadSeq?: number; failFetches?: number; fetchDelayMs?: number }) {
  let last = options.last;
  let failures = options.failFetches ?? 0;
  const pages: HistoryPage[] = [];
  const marked: number[] = [];
  const machine = roomMachine.provide({
    actors: {
      fetchPage: fromPromise(async ({ input }) => {
        pages.push(input.page);
        if (options.fetchDelayMs) await new Promise((resolve) => setTimeout(resolve, options.fetchDelayMs));
        if (failures > 0) {
          failures -= 1;
          throw new Error('offline');
        }
        const limit = input.page.limit ?? PAGE_SIZE;
        const all = Array.from({ length: last }, (_, index) => message(index + 1));
        if (input.page.after !== undefined) return all.filter((m) => m.seq > input.page.after!).slice(0, limit);
        const before = input.page.before ?? Number.POSITIVE_INFINITY;
        return all.filter((m) => m.seq < before).slice(-limit);
      }),
      markRead: fromPromise(async ({ input }) => void marked.push(input.seq)),
    },
  });
  const actor = createActor(machine, { input: { roomId: 'r1', lastReadSeq: options.lastReadSeq ?? 0, readerId: 'me' } }).start();
  return { actor, pages, marked, grow: (to: number) => (last = to), failNext: () => (failures += 1) };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const seqs = (actor: ReturnType<typeof start>['actor']) => actor.getSnapshot().context.messages.map((m) => m.seq);
const created = (seq: number) => ({ type: 'FRAME' as const, frame: { type: 'message.created', roomId: 'r1', seq, data: message(seq) as unknown as Record<string, unknown> } });

describe('room machine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads the latest page first and knows there is older history', async () => {
    const { actor, pages } = start({ last: 120 });
    expect(actor.getSnapshot().matches('loading')).toBe(true);
    await flush();
    expect(pages[0]).toEqual({ limit: PAGE_SIZE });
    expect(seqs(actor)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(actor.getSnapshot().context.hasOlder).toBe(true);
  });

  it('loads older pages before the oldest held, until the first message', async () => {
    const { actor, pages } = start({ last: 120 });
    await flush();
    actor.send({ type: 'LOAD_OLDER' });
    await flush();
    expect(pages[1]).toEqual({ before: 71, limit: PAGE_SIZE });
    actor.send({ type: 'LOAD_OLDER' });
    await flush();
    expect(seqs(actor)[0]).toBe(1);
    expect(seqs(actor)).toHaveLength(120);
    expect(actor.getSnapshot().context.hasOlder).toBe(false);
    actor.send({ type: 'LOAD_OLDER' });
    await flush();
    expect(pages).toHaveLength(3);
  });

  it('appends live messages, and a frame seen twice changes nothing', async () => {
    const { actor, pages } = start({ last: 3 });
    await flush();
    actor.send(created(4));
    actor.send(created(4));
    expect(seqs(actor)).toEqual([1, 2, 3, 4]);
    expect(pages).toHaveLength(1);
  });

  it('fills a gap when a frame jumps ahead of what is held', async () => {
    const { actor, pages, grow } = start({ last: 3 });
    await flush();
    grow(7);
    actor.send(created(7));
    expect(actor.getSnapshot().matches({ ready: { sync: 'fillingGap' } })).toBe(true);
    await flush();
    expect(pages[1]).toEqual({ after: 3, limit: 100 });
    expect(seqs(actor)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(actor.getSnapshot().matches({ ready: { sync: 'live' } })).toBe(true);
  });

  it('catches up after a reconnect (RESUME), page by page, merging frames that come meanwhile', async () => {
    const { actor, pages, grow } = start({ last: 2 });
    await flush();
    grow(250);
    actor.send({ type: 'RESUME' });
    actor.send(created(251));
    grow(251);
    await flush();
    await flush();
    await flush();
    expect(pages.slice(1)).toEqual([
      { after: 2, limit: 100 },
      { after: 102, limit: 100 },
      { after: 202, limit: 100 },
    ]);
    expect(seqs(actor)).toEqual(Array.from({ length: 251 }, (_, i) => i + 1));
    expect(contiguousEnd(actor.getSnapshot().context.messages)).toBe(251);
    expect(actor.getSnapshot().matches({ ready: { sync: 'live' } })).toBe(true);
  });

  it('takes a resumed connection’s catch-up frames as they come, with no HTTP read', async () => {
    const { actor, pages, grow } = start({ last: 5 });
    await flush();
    grow(8);
    for (const seq of [6, 7, 8]) actor.send(created(seq));
    await flush();
    expect(seqs(actor)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(pages).toHaveLength(1);
  });

  it('starts again from the latest page when too far behind (RELOAD), keeping frames that come meanwhile', async () => {
    const { actor, pages, grow } = start({ last: 60, fetchDelayMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    expect(seqs(actor)[0]).toBe(11);
    grow(400);
    actor.send({ type: 'RELOAD' });
    expect(actor.getSnapshot().matches({ ready: { sync: 'reloading' } })).toBe(true);
    // Not yet in the history the page is read from.
    actor.send(created(401));
    await vi.advanceTimersByTimeAsync(10);
    expect(pages[1]).toEqual({ limit: PAGE_SIZE });
    expect(seqs(actor)).toEqual(Array.from({ length: 51 }, (_, i) => 351 + i));
    expect(actor.getSnapshot().context.hasOlder).toBe(true);
    expect(actor.getSnapshot().matches({ ready: { sync: 'live' } })).toBe(true);
  });

  it('reads the latest page again after a failed reload', async () => {
    const { actor, pages, grow, failNext } = start({ last: 2 });
    await flush();
    grow(300);
    failNext();
    actor.send({ type: 'RELOAD' });
    await flush();
    expect(actor.getSnapshot().matches({ ready: { sync: 'waitingToReload' } })).toBe(true);
    await vi.advanceTimersByTimeAsync(GAP_RETRY_MS);
    expect(pages.slice(1)).toEqual([{ limit: PAGE_SIZE }, { limit: PAGE_SIZE }]);
    expect(seqs(actor)[0]).toBe(251);
  });

  it('shows a failed first load, and loads again on RETRY', async () => {
    const { actor } = start({ last: 2, failFetches: 1 });
    await flush();
    expect(actor.getSnapshot().matches('failed')).toBe(true);
    actor.send({ type: 'RETRY' });
    await flush();
    expect(seqs(actor)).toEqual([1, 2]);
  });

  it('waits and fetches again when filling a gap fails', async () => {
    const { actor, pages, grow, failNext } = start({ last: 2 });
    await flush();
    grow(4);
    failNext();
    actor.send({ type: 'RESUME' });
    await flush();
    expect(actor.getSnapshot().matches({ ready: { sync: 'waitingToRetry' } })).toBe(true);
    await vi.advanceTimersByTimeAsync(GAP_RETRY_MS);
    expect(pages.slice(1)).toEqual([{ after: 2, limit: 100 }, { after: 2, limit: 100 }]);
    expect(seqs(actor)).toEqual([1, 2, 3, 4]);
  });

  it('patches edits, deletions and reactions of held messages', async () => {
    const { actor } = start({ last: 2 });
    await flush();
    actor.send({ type: 'FRAME', frame: { type: 'message.updated', roomId: 'r1', seq: 1, data: { id: 'id-1', text: 'changed', editedAt: '2026-11-25T11:00:00.000Z' } } });
    actor.send({ type: 'FRAME', frame: { type: 'message.deleted', roomId: 'r1', seq: 2, data: { id: 'id-2', by: 'bob' } } });
    actor.send({ type: 'FRAME', frame: { type: 'reaction.updated', roomId: 'r1', seq: 1, data: { id: 'id-1', reactions: { '👍': ['alice'] } } } });
    const [first, second] = actor.getSnapshot().context.messages;
    expect(first).toMatchObject({ text: 'changed', editedAt: '2026-11-25T11:00:00.000Z', reactions: { '👍': ['alice'] } });
    expect(second).toMatchObject({ deleted: true, text: '' });
  });

  it('takes the sender’s own stored message from the outbox without waiting for the push', async () => {
    const { actor } = start({ last: 1 });
    await flush();
    actor.send({ type: 'MESSAGE_STORED', message: message(2, 'mine') });
    actor.send(created(2));
    expect(seqs(actor)).toEqual([1, 2]);
  });

  it('keeps frames that arrive while the first page loads', async () => {
    const { actor } = start({ last: 3, fetchDelayMs: 50 });
    actor.send(created(4));
    await vi.advanceTimersByTimeAsync(50);
    expect(seqs(actor)).toEqual([1, 2, 3, 4]);
  });

  it('marks what the reader has seen, debounced, and only forwards', async () => {
    const { actor, marked } = start({ last: 10, lastReadSeq: 4 });
    await flush();
    expect(actor.getSnapshot().context.dividerAfterSeq).toBe(4);
    actor.send({ type: 'SEEN', seq: 3 });
    actor.send({ type: 'SEEN', seq: 6 });
    actor.send({ type: 'SEEN', seq: 8 });
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS);
    expect(marked).toEqual([8]);
    actor.send({ type: 'SEEN', seq: 8 });
    actor.send({ type: 'SEEN', seq: 10 });
    await vi.advanceTimersByTimeAsync(READ_DEBOUNCE_MS);
    expect(marked).toEqual([8, 10]);
    expect(actor.getSnapshot().context.markedSeq).toBe(10);
  });

  it('puts the new-messages divider before the first message unread on opening, not before later ones', async () => {
    const opened = start({ last: 10, lastReadSeq: 6 });
    await flush();
    expect(opened.actor.getSnapshot().context.firstUnreadSeq).toBe(7);
    opened.actor.send(created(11));
    expect(opened.actor.getSnapshot().context.firstUnreadSeq).toBe(7);
    const manyUnread = start({ last: 120, lastReadSeq: 0 });
    await flush();
    expect(manyUnread.actor.getSnapshot().context.firstUnreadSeq).toBe(1);
    const allRead = start({ last: 3, lastReadSeq: 3 });
    await flush();
    allRead.actor.send(created(4));
    expect(allRead.actor.getSnapshot().context.firstUnreadSeq).toBeUndefined();
  });

  it('drops messages up to a history clear', async () => {
    const { actor } = start({ last: 5 });
    await flush();
    actor.send({ type: 'FRAME', frame: { type: 'history.cleared', roomId: 'r1', data: { scope: 'everyone', upToSeq: 3 } } });
    expect(seqs(actor)).toEqual([4, 5]);
  });

  it('merges by seq, a newer copy winning', () => {
    expect(mergeMessages([message(1), message(3)], [message(2), message(3, 'new')]).map((m) => `${m.seq}:${m.text}`)).toEqual(['1:m1', '2:m2', '3:new']);
    expect(contiguousEnd([message(4), message(5), message(7)])).toBe(5);
    expect(contiguousEnd([])).toBe(0);
  });

  it('reloads to the page and the held messages newer than it, nothing older', () => {
    expect(reloadedMessages([message(1), message(2), message(9)], [message(7), message(8)]).map((m) => m.seq)).toEqual([7, 8, 9]);
    expect(reloadedMessages([message(1)], []).map((m) => m.seq)).toEqual([1]);
  });
});
