// The rules of group and direct rooms and their messages, as one pure decider.
//
// Streams and ordering. A room is one aggregate kept in two streams:
//   room-<roomId>      membership, roles, details, pins, mutes, read markers, history clears
//   messages-<roomId>  MessageSent (each taking the room's next seq), edits, deletions, reactions
// `decide` gives a message `seq = log.lastSeq + 1`, and the handler appends it with the expected revision
// of the messages stream it folded. Two sends can never both commit seq n (the second append fails and
// is re-decided against a state that holds the first), and an append that fails leaves nothing behind,
// so seqs are gapless, never reused, and the same on every read. The log has a stream of its own so that
// sends, the busiest writes, never conflict with membership, settings or read-marker writes.
// Senders are queued, not raced: the handler runs a room's commands one at a time per process (an
// in-process lock per room), so a busy room's senders wait in line instead of conflicting and
// re-deciding. The expected revision is the safety net for another process writing the same room,
// which routing a room's writes to one instance keeps rare.
//
// What the command handler does:
// 1. Take the room's lock (one lock per roomId, covering both streams).
// 2. Bring the room's state up to date: fold both streams from where its cached state (or snapshot)
//    stopped, noting each stream's revision. The two halves of the state evolve independently, so the
//    order the streams are folded in does not matter.
// 3. `decide`. An error is the answer. No events is a repeat: a send answers with
//    `sentMessage(state, authorId, clientMessageId)`, opening an existing direct room with that room.
// 4. Append to `streamIdOf(command)` only, expecting the revision noted in 2 (`no_stream` if it had none).
//    A MessageSent's event id is its messageId, `messageEventId(authorId, clientMessageId)`, so the store
//    also recognises a re-sent append; other events get fresh UUIDs.
// 5. On WrongExpectedRevision, drop the cached state and go back to 2 (a few times, then 409).
// A rule that reads one stream and writes the other (a send needs membership, a pin a live message) sees
// the other stream as of step 2: the latest under the lock; across processes a send may land just after a
// removal it raced, as if it had come first. Forwarding spans rooms: `forwardSource` checks the source,
// then each target room decides its own ForwardMessage under its own lock.
import { assertNever, type Decider, type DomainError, isDomainError } from '../shared/decider';
import { messageEventId, roomMessagesStreamId, roomStreamId } from './ids';
import type {
  AddMember, AddReaction, ChangeMemberRole, ClearHistory, CreateGroupRoom, DeleteMessage, DeleteRoom, EditMessage, ForwardMessage,
  ForwardSource, LeaveRoom, MarkRead, OpenDirectRoom, PinMessage, RemoveMember, RemoveReaction, RoomCommand,
  SendMessage, SetNotificationsMuted, UnpinMessage, UpdateRoomDetails,
} from './room.commands';
import { blocked, forbidden, lastOwnerCannotLeave, messageNotFound, notAMember, roomAlreadyExists, roomNotFound } from './room.errors';
import type { ForwardOrigin, MessageSent, MessageStreamEvent, RoomEvent, RoomStreamEvent } from './room.events';
import { type ActiveRoom, clearedUpToSeq, evolveRoom, initialRoomState, memberOf, messageSeenBy, messageWithId, type RoomMember, type RoomMessage, type RoomState } from './room.state';
import { canActOn, canGrant, mayPerform, type RoomAction } from './roles';
import {
  validateClientMessageId, validateDirectRoomPair, validateMessageText, validateReactionEmoji, validateReadSeq, validateRoomAnnouncement,
  validateRoomName, validateRoomTopic,
} from './validation';

export const roomDecider: Decider<RoomState, RoomCommand, RoomEvent> = {
  initialState: initialRoomState,
  decide: decideRoom,
  evolve: evolveRoom,
};

/** The stream a command appends to; the decide functions' return types keep its events there. */
export const commandStream: Readonly<Record<RoomCommand['type'], 'room' | 'messages'>> = {
  CreateGroupRoom: 'room', OpenDirectRoom: 'room', UpdateRoomDetails: 'room', DeleteRoom: 'room', AddMember: 'room',
  RemoveMember: 'room', LeaveRoom: 'room', ChangeMemberRole: 'room', SetNotificationsMuted: 'room', PinMessage: 'room',
  UnpinMessage: 'room', ClearHistory: 'room', MarkRead: 'room',
  SendMessage: 'messages', ForwardMessage: 'messages', EditMessage: 'messages', DeleteMessage: 'messages',
  AddReaction: 'messages', RemoveReaction: 'messages',
};

export function streamIdOf(command: RoomCommand): string {
  return commandStream[command.type] === 'room' ? roomStreamId(command.roomId) : roomMessagesStreamId(command.roomId);
}

/** The caller, a member of the room, and the room they are in. */
interface Caller {
  readonly room: ActiveRoom;
  readonly actor: RoomMember;
}

type MemberCommand = Exclude<RoomCommand, CreateGroupRoom | OpenDirectRoom>;

export function decideRoom(command: RoomCommand, state: RoomState): RoomEvent[] | DomainError {
  switch (command.type) {
    case 'CreateGroupRoom': return createGroupRoom(command, state);
    case 'OpenDirectRoom': return openDirectRoom(command, state);
    default: {
      const caller = callerIn(state, command.roomId, command.actorId);
      return isDomainError(caller) ? caller : decideAsMember(command, state, caller);
    }
  }
}

function decideAsMember(command: MemberCommand, state: RoomState, caller: Caller): RoomEvent[] | DomainError {
  switch (command.type) {
    case 'UpdateRoomDetails': return updateRoomDetails(command, caller);
    case 'DeleteRoom': return deleteRoom(command, caller);
    case 'AddMember': return addMember(command, state, caller);
    case 'RemoveMember': return removeMember(command, caller);
    case 'LeaveRoom': return leave(command, caller);
    case 'ChangeMemberRole': return changeMemberRole(command, caller);
    case 'SetNotificationsMuted': return setNotificationsMuted(command, caller);
    case 'PinMessage': return pinMessage(command, state, caller);
    case 'UnpinMessage': return unpinMessage(command, caller);
    case 'ClearHistory': return clearHistory(command, state, caller);
    case 'MarkRead': return markRead(command, state, caller);
    case 'SendMessage': return sendMessage(command, state, caller);
    case 'ForwardMessage': return forwardMessage(command, state, caller);
    case 'EditMessage': return editMessage(command, state, caller);
    case 'DeleteMessage': return deleteMessage(command, state, caller);
    case 'AddReaction': return addReaction(command, state, caller);
    case 'RemoveReaction': return removeReaction(command, state, caller);
    default: return assertNever(command);
  }
}

/**
 * What `actorId` would forward from the source room: a live message they can see there. A forward of a
 * forward keeps the first origin. The handler then decides one ForwardMessage per target room.
 */
export function forwardSource(sourceState: RoomState, sourceRoomId: string, actorId: string, messageId: string): ForwardSource | DomainError {
  const caller = callerIn(sourceState, sourceRoomId, actorId);
  if (isDomainError(caller)) return caller;
  const message = liveMessageSeenBy(sourceState, caller, messageId);
  if (message === undefined) return messageNotFound(messageId);
  return { text: message.text, origin: message.forwardedFrom ?? { roomId: sourceRoomId, messageId, authorId: message.authorId } };
}

function createGroupRoom(command: CreateGroupRoom, state: RoomState): RoomStreamEvent[] | DomainError {
  const { roomId, actorId, at } = command;
  if (state.room.status !== 'absent') return roomAlreadyExists(roomId);
  const name = command.name.trim();
  const topic = command.topic?.trim() ?? '';
  const invalid = validateRoomName(name) ?? validateRoomTopic(topic);
  if (invalid) return invalid;
  const others = [...new Set(command.memberIds ?? [])].filter((userId) => userId !== actorId);
  return [
    { type: 'GroupRoomCreated', data: { roomId, name, topic, ownerId: actorId, at } },
    ...others.map((userId): RoomStreamEvent => ({ type: 'RoomMemberAdded', data: { roomId, userId, role: 'member', lastReadSeq: 0, by: actorId, at } })),
  ];
}

function openDirectRoom(command: OpenDirectRoom, state: RoomState): RoomStreamEvent[] | DomainError {
  const { roomId, actorId, otherUserId, at } = command;
  const invalid = validateDirectRoomPair(roomId, actorId, otherUserId);
  if (invalid) return invalid;
  if (command.blockedByOther) return blocked();
  switch (state.room.status) {
    case 'absent': {
      const memberIds: [string, string] = actorId < otherUserId ? [actorId, otherUserId] : [otherUserId, actorId];
      return [{ type: 'DirectRoomCreated', data: { roomId, memberIds, openedBy: actorId, at } }];
    }
    case 'active': return [];
    // A direct room cannot be deleted; should one ever be, it stays gone rather than coming back half-remembered.
    case 'deleted': return roomNotFound(roomId);
    default: return assertNever(state.room);
  }
}

function updateRoomDetails(command: UpdateRoomDetails, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const refused = groupOnly(room, 'a direct room has no name, topic or announcement') ?? permitted(actor, 'editRoomDetails', 'only admins and the owner edit the room');
  if (refused) return refused;
  const { roomId, actorId: by, at } = command;
  const name = command.name?.trim();
  const topic = command.topic?.trim();
  const announcement = command.announcement?.trim();
  const invalid =
    (name === undefined ? undefined : validateRoomName(name)) ??
    (topic === undefined ? undefined : validateRoomTopic(topic)) ??
    (announcement === undefined ? undefined : validateRoomAnnouncement(announcement));
  if (invalid) return invalid;
  return [
    ...(name === undefined || name === room.name ? [] : [{ type: 'RoomRenamed', data: { roomId, name, by, at } } as const]),
    ...(topic === undefined || topic === room.topic ? [] : [{ type: 'RoomTopicChanged', data: { roomId, topic, by, at } } as const]),
    ...(announcement === undefined || announcement === room.announcement ? [] : [{ type: 'RoomAnnouncementChanged', data: { roomId, announcement, by, at } } as const]),
  ];
}

function deleteRoom({ roomId, actorId, at }: DeleteRoom, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const refused = groupOnly(room, 'a direct room cannot be deleted') ?? permitted(actor, 'deleteRoom', 'only the owner deletes the room');
  return refused ?? [{ type: 'RoomDeleted', data: { roomId, by: actorId, at } }];
}

function addMember({ roomId, actorId, userId, at }: AddMember, state: RoomState, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const refused = groupOnly(room, 'a direct room is for its two people only') ?? permitted(actor, 'addMember', 'only admins and the owner add members');
  if (refused) return refused;
  if (memberOf(room, userId)) return [];
  return [{ type: 'RoomMemberAdded', data: { roomId, userId, role: 'member', lastReadSeq: state.log.lastSeq, by: actorId, at } }];
}

function removeMember(command: RemoveMember, caller: Caller): RoomStreamEvent[] | DomainError {
  const { roomId, actorId, userId, at } = command;
  if (userId === actorId) return leave({ type: 'LeaveRoom', roomId, actorId, at }, caller);
  const { room, actor } = caller;
  const refused = groupOnly(room, 'a direct room is for its two people only') ?? permitted(actor, 'removeMember', 'only admins and the owner remove members');
  if (refused) return refused;
  const target = memberOf(room, userId);
  if (!target) return notAMember(userId);
  if (!canActOn(actor.role, target.role)) return forbidden(`a ${actor.role} cannot remove a ${target.role}`);
  return [{ type: 'RoomMemberRemoved', data: { roomId, userId, by: actorId, at } }];
}

/** The owner hands ownership over first; an owner alone in the room deletes it by leaving. */
function leave({ roomId, actorId, at }: LeaveRoom, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const refused = groupOnly(room, 'a direct room cannot be left; mute it or clear its history instead');
  if (refused) return refused;
  if (actor.role === 'owner') {
    return room.members.size === 1 ? [{ type: 'RoomDeleted', data: { roomId, by: actorId, at } }] : lastOwnerCannotLeave();
  }
  return [{ type: 'RoomMemberLeft', data: { roomId, userId: actorId, at } }];
}

function changeMemberRole(command: ChangeMemberRole, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const { roomId, actorId, userId, role, at } = command;
  const refused = groupOnly(room, 'a direct room has no roles');
  if (refused) return refused;
  if (role === 'owner') {
    const notOwner = permitted(actor, 'transferOwnership', 'only the owner hands ownership over');
    if (notOwner) return notOwner;
    if (!memberOf(room, userId)) return notAMember(userId);
    return userId === actorId ? [] : [{ type: 'RoomOwnershipTransferred', data: { roomId, previousOwnerId: actorId, newOwnerId: userId, at } }];
  }
  const notAllowed = permitted(actor, 'changeRole', 'only admins and the owner change roles');
  if (notAllowed) return notAllowed;
  const target = memberOf(room, userId);
  if (!target) return notAMember(userId);
  if (!canActOn(actor.role, target.role)) return forbidden(`a ${actor.role} cannot change the role of a ${target.role}`);
  if (!canGrant(actor.role, role)) return forbidden(`a ${actor.role} cannot make someone ${role}`);
  if (target.role === role) return [];
  return [{ type: 'RoomMemberRoleChanged', data: { roomId, userId, role, previousRole: target.role, by: actorId, at } }];
}

function setNotificationsMuted({ roomId, actorId, muted, at }: SetNotificationsMuted, { actor }: Caller): RoomStreamEvent[] {
  if (actor.muted === muted) return [];
  return [{ type: muted ? 'RoomNotificationsMuted' : 'RoomNotificationsUnmuted', data: { roomId, userId: actorId, at } }];
}

function pinMessage({ roomId, actorId, messageId, at }: PinMessage, state: RoomState, caller: Caller): RoomStreamEvent[] | DomainError {
  const refused = permitted(caller.actor, 'pinMessage', 'only moderators and above pin messages');
  if (refused) return refused;
  if (!liveMessageSeenBy(state, caller, messageId)) return messageNotFound(messageId);
  if (caller.room.pinned.includes(messageId)) return [];
  return [{ type: 'MessagePinned', data: { roomId, messageId, by: actorId, at } }];
}

function unpinMessage({ roomId, actorId, messageId, at }: UnpinMessage, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const refused = permitted(actor, 'pinMessage', 'only moderators and above unpin messages');
  if (refused) return refused;
  if (!room.pinned.includes(messageId)) return [];
  return [{ type: 'MessageUnpinned', data: { roomId, messageId, by: actorId, at } }];
}

/** Clears everything sent so far; a clear that would hide nothing new is no event. */
function clearHistory({ roomId, actorId, scope, at }: ClearHistory, state: RoomState, { room, actor }: Caller): RoomStreamEvent[] | DomainError {
  const upToSeq = state.log.lastSeq;
  switch (scope) {
    case 'me':
      return upToSeq <= clearedUpToSeq(room, actorId) ? [] : [{ type: 'RoomHistoryClearedForMember', data: { roomId, userId: actorId, upToSeq, at } }];
    case 'everyone': {
      const refused = permitted(actor, 'clearHistoryForEveryone', 'only admins and the owner clear the history for everyone');
      if (refused) return refused;
      return upToSeq <= room.clearedForEveryoneUpToSeq ? [] : [{ type: 'RoomHistoryClearedForEveryone', data: { roomId, upToSeq, by: actorId, at } }];
    }
    default:
      return assertNever(scope);
  }
}

/** A read marker only moves forward, and never past the last message. */
function markRead({ roomId, actorId, seq, at }: MarkRead, state: RoomState, { actor }: Caller): RoomStreamEvent[] | DomainError {
  const invalid = validateReadSeq(seq);
  if (invalid) return invalid;
  const upToSeq = Math.min(seq, state.log.lastSeq);
  return upToSeq <= actor.lastReadSeq ? [] : [{ type: 'RoomMessagesRead', data: { roomId, userId: actorId, upToSeq, at } }];
}

function sendMessage(command: SendMessage, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  const text = command.text.trim();
  return post(command, state, caller, () => {
    const invalid = validateMessageText(text);
    if (invalid) return invalid;
    if (command.replyTo === undefined) return { text };
    if (!liveMessageSeenBy(state, caller, command.replyTo)) return messageNotFound(command.replyTo);
    return { text, replyTo: command.replyTo };
  });
}

function forwardMessage(command: ForwardMessage, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  return post(command, state, caller, () => ({ text: command.source.text, forwardedFrom: command.source.origin }));
}

interface Post {
  readonly text: string;
  readonly replyTo?: string;
  readonly forwardedFrom?: ForwardOrigin;
}

/** Sending and forwarding alike: idempotent on the client's id, refused when blocked, then the next seq. */
function post(
  command: SendMessage | ForwardMessage, state: RoomState, { room }: Caller, content: () => Post | DomainError,
): MessageStreamEvent[] | DomainError {
  const { roomId, actorId: authorId, clientMessageId, at } = command;
  const invalid = validateClientMessageId(clientMessageId);
  if (invalid) return invalid;
  // Derived once (a SHA-1) for both the repeat check and the event: `sentMessage` would derive it again.
  const messageId = messageEventId(authorId, clientMessageId);
  if (messageWithId(state, messageId)) return [];
  if (room.kind === 'direct' && command.blockedByOther) return blocked();
  const posted = content();
  if (isDomainError(posted)) return posted;
  const sent: MessageSent = {
    type: 'MessageSent',
    data: { roomId, messageId, seq: state.log.lastSeq + 1, authorId, clientMessageId, ...posted, at },
  };
  return [sent];
}

function editMessage({ roomId, actorId, messageId, at, ...command }: EditMessage, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  const message = liveMessageSeenBy(state, caller, messageId);
  if (!message) return messageNotFound(messageId);
  if (message.authorId !== actorId) return forbidden('only its author edits a message');
  if (message.forwardedFrom) return forbidden('a forwarded message cannot be edited');
  const text = command.text.trim();
  const invalid = validateMessageText(text);
  if (invalid) return invalid;
  return text === message.text ? [] : [{ type: 'MessageEdited', data: { roomId, messageId, text, at } }];
}

function deleteMessage({ roomId, actorId, messageId, at }: DeleteMessage, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  const message = messageSeenBy(state, caller.room, actorId, messageId);
  if (!message) return messageNotFound(messageId);
  if (message.authorId !== actorId) {
    const refused = permitted(caller.actor, 'deleteAnyMessage', "only moderators and above delete others' messages");
    if (refused) return refused;
  }
  return message.deleted ? [] : [{ type: 'MessageDeleted', data: { roomId, messageId, by: actorId, at } }];
}

function addReaction({ roomId, actorId, messageId, emoji, at }: AddReaction, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  const invalid = validateReactionEmoji(emoji);
  if (invalid) return invalid;
  const message = liveMessageSeenBy(state, caller, messageId);
  if (!message) return messageNotFound(messageId);
  if (message.reactions[emoji]?.includes(actorId)) return [];
  return [{ type: 'MessageReactionAdded', data: { roomId, messageId, emoji, userId: actorId, at } }];
}

function removeReaction({ roomId, actorId, messageId, emoji, at }: RemoveReaction, state: RoomState, caller: Caller): MessageStreamEvent[] | DomainError {
  const invalid = validateReactionEmoji(emoji);
  if (invalid) return invalid;
  const message = liveMessageSeenBy(state, caller, messageId);
  if (!message) return messageNotFound(messageId);
  if (!message.reactions[emoji]?.includes(actorId)) return [];
  return [{ type: 'MessageReactionRemoved', data: { roomId, messageId, emoji, userId: actorId, at } }];
}

/** A room that does not exist, was deleted, or does not count the caller as a member all look alike. */
function callerIn(state: RoomState, roomId: string, actorId: string): Caller | DomainError {
  if (state.room.status !== 'active') return roomNotFound(roomId);
  const actor = memberOf(state.room, actorId);
  return actor ? { room: state.room, actor } : roomNotFound(roomId);
}

/** A message the caller can see and that is not deleted: what replies, pins, reactions, edits and forwards need. */
function liveMessageSeenBy(state: RoomState, { room, actor }: Caller, messageId: string): RoomMessage | undefined {
  const message = messageSeenBy(state, room, actor.userId, messageId);
  return message && !message.deleted ? message : undefined;
}

function groupOnly(room: ActiveRoom, reason: string): DomainError | undefined {
  return room.kind === 'group' ? undefined : forbidden(reason);
}

function permitted(actor: RoomMember, action: RoomAction, reason: string): DomainError | undefined {
  return mayPerform(actor.role, action) ? undefined : forbidden(reason);
}
