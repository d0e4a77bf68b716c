// The contract both room-list repositories pass. The live messages after a marker are counted from a
// small list kept by the test, as the message history would count them.
import type { CountLiveAfter, RoomListRepository } from './room-list-repository';

export interface RoomListUnderTest {
  /** A fresh, empty repository. */
  readonly repository: RoomListRepository;
  cleanup(): Promise<void>;
}

const room = 'room-a';
const otherRoom = 'room-b';
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();

export function roomListRepositoryContract(makeRepository: () => Promise<RoomListUnderTest>): void {
  let subject: RoomListUnderTest;
  let list: RoomListRepository;
  let position: number;
  let messages: { roomId: string; messageId: string; seq: number; authorId: string; deleted: boolean }[];
  const countLiveAfter = (roomId: string): CountLiveAfter => async (afterSeq, readerId) => {
    const live = messages.filter((m) => m.roomId === roomId && m.seq > afterSeq && !m.deleted);
    return { live: live.length, own: live.filter((m) => m.authorId === readerId).length };
  };

  beforeEach(async () => {
    subject = await makeRepository();
    list = subject.repository;
    position = 0;
    messages = [];
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  const next = () => ++position;
  async function openGroup(roomId = room, members: string[] = ['alice', 'bob', 'carol']): Promise<void> {
    await list.recordRoomOpened({ roomId, kind: 'group', name: `Room ${roomId}`, topic: 'things', createdAt: at(0) }, next());
    for (const [i, userId] of members.entries()) {
      await list.recordMemberJoined(roomId, { userId, role: i === 0 ? 'owner' : 'member', joinedAt: at(0), lastReadSeq: 0 }, countLiveAfter(roomId), next());
    }
  }
  async function send(authorId: string, roomId = room, minute = position + 1): Promise<string> {
    const seq = messages.filter((m) => m.roomId === roomId).length + 1;
    const messageId = `${roomId}-m${seq}`;
    messages.push({ roomId, messageId, seq, authorId, deleted: false });
    await list.recordMessageSent(roomId, { messageId, seq, authorId, text: `message ${seq}`, createdAt: at(minute) }, next());
    return messageId;
  }
  async function deleteMessage(messageId: string): Promise<void> {
    const message = messages.find((m) => m.messageId === messageId)!;
    message.deleted = true;
    await list.recordMessageDeleted(message.roomId, message, next());
  }
  const read = (userId: string, seq: number, roomId = room) => list.recordReaderMoved(roomId, userId, { lastReadSeq: seq }, countLiveAfter(roomId), next());
  const unread = async (userId: string, roomId = room) => (await list.roomsOf(userId)).find((r) => r.roomId === roomId)?.unreadCount;

  it('lists a new room for each member with its details and their standing', async () => {
    await openGroup();
    expect(await list.roomsOf('bob')).toEqual([
      {
        roomId: room, kind: 'group', name: 'Room room-a', topic: 'things', directMemberIds: [], lastMessage: null, lastSeq: 0,
        unreadCount: 0, lastReadSeq: 0, muted: false, role: 'member', joinedAt: at(0), lastActivityAt: at(0),
      },
    ]);
    expect((await list.roomsOf('alice'))[0]?.role).toBe('owner');
    expect(await list.roomsOf('mallory')).toEqual([]);
  });

  it('counts others’ messages as unread, never the reader’s own', async () => {
    await openGroup();
    await send('alice');
    await send('bob');
    await send('alice');
    expect(await unread('alice')).toBe(1);
    expect(await unread('bob')).toBe(2);
    expect(await unread('carol')).toBe(3);
    const [carols] = await list.roomsOf('carol');
    expect(carols).toMatchObject({ lastSeq: 3, lastMessage: { messageId: 'room-a-m3', seq: 3, authorId: 'alice', text: 'message 3', edited: false, deleted: false } });
  });

  it('takes the count afresh when the read marker moves, and answers the new count', async () => {
    await openGroup();
    for (const author of ['alice', 'bob', 'alice', 'bob']) await send(author);
    expect(await read('carol', 3)).toEqual({ userId: 'carol', unreadCount: 1, lastReadSeq: 3 });
    expect(await read('bob', 1)).toEqual({ userId: 'bob', unreadCount: 1, lastReadSeq: 1 });
    await send('alice');
    expect(await unread('carol')).toBe(2);
    expect(await unread('bob')).toBe(2);
    expect((await list.roomsOf('carol'))[0]?.lastReadSeq).toBe(3);
  });

  it('keeps the counts right through deletions before and after each marker', async () => {
    await openGroup();
    const ids = [];
    for (const author of ['alice', 'bob', 'alice', 'bob', 'alice']) ids.push(await send(author));
    await read('carol', 2);
    await read('bob', 4);
    await deleteMessage(ids[0]!); // before both markers
    await deleteMessage(ids[2]!); // alice's, after carol's marker, before bob's
    await deleteMessage(ids[3]!); // bob's own, after carol's marker
    expect(await unread('carol')).toBe(1);
    expect(await unread('bob')).toBe(1);
    expect(await unread('alice')).toBe(1);
    await send('bob');
    expect(await unread('carol')).toBe(2);
    expect(await unread('alice')).toBe(2);
  });

  it('shows a deleted or edited last message as such', async () => {
    await openGroup();
    const first = await send('alice');
    const second = await send('bob');
    await list.recordMessageEdited(room, first, 'not the last one', next());
    await list.recordMessageEdited(room, second, 'better', next());
    expect((await list.roomsOf('carol'))[0]?.lastMessage).toMatchObject({ messageId: second, text: 'better', edited: true, deleted: false });
    await deleteMessage(second);
    expect((await list.roomsOf('carol'))[0]?.lastMessage).toMatchObject({ messageId: second, text: '', deleted: true });
  });

  it('hides what a member cleared, and counts nothing of it as unread', async () => {
    await openGroup();
    await send('alice');
    await send('alice');
    expect(await list.recordReaderMoved(room, 'bob', { ownClearedUpToSeq: 2 }, countLiveAfter(room), next())).toEqual({ userId: 'bob', unreadCount: 0, lastReadSeq: 0 });
    const [bobs] = await list.roomsOf('bob');
    expect(bobs).toMatchObject({ unreadCount: 0, lastReadSeq: 0, lastMessage: null, lastSeq: 2 });
    expect(await list.membership(room, 'bob')).toEqual({ roomId: room, userId: 'bob', role: 'member', lastReadSeq: 0, clearedUpToSeq: 2 });
    expect(await unread('carol')).toBe(2);
    await send('carol');
    expect(await unread('bob')).toBe(1);
  });

  it('clears for everyone, members who join later included, and answers each member’s new count', async () => {
    await openGroup();
    await send('alice');
    await send('bob');
    const recounted = await list.recordClearedForEveryone(room, 2, countLiveAfter(room), next());
    expect(recounted).toEqual(
      expect.arrayContaining([
        { userId: 'alice', unreadCount: 0, lastReadSeq: 0 },
        { userId: 'bob', unreadCount: 0, lastReadSeq: 0 },
        { userId: 'carol', unreadCount: 0, lastReadSeq: 0 },
      ]),
    );
    expect(recounted).toHaveLength(3);
    await list.recordMemberJoined(room, { userId: 'dave', role: 'member', joinedAt: at(30), lastReadSeq: 0 }, countLiveAfter(room), next());
    expect(await list.membership(room, 'dave')).toMatchObject({ clearedUpToSeq: 2 });
    expect((await list.roomsOf('dave'))[0]).toMatchObject({ unreadCount: 0, lastMessage: null });
  });

  it('drops the room from a member’s list when they leave, and counts afresh when they come back, their own clear kept', async () => {
    await openGroup();
    await send('alice');
    await list.recordReaderMoved(room, 'bob', { ownClearedUpToSeq: 1 }, countLiveAfter(room), next());
    await list.recordMemberLeft(room, 'bob', next());
    expect(await list.roomsOf('bob')).toEqual([]);
    expect(await list.membership(room, 'bob')).toBeUndefined();
    await send('alice');
    await send('carol');
    expect(await list.recordMemberJoined(room, { userId: 'bob', role: 'member', joinedAt: at(40), lastReadSeq: 2 }, countLiveAfter(room), next())).toEqual({
      userId: 'bob',
      unreadCount: 1,
      lastReadSeq: 2,
    });
    expect(await list.membership(room, 'bob')).toEqual({ roomId: room, userId: 'bob', role: 'member', lastReadSeq: 2, clearedUpToSeq: 1 });
    expect((await list.roomsOf('bob'))[0]).toMatchObject({ unreadCount: 1, joinedAt: at(40), lastActivityAt: at(40) });
  });

  it('keeps each member’s role and mute', async () => {
    await openGroup();
    await list.recordRoleChanged(room, 'bob', 'moderator', next());
    await list.recordMuted(room, 'bob', true, next());
    expect((await list.roomsOf('bob'))[0]).toMatchObject({ role: 'moderator', muted: true });
    expect(await list.membership(room, 'bob')).toMatchObject({ role: 'moderator' });
    await list.recordMuted(room, 'bob', false, next());
    expect((await list.roomsOf('bob'))[0]?.muted).toBe(false);
  });

  it('renames and deletes rooms', async () => {
    await openGroup();
    await list.recordRoomChanged(room, { name: 'Renamed' }, next());
    await list.recordRoomChanged(room, { topic: 'new topic' }, next());
    expect((await list.roomsOf('bob'))[0]).toMatchObject({ name: 'Renamed', topic: 'new topic' });
    await list.recordRoomDeleted(room, next());
    expect(await list.roomsOf('bob')).toEqual([]);
    expect(await list.membership(room, 'alice')).toBeUndefined();
  });

  it('lists direct rooms with both people', async () => {
    await list.recordRoomOpened({ roomId: room, kind: 'direct', name: '', topic: '', createdAt: at(0), directMemberIds: ['alice', 'bob'] }, next());
    await list.recordMemberJoined(room, { userId: 'alice', role: 'member', joinedAt: at(0), lastReadSeq: 0 }, countLiveAfter(room), next());
    expect((await list.roomsOf('alice'))[0]).toMatchObject({ kind: 'direct', directMemberIds: ['alice', 'bob'] });
  });

  it('lists the most recent activity first', async () => {
    await openGroup(room);
    await openGroup(otherRoom);
    await send('alice', otherRoom, 10);
    await send('alice', room, 20);
    expect((await list.roomsOf('bob')).map((r) => r.roomId)).toEqual([room, otherRoom]);
    await send('carol', otherRoom, 30);
    expect((await list.roomsOf('bob')).map((r) => r.roomId)).toEqual([otherRoom, room]);
    expect((await list.roomsOf('bob'))[0]?.lastActivityAt).toBe(at(30));
  });

  it('applies each event once: a replay changes nothing', async () => {
    await openGroup();
    await send('alice');
    const sentAt = position;
    await list.recordMessageSent(room, { messageId: 'room-a-m1', seq: 1, authorId: 'alice', text: 'message 1', createdAt: at(1) }, sentAt);
    await read('bob', 1);
    const readAt = position;
    await send('alice');
    expect(await list.recordReaderMoved(room, 'bob', { lastReadSeq: 1 }, countLiveAfter(room), readAt)).toBeUndefined();
    await list.recordMessageDeleted(room, { messageId: 'room-a-m1', seq: 1, authorId: 'alice' }, next());
    messages[0]!.deleted = true;
    await list.recordMessageDeleted(room, { messageId: 'room-a-m1', seq: 1, authorId: 'alice' }, position);
    await list.recordMemberJoined(room, { userId: 'carol', role: 'member', joinedAt: at(50), lastReadSeq: 2 }, countLiveAfter(room), 3);
    expect(await unread('bob')).toBe(1);
    expect(await unread('carol')).toBe(1);
    expect((await list.roomsOf('carol'))[0]?.joinedAt).toBe(at(0));
  });

  it('is empty again after drop', async () => {
    await openGroup();
    await list.drop();
    expect(await list.roomsOf('alice')).toEqual([]);
  });
}
