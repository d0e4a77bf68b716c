// The room list in MongoDB (FerretDB too): a collection of rooms and one of members, per generation.
// Without multi-document transactions, each write is guarded on its own document's last position, and
// the writes of one event are ordered so that a replay after a crash between them finishes the job.
import type { RoomRole } from '@chat/domain';
import type { Collection, Db } from 'mongodb';
import {
  byRecentActivity,
  type CountLiveAfter,
  type LastMessage,
  markerCounts,
  type MemberJoined,
  type Membership,
  type MessagePosted,
  type MessageRemoved,
  previewOf,
  type ReaderMoved,
  readerMarkers,
  type RoomKind,
  type RoomListItem,
  type RoomListRepository,
  type RoomOpened,
  type UnreadState,
  unreadOf,
} from './room-list-repository';
import { isDuplicateKeyError } from './mongo-errors';

interface RoomDocument {
  _id: string;
  kind: RoomKind;
  name: string;
  topic: string;
  directMemberIds: string[];
  deleted: boolean;
  lastSeq: number;
  liveMessages: number;
  clearedForEveryoneUpToSeq: number;
  lastMessage: LastMessage | null;
  lastActivityAt: string;
  lastPosition: number;
}

interface MemberDocument {
  _id: string;
  roomId: string;
  userId: string;
  member: boolean;
  role: RoomRole;
  muted: boolean;
  joinedAt: string;
  lastReadSeq: number;
  ownClearedUpToSeq: number;
  clearedUpToSeq: number;
  marker: number;
  liveThroughMarker: number;
  ownLiveAfterMarker: number;
  lastPosition: number;
}

export class MongoRoomListRepository implements RoomListRepository {
  private readonly rooms: Collection<RoomDocument>;
  private readonly members: Collection<MemberDocument>;
  private indexes?: Promise<unknown>;

  /** `generation` names the collections, so a rebuild can fill new ones beside the live ones. */
  constructor(db: Db, generation: number) {
    this.rooms = db.collection<RoomDocument>(`room_list_rooms_g${generation}`);
    this.members = db.collection<MemberDocument>(`room_list_members_g${generation}`);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.members.createIndex({ userId: 1, member: 1 }), this.members.createIndex({ roomId: 1, marker: 1 })]);
    return this.indexes;
  }

  async recordRoomOpened(room: RoomOpened, position: number): Promise<void> {
    await this.ensureIndexes();
    try {
      await this.rooms.insertOne({
        _id: room.roomId,
        kind: room.kind,
        name: room.name,
        topic: room.topic,
        directMemberIds: [...(room.directMemberIds ?? [])],
        deleted: false,
        lastSeq: 0,
        liveMessages: 0,
        clearedForEveryoneUpToSeq: 0,
        lastMessage: null,
        lastActivityAt: room.createdAt,
        lastPosition: position,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async recordRoomChanged(roomId: string, changes: { readonly name?: string; readonly topic?: string }, position: number): Promise<void> {
    await this.rooms.updateOne(
      { _id: roomId, lastPosition: { $lt: position } },
      { $set: { ...(changes.name === undefined ? {} : { name: changes.name }), ...(changes.topic === undefined ? {} : { topic: changes.topic }), lastPosition: position } },
    );
  }

  async recordRoomDeleted(roomId: string, position: number): Promise<void> {
    await this.rooms.updateOne({ _id: roomId, lastPosition: { $lt: position } }, { $set: { deleted: true, lastPosition: position } });
  }

  async recordMemberJoined(roomId: string, member: MemberJoined, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined> {
    await this.ensureIndexes();
    const _id = memberId(roomId, member.userId);
    const [room, previous] = await Promise.all([this.rooms.findOne({ _id: roomId }), this.members.findOne({ _id })]);
    if (!room || (previous && previous.lastPosition >= position)) return undefined;
    const markers = readerMarkers(member.lastReadSeq, previous?.ownClearedUpToSeq ?? 0, room.clearedForEveryoneUpToSeq);
    const after = await countLiveAfter(markers.marker, member.userId);
    const joined = { roomId, userId: member.userId, member: true, role: member.role, muted: false, joinedAt: member.joinedAt, ...markers, ...markerCounts(room.liveMessages, after), lastPosition: position };
    if (previous) await this.members.updateOne({ _id, lastPosition: { $lt: position } }, { $set: joined });
    else await this.members.insertOne({ _id, ...joined }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
    return { userId: member.userId, unreadCount: after.live - after.own, lastReadSeq: markers.lastReadSeq };
  }

  async recordMemberLeft(roomId: string, userId: string, position: number): Promise<void> {
    await this.updateMember(roomId, userId, { member: false }, position);
  }

  async recordRoleChanged(roomId: string, userId: string, role: RoomRole, position: number): Promise<void> {
    await this.updateMember(roomId, userId, { role }, position);
  }

  async recordMuted(roomId: string, userId: string, muted: boolean, position: number): Promise<void> {
    await this.updateMember(roomId, userId, { muted }, position);
  }

  async recordMessageSent(roomId: string, message: MessagePosted, position: number): Promise<void> {
    const { messageId, seq, authorId, createdAt } = message;
    const lastMessage: LastMessage = { messageId, seq, authorId, text: previewOf(message.text), createdAt, edited: false, deleted: false };
    const newest = await this.rooms.updateOne(
      { _id: roomId, lastPosition: { $lt: position }, lastSeq: { $lt: seq } },
      { $inc: { liveMessages: 1 }, $set: { lastSeq: seq, lastMessage, lastPosition: position }, $max: { lastActivityAt: createdAt } },
    );
    if (newest.matchedCount === 0) {
      // Not after the last message: a log this projection does not expect, counted all the same.
      await this.rooms.updateOne({ _id: roomId, lastPosition: { $lt: position } }, { $inc: { liveMessages: 1 }, $set: { lastPosition: position }, $max: { lastActivityAt: createdAt } });
    }
    await this.shiftMarkerCounts(roomId, { messageId, seq, authorId }, 1, position);
  }

  async recordMessageEdited(roomId: string, messageId: string, text: string, position: number): Promise<void> {
    await this.rooms.updateOne(
      { _id: roomId, 'lastMessage.messageId': messageId, lastPosition: { $lt: position } },
      { $set: { 'lastMessage.text': previewOf(text), 'lastMessage.edited': true, lastPosition: position } },
    );
  }

  async recordMessageDeleted(roomId: string, message: MessageRemoved, position: number): Promise<void> {
    // The preview first, leaving the position for the count below: a replay after a crash in between does both.
    await this.rooms.updateOne(
      { _id: roomId, 'lastMessage.messageId': message.messageId, lastPosition: { $lt: position } },
      { $set: { 'lastMessage.text': '', 'lastMessage.deleted': true } },
    );
    await this.rooms.updateOne({ _id: roomId, lastPosition: { $lt: position } }, { $inc: { liveMessages: -1 }, $set: { lastPosition: position } });
    await this.shiftMarkerCounts(roomId, message, -1, position);
  }

  async recordReaderMoved(roomId: string, userId: string, moved: ReaderMoved, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined> {
    const [room, member] = await Promise.all([this.rooms.findOne({ _id: roomId }), this.members.findOne({ _id: memberId(roomId, userId) })]);
    if (!room || !member || member.lastPosition >= position) return undefined;
    return this.recount(room, member, moved, countLiveAfter, position);
  }

  async recordClearedForEveryone(roomId: string, upToSeq: number, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState[]> {
    await this.rooms.updateOne({ _id: roomId, lastPosition: { $lt: position } }, { $max: { clearedForEveryoneUpToSeq: upToSeq }, $set: { lastPosition: position } });
    const room = await this.rooms.findOne({ _id: roomId });
    if (!room) return [];
    const recounted: UnreadState[] = [];
    for (const member of await this.members.find({ roomId, lastPosition: { $lt: position } }).toArray()) {
      const unread = await this.recount(room, member, {}, countLiveAfter, position);
      if (member.member) recounted.push(unread);
    }
    return recounted;
  }

  async roomsOf(userId: string): Promise<RoomListItem[]> {
    await this.ensureIndexes();
    const members = await this.members.find({ userId, member: true }).toArray();
    if (members.length === 0) return [];
    const rooms = new Map((await this.rooms.find({ _id: { $in: members.map((m) => m.roomId) }, deleted: false }).toArray()).map((room) => [room._id, room]));
    return members.flatMap((member) => {
      const room = rooms.get(member.roomId);
      return room ? [toListItem(room, member)] : [];
    }).sort(byRecentActivity);
  }

  async membership(roomId: string, userId: string): Promise<Membership | undefined> {
    const [room, member] = await Promise.all([
      this.rooms.findOne({ _id: roomId, deleted: false }, { projection: { _id: 1 } }),
      this.members.findOne({ _id: memberId(roomId, userId), member: true }),
    ]);
    return room && member ? { roomId, userId, role: member.role, lastReadSeq: member.lastReadSeq, clearedUpToSeq: member.clearedUpToSeq } : undefined;
  }

  async drop(): Promise<void> {
    await this.members.drop().catch(() => undefined);
    await this.rooms.drop().catch(() => undefined);
    this.indexes = undefined;
  }

  private async updateMember(roomId: string, userId: string, changes: Partial<MemberDocument>, position: number): Promise<void> {
    await this.members.updateOne({ _id: memberId(roomId, userId), lastPosition: { $lt: position } }, { $set: { ...changes, lastPosition: position } });
  }

  /** A message counted in (+1) or out (−1): at or before a member's marker, or after its author's. */
  private async shiftMarkerCounts(roomId: string, message: MessageRemoved, delta: 1 | -1, position: number): Promise<void> {
    await this.members.updateMany(
      { roomId, marker: { $gte: message.seq }, lastPosition: { $lt: position } },
      { $inc: { liveThroughMarker: delta }, $set: { lastPosition: position } },
    );
    await this.members.updateOne(
      { _id: memberId(roomId, message.authorId), marker: { $lt: message.seq }, lastPosition: { $lt: position } },
      { $inc: { ownLiveAfterMarker: delta }, $set: { lastPosition: position } },
    );
  }

  private async recount(room: RoomDocument, member: MemberDocument, moved: ReaderMoved, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState> {
    const markers = readerMarkers(
      Math.max(member.lastReadSeq, moved.lastReadSeq ?? 0),
      Math.max(member.ownClearedUpToSeq, moved.ownClearedUpToSeq ?? 0),
      room.clearedForEveryoneUpToSeq,
    );
    const after = await countLiveAfter(markers.marker, member.userId);
    await this.members.updateOne(
      { _id: member._id, lastPosition: { $lt: position } },
      { $set: { ...markers, ...markerCounts(room.liveMessages, after), lastPosition: position } },
    );
    return { userId: member.userId, unreadCount: after.live - after.own, lastReadSeq: markers.lastReadSeq };
  }
}

function memberId(roomId: string, userId: string): string {
  return `${roomId}/${userId}`;
}

function toListItem(room: RoomDocument, member: MemberDocument): RoomListItem {
  const lastMessage = room.lastMessage && room.lastMessage.seq > member.clearedUpToSeq ? room.lastMessage : null;
  return {
    roomId: room._id,
    kind: room.kind,
    name: room.name,
    topic: room.topic,
    directMemberIds: room.directMemberIds,
    lastMessage: lastMessage && {
      messageId: lastMessage.messageId,
      seq: lastMessage.seq,
      authorId: lastMessage.authorId,
      text: lastMessage.text,
      createdAt: lastMessage.createdAt,
      edited: lastMessage.edited,
      deleted: lastMessage.deleted,
    },
    lastSeq: room.lastSeq,
    unreadCount: unreadOf(room.liveMessages, member.liveThroughMarker, member.ownLiveAfterMarker),
    lastReadSeq: member.lastReadSeq,
    muted: member.muted,
    role: member.role,
    joinedAt: member.joinedAt,
    lastActivityAt: room.lastActivityAt > member.joinedAt ? room.lastActivityAt : member.joinedAt,
  };
}
