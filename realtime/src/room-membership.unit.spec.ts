import { type DocumentStore, FIRST_GENERATION, messagingRepositories, openSqlite } from '@chat/platform';
import { ReadModelRooms } from './room-membership';

describe('rooms and missed messages from the rooms read model', () => {
  let documents: DocumentStore & { kind: 'sqlite' };
  let position = 0;
  const at = '2026-01-01T00:00:00.000Z';
  const noMessages = async () => ({ live: 0, own: 0 });

  beforeEach(() => {
    documents = { kind: 'sqlite', db: openSqlite(':memory:') };
  });

  afterEach(() => documents.db.close());

  async function openRoom(roomId: string, memberIds: readonly string[]): Promise<void> {
    const { roomList } = messagingRepositories(documents, FIRST_GENERATION);
    await roomList.recordRoomOpened({ roomId, kind: 'group', name: roomId, topic: '', createdAt: at }, ++position);
    for (const userId of memberIds) await roomList.recordMemberJoined(roomId, { userId, role: 'member', joinedAt: at, lastReadSeq: 0 }, noMessages, ++position);
  }

  async function send(roomId: string, seq: number): Promise<void> {
    const { messageHistory } = messagingRepositories(documents, FIRST_GENERATION);
    await messageHistory.recordSent({ roomId, seq, messageId: `${roomId}-m${seq}`, authorId: 'ann', text: `message ${seq}`, createdAt: at }, ++position);
  }

  it('lists the rooms a user is a member of, and no room they left', async () => {
    for (const roomId of ['r1', 'r2', 'r3']) await openRoom(roomId, ['ann']);
    const { roomList } = messagingRepositories(documents, FIRST_GENERATION);
    await roomList.recordMemberJoined('r1', { userId: 'bob', role: 'member', joinedAt: at, lastReadSeq: 0 }, noMessages, ++position);
    await roomList.recordMemberLeft('r2', 'ann', ++position);

    const rooms = new ReadModelRooms(documents);
    expect((await rooms.roomsOf('ann')).sort()).toEqual(['r1', 'r3']);
    expect(await rooms.roomsOf('bob')).toEqual(['r1']);
    expect(await rooms.roomsOf('carl')).toEqual([]);
  });

  it('answers the messages after a cursor, oldest first, as the history shows them', async () => {
    await openRoom('r1', ['ann', 'bob']);
    for (let seq = 1; seq <= 5; seq++) await send('r1', seq);
    const rooms = new ReadModelRooms(documents);
    const missed = await rooms.after('bob', 'r1', 2, 2);
    expect(missed?.map((message) => message.seq)).toEqual([3, 4]);
    expect(missed?.[0]).toMatchObject({ id: 'r1-m3', roomId: 'r1', seq: 3, authorId: 'ann', text: 'message 3', deleted: false, reactions: {} });
  });

  it('leaves out what the user cleared from their history', async () => {
    await openRoom('r1', ['ann', 'bob']);
    for (let seq = 1; seq <= 4; seq++) await send('r1', seq);
    const { roomList } = messagingRepositories(documents, FIRST_GENERATION);
    await roomList.recordReaderMoved('r1', 'bob', { ownClearedUpToSeq: 3 }, noMessages, ++position);
    const missed = await new ReadModelRooms(documents).after('bob', 'r1', 0, 10);
    expect(missed?.map((message) => message.seq)).toEqual([4]);
  });

  it('answers nothing to someone who is not a member', async () => {
    await openRoom('r1', ['ann']);
    await send('r1', 1);
    expect(await new ReadModelRooms(documents).after('carl', 'r1', 0, 10)).toBeUndefined();
  });
});
