// The rooms projection on SQLite: what it publishes for the realtime service, and what it leaves alone.
// That its read models match the domain's fold of any log is the property test's part (command-api).
import { messageEventId, type RoomEvent, roomMessagesStreamId, roomStreamId } from '@chat/domain';
import { messagingRepositories, openSqlite, type RecordedEvent, type SqliteDatabase } from '@chat/platform';
import type { Projection } from '../../processor/projection';
import { roomsProjection } from './rooms.projection';

const roomId = '4a1c7e52-0d55-4c2e-9d0e-6f1b2a3c4d5e';
const at = '2026-03-01T10:00:00.000Z';

describe('rooms projection', () => {
  let db: SqliteDatabase;
  let projection: Projection;
  let published: { topic: string; payload: unknown }[];
  let position: number;
  const context = { publish: (topic: string, payload: unknown) => void published.push({ topic, payload }) };

  beforeEach(() => {
    db = openSqlite(':memory:');
    projection = roomsProjection('rooms@1', messagingRepositories({ kind: 'sqlite', db }, 1));
    published = [];
    position = 0;
  });
  afterEach(() => db.close());

  function recorded(streamId: string, event: { type: string; data: unknown }): RecordedEvent {
    position += 1;
    return { id: `event-${position}`, streamId, type: event.type, data: event.data, metadata: {}, revision: position, position, createdAt: new Date(at) };
  }
  async function apply(event: RoomEvent): Promise<void> {
    const onMessages = ['MessageSent', 'MessageEdited', 'MessageDeleted', 'MessageReactionAdded', 'MessageReactionRemoved'].includes(event.type);
    await projection.apply(recorded(onMessages ? roomMessagesStreamId(roomId) : roomStreamId(roomId), event), context);
  }
  const messageId = messageEventId('bob', 'c1');

  it('publishes room frames on room.<id>, with the seq of message events, and personal ones on user.<id>', async () => {
    await apply({ type: 'GroupRoomCreated', data: { roomId, name: 'Launch', topic: '', ownerId: 'alice', at } });
    await apply({ type: 'RoomMemberAdded', data: { roomId, userId: 'bob', role: 'member', lastReadSeq: 0, by: 'alice', at } });
    await apply({ type: 'MessageSent', data: { roomId, messageId, seq: 1, authorId: 'bob', clientMessageId: 'c1', text: 'hello', at } });
    await apply({ type: 'MessageReactionAdded', data: { roomId, messageId, emoji: '👍', userId: 'alice', at } });
    await apply({ type: 'RoomMessagesRead', data: { roomId, userId: 'alice', upToSeq: 1, at } });
    expect(published).toEqual([
      { topic: 'user.alice', payload: { type: 'room.created', roomId, data: { kind: 'group', name: 'Launch', topic: '', createdAt: at } } },
      { topic: `room.${roomId}`, payload: { type: 'member.joined', roomId, data: { userId: 'bob', role: 'member', joinedAt: at, by: 'alice' } } },
      { topic: 'user.bob', payload: { type: 'member.joined', roomId, data: { userId: 'bob', role: 'member', joinedAt: at, by: 'alice' } } },
      { topic: 'user.bob', payload: { type: 'unread.updated', roomId, data: { unreadCount: 0, lastReadSeq: 0 } } },
      {
        topic: `room.${roomId}`,
        payload: {
          type: 'message.created',
          roomId,
          seq: 1,
          data: { id: messageId, roomId, seq: 1, authorId: 'bob', text: 'hello', createdAt: at, deleted: false, reactions: {}, attachments: [] },
        },
      },
      { topic: `room.${roomId}`, payload: { type: 'reaction.updated', roomId, seq: 1, data: { id: messageId, reactions: { '👍': ['alice'] } } } },
      { topic: 'user.alice', payload: { type: 'unread.updated', roomId, data: { unreadCount: 0, lastReadSeq: 1 } } },
    ]);
  });

  it('leaves alone events of the same names in streams that are not a room’s, and rooms it does not know', async () => {
    await projection.apply(recorded('room-seed1', { type: 'MessageSent', data: { n: 1, text: 'seeded' } }), context);
    await projection.apply(recorded('user-seed2', { type: 'RoomRenamed', data: { n: 2, text: 'seeded' } }), context);
    await projection.apply(recorded('room-seed3', { type: 'RoomRenamed', data: { n: 3, text: 'seeded' } }), context);
    await projection.apply(recorded(roomMessagesStreamId(roomId), { type: 'MessageDeleted', data: { roomId, messageId, by: 'bob', at } }), context);
    const { roomList, messageHistory } = messagingRepositories({ kind: 'sqlite', db }, 1);
    expect(await roomList.roomsOf('alice')).toEqual([]);
    expect(await messageHistory.page(roomId, { afterSeq: 0, limit: 10, from: 'oldest' })).toEqual([]);
    expect(published).toEqual([]);
  });

  it('handles only room events', () => {
    expect(projection.handles('MessageSent')).toBe(true);
    expect(projection.handles('RoomMessagesRead')).toBe(true);
    expect(projection.handles('UserRegistered')).toBe(false);
  });
});
