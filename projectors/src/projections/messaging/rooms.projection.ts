// Rooms and their messages, from both streams of every room: the room list, the room details and the
// message history, which are one read model (see messaging-read-models.ts). Each change is also
// published for the realtime service: per room on `room.<roomId>` in the shape of the WebSocket frames,
// and per user on `user.<userId>` for what only concerns that user (their room list, unread count, mute).
// A new message is not published per member: clients count it as unread from the room's frame.
import {
  assertNever,
  type MessageStreamEvent,
  type RoomEvent,
  type RoomStreamEvent,
} from '@chat/domain';
import {
  type CountLiveAfter,
  type MessagingRepositories,
  type RecordedEvent,
  streamCategory,
  type UnreadState,
} from '@chat/platform';
import type { Projection, ProjectionContext } from '../../processor/projection';

// Records rather than lists, so that the compiler names an event type the domain adds and this forgot.
const roomStreamEvents: Readonly<Record<RoomStreamEvent['type'], true>> = {
  GroupRoomCreated: true, DirectRoomCreated: true, RoomRenamed: true, RoomTopicChanged: true, RoomAnnouncementChanged: true,
  RoomDeleted: true, RoomMemberAdded: true, RoomMemberRemoved: true, RoomMemberLeft: true, RoomMemberRoleChanged: true,
  RoomOwnershipTransferred: true, RoomNotificationsMuted: true, RoomNotificationsUnmuted: true, MessagePinned: true,
  MessageUnpinned: true, RoomHistoryClearedForMember: true, RoomHistoryClearedForEveryone: true, RoomMessagesRead: true,
};
const messageStreamEvents: Readonly<Record<MessageStreamEvent['type'], true>> = {
  MessageSent: true, MessageEdited: true, MessageDeleted: true, MessageReactionAdded: true, MessageReactionRemoved: true,
};
const ROOM_STREAM_EVENTS: ReadonlySet<string> = new Set(Object.keys(roomStreamEvents));
const MESSAGE_STREAM_EVENTS: ReadonlySet<string> = new Set(Object.keys(messageStreamEvents));

/** The frame types of the change feed (the WebSocket frames of API.md). */
export type RoomChangeType =
  | 'message.created' | 'message.updated' | 'message.deleted' | 'reaction.updated' | 'room.created' | 'room.updated' | 'room.deleted'
  | 'member.joined' | 'member.left' | 'member.role' | 'pin.updated' | 'unread.updated' | 'history.cleared';

export interface RoomChange {
  readonly type: RoomChangeType;
  readonly roomId: string;
  readonly seq?: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export const roomTopic = (roomId: string) => `room.${roomId}`;
export const userTopic = (userId: string) => `user.${userId}`;

export function roomsProjection(name: string, repositories: MessagingRepositories): Projection {
  const { roomList, roomDetails, messageHistory } = repositories;
  const countLiveAfter = (roomId: string): CountLiveAfter => (afterSeq, readerId) => messageHistory.liveAfter(roomId, afterSeq, readerId);

  return {
    name,
    handles: (eventType) => ROOM_STREAM_EVENTS.has(eventType) || MESSAGE_STREAM_EVENTS.has(eventType),
    apply: async (recorded, context) => {
      // The two halves of a room each have their stream; an event of one of these names elsewhere is not a
      // room's. The room is the one the stream names: an event in `room-x` that names no room it knows changes nothing.
      const category = streamCategory(recorded.streamId);
      const roomId = recorded.streamId.slice(category.length + 1);
      if (category === 'room' && ROOM_STREAM_EVENTS.has(recorded.type)) await applyRoomEvent(roomId, eventOf<RoomStreamEvent>(recorded), recorded, context);
      else if (category === 'messages' && MESSAGE_STREAM_EVENTS.has(recorded.type)) await applyMessageEvent(roomId, eventOf<MessageStreamEvent>(recorded), recorded, context);
    },
  };

  async function applyRoomEvent(roomId: string, event: RoomStreamEvent, { position }: RecordedEvent, context: ProjectionContext): Promise<void> {
    const publish = publisher(context, roomId);
    switch (event.type) {
      case 'GroupRoomCreated': {
        const { name, topic, ownerId, at } = event.data;
        const owner = { userId: ownerId, role: 'owner' as const, joinedAt: at };
        await roomDetails.recordOpened({ roomId, kind: 'group', name, topic, announcement: '', createdAt: at, members: [owner], pinned: [] }, position);
        await roomList.recordRoomOpened({ roomId, kind: 'group', name, topic, createdAt: at }, position);
        await roomList.recordMemberJoined(roomId, { ...owner, lastReadSeq: 0 }, countLiveAfter(roomId), position);
        publish.toUser(ownerId, 'room.created', { kind: 'group', name, topic, createdAt: at });
        return;
      }
      case 'DirectRoomCreated': {
        const { memberIds, at } = event.data;
        const members = memberIds.map((userId) => ({ userId, role: 'member' as const, joinedAt: at }));
        await roomDetails.recordOpened({ roomId, kind: 'direct', name: '', topic: '', announcement: '', createdAt: at, members, pinned: [] }, position);
        await roomList.recordRoomOpened({ roomId, kind: 'direct', name: '', topic: '', createdAt: at, directMemberIds: memberIds }, position);
        for (const member of members) {
          await roomList.recordMemberJoined(roomId, { ...member, lastReadSeq: 0 }, countLiveAfter(roomId), position);
          publish.toUser(member.userId, 'room.created', { kind: 'direct', memberIds, createdAt: at });
        }
        return;
      }
      case 'RoomRenamed':
      case 'RoomTopicChanged':
      case 'RoomAnnouncementChanged': {
        const changes =
          event.type === 'RoomRenamed' ? { name: event.data.name } : event.type === 'RoomTopicChanged' ? { topic: event.data.topic } : { announcement: event.data.announcement };
        if (!(await roomDetails.recordChanged(roomId, changes, position))) return;
        if (!('announcement' in changes)) await roomList.recordRoomChanged(roomId, changes, position);
        publish.toRoom('room.updated', { ...changes, by: event.data.by });
        return;
      }
      case 'RoomDeleted':
        await roomDetails.recordDeleted(roomId, position);
        await roomList.recordRoomDeleted(roomId, position);
        publish.toRoom('room.deleted', { by: event.data.by });
        return;
      case 'RoomMemberAdded': {
        const { userId, role, lastReadSeq, at, by } = event.data;
        await roomDetails.recordMemberJoined(roomId, { userId, role, joinedAt: at }, position);
        const unread = await roomList.recordMemberJoined(roomId, { userId, role, joinedAt: at, lastReadSeq }, countLiveAfter(roomId), position);
        publish.toRoom('member.joined', { userId, role, joinedAt: at, by });
        publish.toUser(userId, 'member.joined', { userId, role, joinedAt: at, by });
        if (unread) publish.unread(unread);
        return;
      }
      case 'RoomMemberRemoved':
      case 'RoomMemberLeft': {
        const { userId } = event.data;
        await roomDetails.recordMemberLeft(roomId, userId, position);
        await roomList.recordMemberLeft(roomId, userId, position);
        const data = { userId, ...(event.type === 'RoomMemberRemoved' ? { by: event.data.by } : {}) };
        publish.toRoom('member.left', data);
        publish.toUser(userId, 'member.left', data);
        return;
      }
      case 'RoomMemberRoleChanged': {
        const { userId, role, previousRole, by } = event.data;
        await roomDetails.recordRolesChanged(roomId, [{ userId, role }], position);
        await roomList.recordRoleChanged(roomId, userId, role, position);
        publish.toRoom('member.role', { userId, role, previousRole, by });
        return;
      }
      case 'RoomOwnershipTransferred': {
        const { previousOwnerId, newOwnerId } = event.data;
        const roles = [{ userId: previousOwnerId, role: 'admin' }, { userId: newOwnerId, role: 'owner' }] as const;
        await roomDetails.recordRolesChanged(roomId, roles, position);
        for (const { userId, role } of roles) {
          await roomList.recordRoleChanged(roomId, userId, role, position);
          publish.toRoom('member.role', { userId, role, by: previousOwnerId });
        }
        return;
      }
      case 'RoomNotificationsMuted':
      case 'RoomNotificationsUnmuted': {
        const muted = event.type === 'RoomNotificationsMuted';
        await roomList.recordMuted(roomId, event.data.userId, muted, position);
        publish.toUser(event.data.userId, 'room.updated', { muted });
        return;
      }
      case 'MessagePinned':
      case 'MessageUnpinned': {
        const pinned = await roomDetails.recordPin(roomId, event.data.messageId, event.type === 'MessagePinned', position);
        if (pinned) publish.toRoom('pin.updated', { messageId: event.data.messageId, pinned: event.type === 'MessagePinned', pinnedIds: [...pinned], by: event.data.by });
        return;
      }
      case 'RoomHistoryClearedForMember': {
        const { userId, upToSeq } = event.data;
        const unread = await roomList.recordReaderMoved(roomId, userId, { ownClearedUpToSeq: upToSeq }, countLiveAfter(roomId), position);
        publish.toUser(userId, 'history.cleared', { scope: 'me', upToSeq });
        if (unread) publish.unread(unread);
        return;
      }
      case 'RoomHistoryClearedForEveryone': {
        const { upToSeq, by } = event.data;
        const recounted = await roomList.recordClearedForEveryone(roomId, upToSeq, countLiveAfter(roomId), position);
        publish.toRoom('history.cleared', { scope: 'everyone', upToSeq, by });
        for (const unread of recounted) publish.unread(unread);
        return;
      }
      case 'RoomMessagesRead': {
        const { userId, upToSeq } = event.data;
        const unread = await roomList.recordReaderMoved(roomId, userId, { lastReadSeq: upToSeq }, countLiveAfter(roomId), position);
        if (unread) publish.unread(unread);
        return;
      }
      default:
        return assertNever(event);
    }
  }

  async function applyMessageEvent(roomId: string, event: MessageStreamEvent, { position }: RecordedEvent, context: ProjectionContext): Promise<void> {
    const publish = publisher(context, roomId);
    switch (event.type) {
      case 'MessageSent': {
        // The busiest event by far, written lean: one record for both repositories and the change.
        const { messageId, seq, authorId, text, at: createdAt, replyTo, forwardedFrom } = event.data;
        const links = { ...(replyTo ? { replyTo } : {}), ...(forwardedFrom ? { forwardedFrom } : {}) };
        const message = { roomId, seq, messageId, authorId, text, createdAt, ...links };
        await messageHistory.recordSent(message, position);
        await roomList.recordMessageSent(roomId, message, position);
        publish.toRoom('message.created', { id: messageId, roomId, seq, authorId, text, createdAt, deleted: false, ...links, reactions: {}, attachments: [] }, seq);
        return;
      }
      case 'MessageEdited': {
        const { messageId, text, at } = event.data;
        const edited = await messageHistory.recordEdited(roomId, messageId, text, at, position);
        if (!edited) return;
        await roomList.recordMessageEdited(roomId, messageId, text, position);
        publish.toRoom('message.updated', { id: messageId, text, editedAt: at }, edited.seq);
        return;
      }
      case 'MessageDeleted': {
        const { messageId, by } = event.data;
        const deletion = await messageHistory.recordDeleted(roomId, messageId, position);
        // Counted out once, by the event that deleted it, also when that event is replayed.
        if (!deletion || deletion.deletedAtPosition !== position) return;
        await roomList.recordMessageDeleted(roomId, { messageId, seq: deletion.seq, authorId: deletion.authorId }, position);
        publish.toRoom('message.deleted', { id: messageId, by }, deletion.seq);
        return;
      }
      case 'MessageReactionAdded':
      case 'MessageReactionRemoved': {
        const { messageId, emoji, userId } = event.data;
        const reacted = await messageHistory.recordReaction(roomId, messageId, { emoji, userId, reacted: event.type === 'MessageReactionAdded' }, position);
        if (reacted) publish.toRoom('reaction.updated', { id: messageId, reactions: reacted.reactions }, reacted.seq);
        return;
      }
      default:
        return assertNever(event);
    }
  }
}

function eventOf<Event extends RoomEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as Event;
}

/** The changes of one room: on its topic, or on the topic of one of its people. */
function publisher(context: ProjectionContext, roomId: string) {
  return new RoomChanges(context, roomId);
}

class RoomChanges {
  constructor(
    private readonly context: ProjectionContext,
    private readonly roomId: string,
  ) {}

  toRoom(type: RoomChangeType, data: Readonly<Record<string, unknown>>, seq?: number): void {
    const change: RoomChange = seq === undefined ? { type, roomId: this.roomId, data } : { type, roomId: this.roomId, seq, data };
    this.context.publish(roomTopic(this.roomId), change);
  }

  toUser(userId: string, type: RoomChangeType, data: Readonly<Record<string, unknown>>): void {
    const change: RoomChange = { type, roomId: this.roomId, data };
    this.context.publish(userTopic(userId), change);
  }

  unread({ userId, unreadCount, lastReadSeq }: UnreadState): void {
    this.toUser(userId, 'unread.updated', { unreadCount, lastReadSeq });
  }
}
