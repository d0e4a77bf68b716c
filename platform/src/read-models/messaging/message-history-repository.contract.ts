// The contract both message-history repositories pass.
import type { MessageHistoryRepository, SentMessage } from './message-history-repository';

export interface MessageHistoryUnderTest {
  /** A fresh, empty repository. */
  readonly repository: MessageHistoryRepository;
  cleanup(): Promise<void>;
}

const room = 'room-a';
const otherRoom = 'room-b';
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const sent = (seq: number, extra: Partial<SentMessage> = {}): SentMessage => ({
  roomId: room,
  seq,
  messageId: `m${seq}`,
  authorId: seq % 2 === 0 ? 'bob' : 'alice',
  text: `message ${seq}`,
  createdAt: at(seq),
  ...extra,
});

export function messageHistoryRepositoryContract(makeRepository: () => Promise<MessageHistoryUnderTest>): void {
  let subject: MessageHistoryUnderTest;
  let history: MessageHistoryRepository;
  beforeEach(async () => {
    subject = await makeRepository();
    history = subject.repository;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  /** Sends messages 1..count at positions 1..count. */
  async function sendMessages(count: number): Promise<void> {
    for (let seq = 1; seq <= count; seq++) await history.recordSent(sent(seq), seq);
  }
  const seqsOf = async (window: Parameters<MessageHistoryRepository['page']>[1]) => (await history.page(room, window)).map((m) => m.seq);

  it('keeps a message with everything a reader sees of it', async () => {
    const origin = { roomId: otherRoom, messageId: 'm9', authorId: 'carol' };
    await history.recordSent(sent(1), 1);
    await history.recordSent(sent(2, { replyTo: 'm1', forwardedFrom: origin, text: 'café ☕ 👍🏽' }), 2);
    expect(await history.page(room, { afterSeq: 0, limit: 10, from: 'oldest' })).toEqual([
      { roomId: room, seq: 1, messageId: 'm1', authorId: 'alice', text: 'message 1', createdAt: at(1), editedAt: null, deleted: false, replyTo: null, forwardedFrom: null, reactions: {} },
      { roomId: room, seq: 2, messageId: 'm2', authorId: 'bob', text: 'café ☕ 👍🏽', createdAt: at(2), editedAt: null, deleted: false, replyTo: 'm1', forwardedFrom: origin, reactions: {} },
    ]);
  });

  it('pages by seq: the latest page, before a seq, after a seq, and between two', async () => {
    await sendMessages(10);
    expect(await seqsOf({ afterSeq: 0, limit: 3, from: 'newest' })).toEqual([8, 9, 10]);
    expect(await seqsOf({ afterSeq: 0, beforeSeq: 5, limit: 3, from: 'newest' })).toEqual([2, 3, 4]);
    expect(await seqsOf({ afterSeq: 0, beforeSeq: 3, limit: 5, from: 'newest' })).toEqual([1, 2]);
    expect(await seqsOf({ afterSeq: 6, limit: 3, from: 'oldest' })).toEqual([7, 8, 9]);
    expect(await seqsOf({ afterSeq: 3, beforeSeq: 6, limit: 10, from: 'oldest' })).toEqual([4, 5]);
    expect(await seqsOf({ afterSeq: 10, limit: 10, from: 'oldest' })).toEqual([]);
  });

  it('keeps each room’s history apart, even for a message id used in both', async () => {
    await history.recordSent(sent(1), 1);
    await history.recordSent(sent(1, { roomId: otherRoom, text: 'elsewhere' }), 2);
    await history.recordEdited(otherRoom, 'm1', 'edited elsewhere', at(5), 3);
    expect((await history.page(room, { afterSeq: 0, limit: 10, from: 'oldest' })).map((m) => m.text)).toEqual(['message 1']);
    expect((await history.page(otherRoom, { afterSeq: 0, limit: 10, from: 'oldest' })).map((m) => m.text)).toEqual(['edited elsewhere']);
  });

  it('ignores a message sent again', async () => {
    await history.recordSent(sent(1), 1);
    await history.recordSent(sent(1, { text: 'not this' }), 1);
    expect(await history.page(room, { afterSeq: 0, limit: 10, from: 'oldest' })).toEqual([expect.objectContaining({ seq: 1, text: 'message 1' })]);
  });

  it('edits a message and says where it is; an older event changes nothing', async () => {
    await sendMessages(2);
    expect(await history.recordEdited(room, 'm1', 'fixed', at(20), 5)).toEqual({ seq: 1, authorId: 'alice' });
    expect(await history.recordEdited(room, 'm1', 'stale', at(19), 4)).toEqual({ seq: 1, authorId: 'alice' });
    expect(await history.recordEdited(room, 'm404', 'nothing', at(20), 6)).toBeUndefined();
    expect((await history.page(room, { afterSeq: 0, limit: 1, from: 'oldest' }))[0]).toMatchObject({ text: 'fixed', editedAt: at(20) });
  });

  it('deletes a message without its text and reactions, and says which event deleted it', async () => {
    await sendMessages(2);
    await history.recordReaction(room, 'm2', { emoji: '👍', userId: 'alice', reacted: true }, 3);
    expect(await history.recordDeleted(room, 'm2', 4)).toEqual({ seq: 2, authorId: 'bob', deletedAtPosition: 4 });
    expect(await history.recordDeleted(room, 'm2', 4)).toEqual({ seq: 2, authorId: 'bob', deletedAtPosition: 4 });
    expect(await history.recordDeleted(room, 'm2', 7)).toEqual({ seq: 2, authorId: 'bob', deletedAtPosition: 4 });
    expect(await history.recordDeleted(room, 'm404', 8)).toBeUndefined();
    expect((await history.page(room, { afterSeq: 1, limit: 1, from: 'oldest' }))[0]).toMatchObject({ seq: 2, deleted: true, text: '', reactions: {} });
  });

  it('keeps reactions per emoji in the order people reacted, and drops an emoji nobody uses', async () => {
    await sendMessages(1);
    const react = (emoji: string, userId: string, reacted: boolean, position: number) => history.recordReaction(room, 'm1', { emoji, userId, reacted }, position);
    await react('👍', 'bob', true, 2);
    await react('👍', 'alice', true, 3);
    await react('a.b', 'bob', true, 4);
    await react('$x', 'bob', true, 5);
    expect(await react('👍', 'bob', false, 6)).toEqual({ seq: 1, authorId: 'alice', reactions: { '👍': ['alice'], 'a.b': ['bob'], $x: ['bob'] } });
    await react('a.b', 'bob', false, 7);
    await react('a.b', 'bob', true, 6);
    expect((await history.page(room, { afterSeq: 0, limit: 1, from: 'oldest' }))[0]?.reactions).toEqual({ '👍': ['alice'], $x: ['bob'] });
    expect(await history.recordReaction(room, 'm404', { emoji: '👍', userId: 'bob', reacted: true }, 8)).toBeUndefined();
  });

  it('counts the live messages after a seq, and the reader’s own among them', async () => {
    await sendMessages(6);
    await history.recordDeleted(room, 'm5', 7);
    expect(await history.liveAfter(room, 0, 'alice')).toEqual({ live: 5, own: 2 });
    expect(await history.liveAfter(room, 2, 'bob')).toEqual({ live: 3, own: 2 });
    expect(await history.liveAfter(room, 6, 'bob')).toEqual({ live: 0, own: 0 });
    expect(await history.liveAfter(otherRoom, 0, 'bob')).toEqual({ live: 0, own: 0 });
  });

  it('is empty again after drop', async () => {
    await sendMessages(2);
    await history.drop();
    expect(await history.page(room, { afterSeq: 0, limit: 10, from: 'oldest' })).toEqual([]);
  });
}
