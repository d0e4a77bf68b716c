// What members ask of a room. `actorId` is the authenticated caller and `at` the time the command came
// in with (ISO-8601 UTC). Group room ids are fresh UUIDs made by the handler; a direct room's id is
// `directRoomId` of the pair; message ids derive from the author and `clientMessageId`.
import type { ForwardOrigin } from './room.events';
import type { RoomRole } from './roles';

export interface CreateGroupRoom {
  readonly type: 'CreateGroupRoom';
  readonly roomId: string;
  readonly actorId: string;
  readonly name: string;
  readonly topic?: string;
  /** Besides the creator, who becomes the owner. Duplicates and the creator are ignored. */
  readonly memberIds?: readonly string[];
  readonly at: string;
}

/** Creates the pair's direct room the first time; afterwards it is already there and nothing happens. */
export interface OpenDirectRoom {
  readonly type: 'OpenDirectRoom';
  /** `directRoomId(actorId, otherUserId)`. */
  readonly roomId: string;
  readonly actorId: string;
  readonly otherUserId: string;
  /** Whether `otherUserId` blocked the actor, from identity's read side. */
  readonly blockedByOther: boolean;
  readonly at: string;
}

/** Only the fields present change. */
export interface UpdateRoomDetails {
  readonly type: 'UpdateRoomDetails';
  readonly roomId: string;
  readonly actorId: string;
  readonly name?: string;
  readonly topic?: string;
  readonly announcement?: string;
  readonly at: string;
}

export interface DeleteRoom {
  readonly type: 'DeleteRoom';
  readonly roomId: string;
  readonly actorId: string;
  readonly at: string;
}

export interface AddMember {
  readonly type: 'AddMember';
  readonly roomId: string;
  readonly actorId: string;
  readonly userId: string;
  readonly at: string;
}

/** Removing oneself is leaving. */
export interface RemoveMember {
  readonly type: 'RemoveMember';
  readonly roomId: string;
  readonly actorId: string;
  readonly userId: string;
  readonly at: string;
}

export interface LeaveRoom {
  readonly type: 'LeaveRoom';
  readonly roomId: string;
  readonly actorId: string;
  readonly at: string;
}

/** `role: 'owner'` hands ownership over; the actor (the owner) becomes an admin. */
export interface ChangeMemberRole {
  readonly type: 'ChangeMemberRole';
  readonly roomId: string;
  readonly actorId: string;
  readonly userId: string;
  readonly role: RoomRole;
  readonly at: string;
}

export interface SetNotificationsMuted {
  readonly type: 'SetNotificationsMuted';
  readonly roomId: string;
  readonly actorId: string;
  readonly muted: boolean;
  readonly at: string;
}

export interface PinMessage {
  readonly type: 'PinMessage';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly at: string;
}

export interface UnpinMessage {
  readonly type: 'UnpinMessage';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly at: string;
}

/** Clears every message sent so far, for the actor only or for everyone. */
export interface ClearHistory {
  readonly type: 'ClearHistory';
  readonly roomId: string;
  readonly actorId: string;
  readonly scope: 'me' | 'everyone';
  readonly at: string;
}

/** Everything up to `seq` is read. */
export interface MarkRead {
  readonly type: 'MarkRead';
  readonly roomId: string;
  readonly actorId: string;
  readonly seq: number;
  readonly at: string;
}

export interface SendMessage {
  readonly type: 'SendMessage';
  readonly roomId: string;
  readonly actorId: string;
  /** Chosen by the client, unique per author: the same one again returns the message already sent. */
  readonly clientMessageId: string;
  readonly text: string;
  /** The id of a message in this room the actor can still see. */
  readonly replyTo?: string;
  /** In a direct room, whether the other member blocked the actor (from identity's read side); ignored in a group room. */
  readonly blockedByOther: boolean;
  readonly at: string;
}

/** What is forwarded, as `forwardSource` found it in the source room. */
export interface ForwardSource {
  readonly text: string;
  readonly origin: ForwardOrigin;
}

/** Posts a copy of `source` in this room (the target); one command per target room. */
export interface ForwardMessage {
  readonly type: 'ForwardMessage';
  readonly roomId: string;
  readonly actorId: string;
  /** One per target room, derived by the handler from the request so a retried forward is not posted twice. */
  readonly clientMessageId: string;
  readonly source: ForwardSource;
  readonly blockedByOther: boolean;
  readonly at: string;
}

export interface EditMessage {
  readonly type: 'EditMessage';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly text: string;
  readonly at: string;
}

export interface DeleteMessage {
  readonly type: 'DeleteMessage';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly at: string;
}

export interface AddReaction {
  readonly type: 'AddReaction';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly emoji: string;
  readonly at: string;
}

export interface RemoveReaction {
  readonly type: 'RemoveReaction';
  readonly roomId: string;
  readonly actorId: string;
  readonly messageId: string;
  readonly emoji: string;
  readonly at: string;
}

export type RoomStreamCommand =
  | CreateGroupRoom
  | OpenDirectRoom
  | UpdateRoomDetails
  | DeleteRoom
  | AddMember
  | RemoveMember
  | LeaveRoom
  | ChangeMemberRole
  | SetNotificationsMuted
  | PinMessage
  | UnpinMessage
  | ClearHistory
  | MarkRead;

export type MessageStreamCommand = SendMessage | ForwardMessage | EditMessage | DeleteMessage | AddReaction | RemoveReaction;

export type RoomCommand = RoomStreamCommand | MessageStreamCommand;
