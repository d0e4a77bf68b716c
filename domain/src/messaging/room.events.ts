// What happens in a room. Two streams per room (see the note atop room.decider.ts): `RoomStreamEvent`s
// go to `room-<roomId>`, `MessageStreamEvent`s to `messages-<roomId>`. Every event names its room, and
// `at` is the time the command came in with (ISO-8601 UTC). `by` is the member who acted on someone else.
import type { DomainEvent } from '../shared/decider';
import type { RoomRole } from './roles';

/** Where a forwarded message first came from; forwarding a forward keeps the first origin. */
export interface ForwardOrigin {
  readonly roomId: string;
  readonly messageId: string;
  readonly authorId: string;
}

/** The creator is its owner from `at`; the other initial members follow as `RoomMemberAdded`. */
export type GroupRoomCreated = DomainEvent<'GroupRoomCreated', {
  readonly roomId: string;
  readonly name: string;
  readonly topic: string;
  readonly ownerId: string;
  readonly at: string;
}>;

/** Both people are members, role `member`, from `at`; `memberIds` is sorted. */
export type DirectRoomCreated = DomainEvent<'DirectRoomCreated', {
  readonly roomId: string;
  readonly memberIds: readonly [string, string];
  readonly openedBy: string;
  readonly at: string;
}>;

export type RoomRenamed = DomainEvent<'RoomRenamed', { readonly roomId: string; readonly name: string; readonly by: string; readonly at: string }>;
export type RoomTopicChanged = DomainEvent<'RoomTopicChanged', { readonly roomId: string; readonly topic: string; readonly by: string; readonly at: string }>;
export type RoomAnnouncementChanged = DomainEvent<'RoomAnnouncementChanged', { readonly roomId: string; readonly announcement: string; readonly by: string; readonly at: string }>;
export type RoomDeleted = DomainEvent<'RoomDeleted', { readonly roomId: string; readonly by: string; readonly at: string }>;

/** A new member's read marker starts at the room's last seq: what was said before they came counts as read. */
export type RoomMemberAdded = DomainEvent<'RoomMemberAdded', {
  readonly roomId: string;
  readonly userId: string;
  readonly role: RoomRole;
  readonly lastReadSeq: number;
  readonly by: string;
  readonly at: string;
}>;
export type RoomMemberRemoved = DomainEvent<'RoomMemberRemoved', { readonly roomId: string; readonly userId: string; readonly by: string; readonly at: string }>;
export type RoomMemberLeft = DomainEvent<'RoomMemberLeft', { readonly roomId: string; readonly userId: string; readonly at: string }>;
export type RoomMemberRoleChanged = DomainEvent<'RoomMemberRoleChanged', {
  readonly roomId: string;
  readonly userId: string;
  readonly role: RoomRole;
  readonly previousRole: RoomRole;
  readonly by: string;
  readonly at: string;
}>;

/** The new owner was a member; the previous owner stays on as an admin. */
export type RoomOwnershipTransferred = DomainEvent<'RoomOwnershipTransferred', {
  readonly roomId: string;
  readonly previousOwnerId: string;
  readonly newOwnerId: string;
  readonly at: string;
}>;

export type RoomNotificationsMuted = DomainEvent<'RoomNotificationsMuted', { readonly roomId: string; readonly userId: string; readonly at: string }>;
export type RoomNotificationsUnmuted = DomainEvent<'RoomNotificationsUnmuted', { readonly roomId: string; readonly userId: string; readonly at: string }>;

export type MessagePinned = DomainEvent<'MessagePinned', { readonly roomId: string; readonly messageId: string; readonly by: string; readonly at: string }>;
export type MessageUnpinned = DomainEvent<'MessageUnpinned', { readonly roomId: string; readonly messageId: string; readonly by: string; readonly at: string }>;

/** Messages up to `upToSeq` are gone from `userId`'s history, for good. */
export type RoomHistoryClearedForMember = DomainEvent<'RoomHistoryClearedForMember', {
  readonly roomId: string;
  readonly userId: string;
  readonly upToSeq: number;
  readonly at: string;
}>;

/** Messages up to `upToSeq` are gone from everyone's history, members who join later included. */
export type RoomHistoryClearedForEveryone = DomainEvent<'RoomHistoryClearedForEveryone', {
  readonly roomId: string;
  readonly upToSeq: number;
  readonly by: string;
  readonly at: string;
}>;

/** `userId`'s read marker moved forward to `upToSeq`. */
export type RoomMessagesRead = DomainEvent<'RoomMessagesRead', { readonly roomId: string; readonly userId: string; readonly upToSeq: number; readonly at: string }>;

/**
 * A message took the room's next `seq`. Its `messageId` is `messageEventId(authorId, clientMessageId)`,
 * and so is the id of this event in the store. `text` is trimmed.
 */
export type MessageSent = DomainEvent<'MessageSent', {
  readonly roomId: string;
  readonly messageId: string;
  readonly seq: number;
  readonly authorId: string;
  readonly clientMessageId: string;
  readonly text: string;
  readonly replyTo?: string;
  readonly forwardedFrom?: ForwardOrigin;
  readonly at: string;
}>;

/** Only its author edits a message, so the author is the actor. */
export type MessageEdited = DomainEvent<'MessageEdited', { readonly roomId: string; readonly messageId: string; readonly text: string; readonly at: string }>;
export type MessageDeleted = DomainEvent<'MessageDeleted', { readonly roomId: string; readonly messageId: string; readonly by: string; readonly at: string }>;

export type MessageReactionAdded = DomainEvent<'MessageReactionAdded', { readonly roomId: string; readonly messageId: string; readonly emoji: string; readonly userId: string; readonly at: string }>;
export type MessageReactionRemoved = DomainEvent<'MessageReactionRemoved', { readonly roomId: string; readonly messageId: string; readonly emoji: string; readonly userId: string; readonly at: string }>;

export type RoomStreamEvent =
  | GroupRoomCreated
  | DirectRoomCreated
  | RoomRenamed
  | RoomTopicChanged
  | RoomAnnouncementChanged
  | RoomDeleted
  | RoomMemberAdded
  | RoomMemberRemoved
  | RoomMemberLeft
  | RoomMemberRoleChanged
  | RoomOwnershipTransferred
  | RoomNotificationsMuted
  | RoomNotificationsUnmuted
  | MessagePinned
  | MessageUnpinned
  | RoomHistoryClearedForMember
  | RoomHistoryClearedForEveryone
  | RoomMessagesRead;

export type MessageStreamEvent = MessageSent | MessageEdited | MessageDeleted | MessageReactionAdded | MessageReactionRemoved;

export type RoomEvent = RoomStreamEvent | MessageStreamEvent;
