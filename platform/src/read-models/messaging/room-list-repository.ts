// The room list read model: each user's rooms for `GET /api/rooms`, most recent activity first, with
// the last message and the user's unread count, read marker, mute and role. It also answers whether
// someone is a member of a room and up to which seq they cleared its history (for the history reads).
//
// Unread counts, kept right without touching every member on every message. The domain's rule
// (`unreadCount`): the messages after the reader's marker, `max(lastReadSeq, clearedUpToSeq)`, that
// are not deleted and not the reader's own. A room keeps `liveMessages` (messages not deleted), and
// each member, for their marker, `liveThroughMarker` (live messages at or before it) and
// `ownLiveAfterMarker` (their own live messages after it), so that
//     unreadCount = liveMessages − liveThroughMarker − ownLiveAfterMarker.
// A message sent changes the room's count and its author's own count (a new message lies after every
// marker); a deletion changes the room's count and, where the message lies at or before a marker or
// is the member's own, that member's. Only when a marker moves (a read, a clear, joining) are the two
// counts taken afresh, by counting the live messages after the new marker.
import type { RoomRole } from '@chat/domain';
import type { LiveMessagesAfter } from './message-history-repository';

export type RoomKind = 'group' | 'direct';

export interface LastMessage {
  readonly messageId: string;
  readonly seq: number;
  readonly authorId: string;
  /** The start of the text (see `previewOf`); empty once deleted. */
  readonly text: string;
  readonly createdAt: string;
  readonly edited: boolean;
  readonly deleted: boolean;
}

export interface RoomListItem {
  readonly roomId: string;
  readonly kind: RoomKind;
  /** Empty for a direct room: its name is the other person's. */
  readonly name: string;
  readonly topic: string;
  /** Both people of a direct room; empty for a group room. */
  readonly directMemberIds: readonly string[];
  /** Null when the room has no message yet, or the member cleared the last one from their history. */
  readonly lastMessage: LastMessage | null;
  readonly lastSeq: number;
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly muted: boolean;
  readonly role: RoomRole;
  readonly joinedAt: string;
  /** The later of the room's last message (or its creation) and the member's joining: the list's order. */
  readonly lastActivityAt: string;
}

/** A member's standing in a room, for the reads that need it. */
export interface Membership {
  readonly roomId: string;
  readonly userId: string;
  readonly role: RoomRole;
  readonly lastReadSeq: number;
  /** The later of their own history clear and a clear for everyone: they see only messages after it. */
  readonly clearedUpToSeq: number;
}

export interface RoomOpened {
  readonly roomId: string;
  readonly kind: RoomKind;
  readonly name: string;
  readonly topic: string;
  readonly createdAt: string;
  readonly directMemberIds?: readonly string[];
}

export interface MemberJoined {
  readonly userId: string;
  readonly role: RoomRole;
  readonly joinedAt: string;
  readonly lastReadSeq: number;
}

export interface MessagePosted {
  readonly messageId: string;
  readonly seq: number;
  readonly authorId: string;
  readonly text: string;
  readonly createdAt: string;
}

export interface MessageRemoved {
  readonly messageId: string;
  readonly seq: number;
  readonly authorId: string;
}

/** What moved a member's marker; the fields absent stay as they are. Markers only move forward. */
export interface ReaderMoved {
  readonly lastReadSeq?: number;
  readonly ownClearedUpToSeq?: number;
}

/** A member's unread count after their marker moved, for the change feed. */
export interface UnreadState {
  readonly userId: string;
  readonly unreadCount: number;
  readonly lastReadSeq: number;
}

/** Counts the live messages of the room after a seq (the message history answers it). */
export type CountLiveAfter = (afterSeq: number, readerId: string) => Promise<LiveMessagesAfter>;

/** Each write carries its event's global position; a row ignores positions at or below the last it applied. */
export interface RoomListRepository {
  recordRoomOpened(room: RoomOpened, position: number): Promise<void>;
  recordRoomChanged(roomId: string, changes: { readonly name?: string; readonly topic?: string }, position: number): Promise<void>;
  recordRoomDeleted(roomId: string, position: number): Promise<void>;
  /** A member joins (or comes back, keeping their own history clear). Undefined when the room is unknown. */
  recordMemberJoined(roomId: string, member: MemberJoined, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined>;
  recordMemberLeft(roomId: string, userId: string, position: number): Promise<void>;
  recordRoleChanged(roomId: string, userId: string, role: RoomRole, position: number): Promise<void>;
  recordMuted(roomId: string, userId: string, muted: boolean, position: number): Promise<void>;
  recordMessageSent(roomId: string, message: MessagePosted, position: number): Promise<void>;
  recordMessageEdited(roomId: string, messageId: string, text: string, position: number): Promise<void>;
  /** Only for the event that deleted the message (see `MessageDeletion`), never for a message deleted before. */
  recordMessageDeleted(roomId: string, message: MessageRemoved, position: number): Promise<void>;
  /** Undefined when the user has no row in the room, or this position was applied already. */
  recordReaderMoved(roomId: string, userId: string, moved: ReaderMoved, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined>;
  /** The members whose count was taken afresh. */
  recordClearedForEveryone(roomId: string, upToSeq: number, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState[]>;
  /** The rooms `userId` is a member of now, most recent activity first. */
  roomsOf(userId: string): Promise<RoomListItem[]>;
  /** Undefined unless `userId` is a member of the room and the room is not deleted. */
  membership(roomId: string, userId: string): Promise<Membership | undefined>;
  /** Removes the read model's storage (a replaced generation). */
  drop(): Promise<void>;
}

/** A member's markers: their own clear, the room's clear for everyone, and the read marker, combined. */
export interface ReaderMarkers {
  readonly lastReadSeq: number;
  readonly ownClearedUpToSeq: number;
  readonly clearedUpToSeq: number;
  /** After it, a message may be unread: `max(lastReadSeq, clearedUpToSeq)`, as `unreadCount` takes it. */
  readonly marker: number;
}

export function readerMarkers(lastReadSeq: number, ownClearedUpToSeq: number, clearedForEveryoneUpToSeq: number): ReaderMarkers {
  const clearedUpToSeq = Math.max(ownClearedUpToSeq, clearedForEveryoneUpToSeq);
  return { lastReadSeq, ownClearedUpToSeq, clearedUpToSeq, marker: Math.max(lastReadSeq, clearedUpToSeq) };
}

/** The counts kept for a marker, from those after it (see the note at the top). */
export function markerCounts(liveMessages: number, after: LiveMessagesAfter): { liveThroughMarker: number; ownLiveAfterMarker: number } {
  return { liveThroughMarker: liveMessages - after.live, ownLiveAfterMarker: after.own };
}

export function unreadOf(liveMessages: number, liveThroughMarker: number, ownLiveAfterMarker: number): number {
  return liveMessages - liveThroughMarker - ownLiveAfterMarker;
}

export const PREVIEW_LENGTH = 200;

/** The start of a message for the room list: the first code points, so an emoji is never cut in half. */
export function previewOf(text: string): string {
  return text.length <= PREVIEW_LENGTH ? text : Array.from(text).slice(0, PREVIEW_LENGTH).join('');
}

/** Newest activity first; rooms with the same time in a fixed order. */
export function byRecentActivity(a: RoomListItem, b: RoomListItem): number {
  if (a.lastActivityAt !== b.lastActivityAt) return a.lastActivityAt < b.lastActivityAt ? 1 : -1;
  return a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0;
}
