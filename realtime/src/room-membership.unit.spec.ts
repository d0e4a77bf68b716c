import { type DocumentStore, FIRST_GENERATION, messagingRepositories, openSqlite } from '@chat/platform';
import { ReadModelRoomMembership } from './room-membership';

describe('room membership from the rooms read model', () => {
  let documents: DocumentStore & { kind: 'sqlite' };

  beforeEach(() => {
    documents = { kind: 'sqlite', db: openSqlite(':memory:') };
  });

  afterEach(() => documents.db.close());

  it('lists the rooms a user is a member of, and no room they left', async () => {
    const { roomList } = messagingRepositories(documents, FIRST_GENERATION);
    const noMessages = async () => ({ live: 0, own: 0 });
    const at = '2026-01-01T00:00:00.000Z';
    let position = 0;
    for (const roomId of ['r1', 'r2', 'r3']) {
      await roomList.recordRoomOpened({ roomId, kind: 'group', name: roomId, topic: '', createdAt: at }, ++position);
      await roomList.recordMemberJoined(roomId, { userId: 'ann', role: 'member', joinedAt: at, lastReadSeq: 0 }, noMessages, ++position);
    }
    await roomList.recordMemberJoined('r1', { userId: 'bob', role: 'member', joinedAt: at, lastReadSeq: 0 }, noMessages, ++position);
    await roomList.recordMemberLeft('r2', 'ann', ++position);

    const membership = new ReadModelRoomMembership(documents);
    expect((await membership.roomsOf('ann')).sort()).toEqual(['r1', 'r3']);
    expect(await membership.roomsOf('bob')).toEqual(['r1']);
    expect(await membership.roomsOf('carl')).toEqual([]);
  });
});
