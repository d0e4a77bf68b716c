// A room as its decider sees it, folded from both of its streams. The two halves evolve independently:
// `room` only from `room-<id>` events and `log` only from `messages-<id>` events, so folding the two
// streams in either order, or interleaved, gives the same state.
import { assertNever } from '../shared/decider';
import { emptyMap, getEntry, type PersistentMap, removeEntry, setEntry, updateEntry } from './persistent-map';
import { messageEventId } from './ids';
import type { ForwardOrigin, MessageStreamEvent, RoomEvent, RoomStreamEvent } from './room.events';
import type { RoomRole } from './roles';

export interface RoomMember {
  readonly userId: string;
  readonly role: RoomRole;
  readonly joinedAt: string;
  readonly muted: boolean;
  readonly lastReadSeq: number;
}

export interface RoomMessage {
  readonly messageId: string;
  readonly seq: number;
  readonly authorId: string;
  readonly text: string;
  readonly deleted: boolean;
  readonly forwardedFrom?: ForwardOrigin;
  /** Emoji → who reacted with it, in the order they did; an emoji nobody uses any more is dropped. */
  readonly reactions: Readonly<Record<string, readonly string[]>>;
}

export interface ActiveRoom {
  readonly status: 'active';
  readonly roomId: string;
  readonly kind: 'group' | 'direct';
  /** Group rooms only; empty in a direct room, whose name is the other person's. */
  readonly name: string;
  readonly topic: string;
  readonly announcement: string;
  readonly createdAt: string;
  readonly members: PersistentMap<RoomMember>;
  readonly pinned: readonly string[];
  /** userId → the seq up to which that person cleared their history; kept when they leave, so a clear lasts. */
  readonly clearedUpToSeqByUser: PersistentMap<number>;
  readonly clearedForEveryoneUpToSeq: number;
}

export type RoomLifecycle = { readonly status: 'absent' } | ActiveRoom | { readonly status: 'deleted'; readonly roomId: string };

export interface MessageLog {
  /** The seq of the last message sent; the next one takes `lastSeq + 1`. */
  readonly lastSeq: number;
  readonly messages: PersistentMap<RoomMessage>;
}

export interface RoomState {
  readonly room: RoomLifecycle;
  readonly log: MessageLog;
}

export const initialRoomState: RoomState = { room: { status: 'absent' }, log: { lastSeq: 0, messages: emptyMap() } };

export function evolveRoom(state: RoomState, event: RoomEvent): RoomState {
  switch (event.type) {
    case 'MessageSent':
    case 'MessageEdited':
    case 'MessageDeleted':
    case 'MessageReactionAdded':
    case 'MessageReactionRemoved':
      return { ...state, log: evolveLog(state.log, event) };
    default:
      return { ...state, room: evolveLifecycle(state.room, event) };
  }
}

function evolveLifecycle(room: RoomLifecycle, event: RoomStreamEvent): RoomLifecycle {
  switch (event.type) {
    case 'GroupRoomCreated': {
      const { roomId, name, topic, ownerId, at } = event.data;
      const owner: RoomMember = { userId: ownerId, role: 'owner', joinedAt: at, muted: false, lastReadSeq: 0 };
      return { ...newRoom(roomId, 'group', at), name, topic, members: setEntry(emptyMap(), ownerId, owner) };
    }
    case 'DirectRoomCreated': {
      const { roomId, memberIds, at } = event.data;
      const members = memberIds.reduce(
        (all, userId) => setEntry(all, userId, { userId, role: 'member', joinedAt: at, muted: false, lastReadSeq: 0 }),
        emptyMap<RoomMember>(),
      );
      return { ...newRoom(roomId, 'direct', at), members };
    }
    case 'RoomRenamed':
      return whenActive(room, (active) => ({ ...active, name: event.data.name }));
    case 'RoomTopicChanged':
      return whenActive(room, (active) => ({ ...active, topic: event.data.topic }));
    case 'RoomAnnouncementChanged':
      return whenActive(room, (active) => ({ ...active, announcement: event.data.announcement }));
    case 'RoomDeleted':
      return { status: 'deleted', roomId: event.data.roomId };
    case 'RoomMemberAdded': {
      const { userId, role, at, lastReadSeq } = event.data;
      return whenActive(room, (active) => ({ ...active, members: setEntry(active.members, userId, { userId, role, joinedAt: at, muted: false, lastReadSeq }) }));
    }
    case 'RoomMemberRemoved':
    case 'RoomMemberLeft':
      return whenActive(room, (active) => ({ ...active, members: removeEntry(active.members, event.data.userId) }));
    case 'RoomMemberRoleChanged':
      return updateMember(room, event.data.userId, (member) => ({ ...member, role: event.data.role }));
    case 'RoomOwnershipTransferred': {
      const { previousOwnerId, newOwnerId } = event.data;
      const demoted = updateMember(room, previousOwnerId, (member) => ({ ...member, role: 'admin' }));
      return updateMember(demoted, newOwnerId, (member) => ({ ...member, role: 'owner' }));
    }
    case 'RoomNotificationsMuted':
      return updateMember(room, event.data.userId, (member) => ({ ...member, muted: true }));
    case 'RoomNotificationsUnmuted':
      return updateMember(room, event.data.userId, (member) => ({ ...member, muted: false }));
    case 'MessagePinned':
      return whenActive(room, (active) => ({ ...active, pinned: [...active.pinned, event.data.messageId] }));
    case 'MessageUnpinned':
      return whenActive(room, (active) => ({ ...active, pinned: active.pinned.filter((id) => id !== event.data.messageId) }));
    case 'RoomHistoryClearedForMember': {
      const { userId, upToSeq } = event.data;
      return whenActive(room, (active) => ({
        ...active,
        clearedUpToSeqByUser: setEntry(active.clearedUpToSeqByUser, userId, Math.max(upToSeq, getEntry(active.clearedUpToSeqByUser, userId) ?? 0)),
      }));
    }
    case 'RoomHistoryClearedForEveryone':
      return whenActive(room, (active) => ({ ...active, clearedForEveryoneUpToSeq: Math.max(active.clearedForEveryoneUpToSeq, event.data.upToSeq) }));
    case 'RoomMessagesRead':
      return updateMember(room, event.data.userId, (member) => ({ ...member, lastReadSeq: Math.max(member.lastReadSeq, event.data.upToSeq) }));
    default:
      return assertNever(event);
  }
}

function evolveLog(log: MessageLog, event: MessageStreamEvent): MessageLog {
  switch (event.type) {
    case 'MessageSent': {
      const { messageId, seq, authorId, text, forwardedFrom } = event.data;
      const message: RoomMessage = { messageId, seq, authorId, text, deleted: false, reactions: {}, ...(forwardedFrom ? { forwardedFrom } : {}) };
      return { lastSeq: Math.max(log.lastSeq, seq), messages: setEntry(log.messages, messageId, message) };
    }
    case 'MessageEdited':
      return updateMessage(log, event.data.messageId, (message) => ({ ...message, text: event.data.text }));
    case 'MessageDeleted':
      return updateMessage(log, event.data.messageId, (message) => ({ ...message, deleted: true }));
    case 'MessageReactionAdded': {
      const { messageId, emoji, userId } = event.data;
      return updateMessage(log, messageId, (message) => ({ ...message, reactions: { ...message.reactions, [emoji]: [...(message.reactions[emoji] ?? []), userId] } }));
    }
    case 'MessageReactionRemoved': {
      const { messageId, emoji, userId } = event.data;
      return updateMessage(log, messageId, (message) => {
        const { [emoji]: reactors = [], ...others } = message.reactions;
        const remaining = reactors.filter((id) => id !== userId);
        return { ...message, reactions: remaining.length === 0 ? others : { ...others, [emoji]: remaining } };
      });
    }
    default:
      return assertNever(event);
  }
}

function newRoom(roomId: string, kind: ActiveRoom['kind'], createdAt: string): ActiveRoom {
  return {
    status: 'active', roomId, kind, name: '', topic: '', announcement: '', createdAt,
    members: emptyMap(), pinned: [], clearedUpToSeqByUser: emptyMap(), clearedForEveryoneUpToSeq: 0,
  };
}

function whenActive(room: RoomLifecycle, change: (active: ActiveRoom) => ActiveRoom): RoomLifecycle {
  return room.status === 'active' ? change(room) : room;
}

function updateMember(room: RoomLifecycle, userId: string, change: (member: RoomMember) => RoomMember): RoomLifecycle {
  return whenActive(room, (active) => ({ ...active, members: updateEntry(active.members, userId, change) }));
}

function updateMessage(log: MessageLog, messageId: string, change: (message: RoomMessage) => RoomMessage): MessageLog {
  return { ...log, messages: updateEntry(log.messages, messageId, change) };
}

export function memberOf(room: ActiveRoom, userId: string): RoomMember | undefined {
  return getEntry(room.members, userId);
}

/** The seq up to which `userId` no longer sees the history: their own clear or a clear for everyone. */
export function clearedUpToSeq(room: ActiveRoom, userId: string): number {
  return Math.max(getEntry(room.clearedUpToSeqByUser, userId) ?? 0, room.clearedForEveryoneUpToSeq);
}

/** A message of the room as `userId` may see it: absent once they cleared it; deleted ones are included. */
export function messageSeenBy(state: RoomState, room: ActiveRoom, userId: string, messageId: string): RoomMessage | undefined {
  const message = getEntry(state.log.messages, messageId);
  return message !== undefined && message.seq > clearedUpToSeq(room, userId) ? message : undefined;
}

/**
 * The message `authorId` already sent with `clientMessageId`, if any: when a send decides no event,
 * this is the message to answer with.
 */
export function sentMessage(state: RoomState, authorId: string, clientMessageId: string): RoomMessage | undefined {
  return messageWithId(state, messageEventId(authorId, clientMessageId));
}

/** The message with this id, whoever has cleared it or deleted it. */
export function messageWithId(state: RoomState, messageId: string): RoomMessage | undefined {
  return getEntry(state.log.messages, messageId);
}
