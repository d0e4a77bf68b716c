// The room list in the embedded SQLite database: a table of rooms (what every member's list shows of
// the room) and a table of members (what is each member's own), per generation.
import type { RoomRole } from '@chat/domain';
import type { SqliteDatabase } from '../../sqlite/sqlite-database';
import {
  type CountLiveAfter,
  markerCounts,
  type MemberJoined,
  type Membership,
  type MessagePosted,
  type MessageRemoved,
  previewOf,
  type ReaderMoved,
  readerMarkers,
  type RoomListItem,
  type RoomListRepository,
  type RoomOpened,
  type UnreadState,
  unreadOf,
} from './room-list-repository';

interface RoomRow {
  live_messages: number;
  cleared_for_everyone_up_to_seq: number;
  last_position: number;
}

interface MemberRow {
  user_id: string;
  member: number;
  last_read_seq: number;
  own_cleared_up_to_seq: number;
  last_position: number;
}

interface ListRow {
  room_id: string;
  kind: RoomListItem['kind'];
  name: string;
  topic: string;
  direct_member_ids: string;
  last_seq: number;
  live_messages: number;
  last_message_id: string | null;
  last_message_seq: number | null;
  last_message_author_id: string | null;
  last_message_text: string | null;
  last_message_at: string | null;
  last_message_edited: number | null;
  last_message_deleted: number | null;
  role: RoomRole;
  muted: number;
  joined_at: string;
  last_read_seq: number;
  cleared_up_to_seq: number;
  live_through_marker: number;
  own_live_after_marker: number;
  last_activity_at: string;
}

export class SqliteRoomListRepository implements RoomListRepository {
  private readonly rooms: string;
  private readonly members: string;
  private statements;

  /** `generation` names the tables, so a rebuild can fill new ones beside the live ones. */
  constructor(private readonly db: SqliteDatabase, generation: number) {
    this.rooms = `room_list_rooms_g${generation}`;
    this.members = `room_list_members_g${generation}`;
    this.statements = this.createTables();
  }

  private createTables() {
    const { db, rooms, members } = this;
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${rooms} (
        room_id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, topic TEXT NOT NULL, direct_member_ids TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0, live_messages INTEGER NOT NULL DEFAULT 0,
        cleared_for_everyone_up_to_seq INTEGER NOT NULL DEFAULT 0,
        last_message_id TEXT, last_message_seq INTEGER, last_message_author_id TEXT, last_message_text TEXT, last_message_at TEXT,
        last_message_edited INTEGER, last_message_deleted INTEGER,
        last_activity_at TEXT NOT NULL, last_position INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${members} (
        room_id TEXT NOT NULL, user_id TEXT NOT NULL, member INTEGER NOT NULL, role TEXT NOT NULL, muted INTEGER NOT NULL,
        joined_at TEXT NOT NULL, last_read_seq INTEGER NOT NULL, own_cleared_up_to_seq INTEGER NOT NULL,
        cleared_up_to_seq INTEGER NOT NULL, marker INTEGER NOT NULL, live_through_marker INTEGER NOT NULL,
        own_live_after_marker INTEGER NOT NULL, last_position INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS ${members}_user ON ${members} (user_id, member);
      CREATE INDEX IF NOT EXISTS ${members}_marker ON ${members} (room_id, marker);
    `);
    const guarded = 'last_position < @position';
    return {
      openRoom: db.prepare(`
        INSERT INTO ${rooms} (room_id, kind, name, topic, direct_member_ids, last_activity_at, last_position)
        VALUES (@roomId, @kind, @name, @topic, @directMemberIds, @createdAt, @position) ON CONFLICT DO NOTHING`),
      changeRoom: db.prepare(`
        UPDATE ${rooms} SET name = coalesce(@name, name), topic = coalesce(@topic, topic), last_position = @position
        WHERE room_id = @roomId AND ${guarded}`),
      deleteRoom: db.prepare(`UPDATE ${rooms} SET deleted = 1, last_position = @position WHERE room_id = @roomId AND ${guarded}`),
      room: db.prepare<[string], RoomRow>(`SELECT live_messages, cleared_for_everyone_up_to_seq, last_position FROM ${rooms} WHERE room_id = ?`),
      member: db.prepare<[string, string], MemberRow>(
        `SELECT user_id, member, last_read_seq, own_cleared_up_to_seq, last_position FROM ${members} WHERE room_id = ? AND user_id = ?`,
      ),
      roomMembers: db.prepare<[string], MemberRow>(
        `SELECT user_id, member, last_read_seq, own_cleared_up_to_seq, last_position FROM ${members} WHERE room_id = ?`,
      ),
      join: db.prepare(`
        INSERT INTO ${members} VALUES (@roomId, @userId, 1, @role, 0, @joinedAt, @lastReadSeq, @ownClearedUpToSeq, @clearedUpToSeq,
          @marker, @liveThroughMarker, @ownLiveAfterMarker, @position)
        ON CONFLICT (room_id, user_id) DO UPDATE SET member = 1, role = excluded.role, muted = 0, joined_at = excluded.joined_at,
          last_read_seq = excluded.last_read_seq, cleared_up_to_seq = excluded.cleared_up_to_seq, marker = excluded.marker,
          live_through_marker = excluded.live_through_marker, own_live_after_marker = excluded.own_live_after_marker,
          last_position = excluded.last_position
        WHERE ${members}.last_position < excluded.last_position`),
      leave: db.prepare(`UPDATE ${members} SET member = 0, last_position = @position WHERE room_id = @roomId AND user_id = @userId AND ${guarded}`),
      role: db.prepare(`UPDATE ${members} SET role = @role, last_position = @position WHERE room_id = @roomId AND user_id = @userId AND ${guarded}`),
      mute: db.prepare(`UPDATE ${members} SET muted = @muted, last_position = @position WHERE room_id = @roomId AND user_id = @userId AND ${guarded}`),
      moveMarker: db.prepare(`
        UPDATE ${members} SET last_read_seq = @lastReadSeq, own_cleared_up_to_seq = @ownClearedUpToSeq, cleared_up_to_seq = @clearedUpToSeq,
          marker = @marker, live_through_marker = @liveThroughMarker, own_live_after_marker = @ownLiveAfterMarker, last_position = @position
        WHERE room_id = @roomId AND user_id = @userId AND ${guarded}`),
      // Every right-hand side reads the row as it was, so the CASE compares the seq with the previous last one.
      messageSent: db.prepare(`
        UPDATE ${rooms} SET live_messages = live_messages + 1,
          last_message_id = CASE WHEN @seq > last_seq THEN @messageId ELSE last_message_id END,
          last_message_seq = CASE WHEN @seq > last_seq THEN @seq ELSE last_message_seq END,
          last_message_author_id = CASE WHEN @seq > last_seq THEN @authorId ELSE last_message_author_id END,
          last_message_text = CASE WHEN @seq > last_seq THEN @text ELSE last_message_text END,
          last_message_at = CASE WHEN @seq > last_seq THEN @createdAt ELSE last_message_at END,
          last_message_edited = CASE WHEN @seq > last_seq THEN 0 ELSE last_message_edited END,
          last_message_deleted = CASE WHEN @seq > last_seq THEN 0 ELSE last_message_deleted END,
          last_seq = max(last_seq, @seq), last_activity_at = max(last_activity_at, @createdAt), last_position = @position
        WHERE room_id = @roomId AND ${guarded}`),
      messageEdited: db.prepare(`
        UPDATE ${rooms} SET last_message_text = @text, last_message_edited = 1, last_position = @position
        WHERE room_id = @roomId AND last_message_id = @messageId AND ${guarded}`),
      messageDeleted: db.prepare(`
        UPDATE ${rooms} SET live_messages = live_messages - 1,
          last_message_text = CASE WHEN last_message_id = @messageId THEN '' ELSE last_message_text END,
          last_message_deleted = CASE WHEN last_message_id = @messageId THEN 1 ELSE last_message_deleted END,
          last_position = @position
        WHERE room_id = @roomId AND ${guarded}`),
      // A message counted in (+1) or out (−1): at or before a member's marker, or after its author's.
      markerCounts: db.prepare(`
        UPDATE ${members} SET
          live_through_marker = live_through_marker + CASE WHEN marker >= @seq THEN @delta ELSE 0 END,
          own_live_after_marker = own_live_after_marker + CASE WHEN marker < @seq AND user_id = @authorId THEN @delta ELSE 0 END,
          last_position = @position
        WHERE room_id = @roomId AND (marker >= @seq OR user_id = @authorId) AND ${guarded}`),
      clearForEveryone: db.prepare(`
        UPDATE ${rooms} SET cleared_for_everyone_up_to_seq = max(cleared_for_everyone_up_to_seq, @upToSeq), last_position = @position
        WHERE room_id = @roomId AND ${guarded}`),
      roomsOf: db.prepare<[string], ListRow>(`
        SELECT r.room_id, r.kind, r.name, r.topic, r.direct_member_ids, r.last_seq, r.live_messages, r.last_message_id, r.last_message_seq,
          r.last_message_author_id, r.last_message_text, r.last_message_at, r.last_message_edited, r.last_message_deleted,
          m.role, m.muted, m.joined_at, m.last_read_seq, m.cleared_up_to_seq, m.live_through_marker, m.own_live_after_marker,
          max(r.last_activity_at, m.joined_at) AS last_activity_at
        FROM ${members} m JOIN ${rooms} r ON r.room_id = m.room_id
        WHERE m.user_id = ? AND m.member = 1 AND r.deleted = 0
        ORDER BY last_activity_at DESC, r.room_id`),
      membership: db.prepare<[string, string], { role: RoomRole; last_read_seq: number; cleared_up_to_seq: number }>(`
        SELECT m.role, m.last_read_seq, m.cleared_up_to_seq FROM ${members} m JOIN ${rooms} r ON r.room_id = m.room_id
        WHERE m.room_id = ? AND m.user_id = ? AND m.member = 1 AND r.deleted = 0`),
    };
  }

  async recordRoomOpened(room: RoomOpened, position: number): Promise<void> {
    const { roomId, kind, name, topic, createdAt } = room;
    this.statements.openRoom.run({ roomId, kind, name, topic, createdAt, directMemberIds: JSON.stringify(room.directMemberIds ?? []), position });
  }

  async recordRoomChanged(roomId: string, changes: { readonly name?: string; readonly topic?: string }, position: number): Promise<void> {
    this.statements.changeRoom.run({ roomId, name: changes.name ?? null, topic: changes.topic ?? null, position });
  }

  async recordRoomDeleted(roomId: string, position: number): Promise<void> {
    this.statements.deleteRoom.run({ roomId, position });
  }

  async recordMemberJoined(roomId: string, member: MemberJoined, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined> {
    const room = this.statements.room.get(roomId);
    const previous = this.statements.member.get(roomId, member.userId);
    if (!room || (previous && previous.last_position >= position)) return undefined;
    const markers = readerMarkers(member.lastReadSeq, previous?.own_cleared_up_to_seq ?? 0, room.cleared_for_everyone_up_to_seq);
    const after = await countLiveAfter(markers.marker, member.userId);
    this.statements.join.run({ roomId, ...member, ...markers, ...markerCounts(room.live_messages, after), position });
    return { userId: member.userId, unreadCount: after.live - after.own, lastReadSeq: markers.lastReadSeq };
  }

  async recordMemberLeft(roomId: string, userId: string, position: number): Promise<void> {
    this.statements.leave.run({ roomId, userId, position });
  }

  async recordRoleChanged(roomId: string, userId: string, role: RoomRole, position: number): Promise<void> {
    this.statements.role.run({ roomId, userId, role, position });
  }

  async recordMuted(roomId: string, userId: string, muted: boolean, position: number): Promise<void> {
    this.statements.mute.run({ roomId, userId, muted: muted ? 1 : 0, position });
  }

  async recordMessageSent(roomId: string, message: MessagePosted, position: number): Promise<void> {
    const { messageId, seq, authorId, createdAt } = message;
    this.statements.messageSent.run({ roomId, messageId, seq, authorId, text: previewOf(message.text), createdAt, position });
    this.statements.markerCounts.run({ roomId, authorId, seq, delta: 1, position });
  }

  async recordMessageEdited(roomId: string, messageId: string, text: string, position: number): Promise<void> {
    this.statements.messageEdited.run({ roomId, messageId, text: previewOf(text), position });
  }

  async recordMessageDeleted(roomId: string, message: MessageRemoved, position: number): Promise<void> {
    const { messageId, seq, authorId } = message;
    this.statements.messageDeleted.run({ roomId, messageId, position });
    this.statements.markerCounts.run({ roomId, authorId, seq, delta: -1, position });
  }

  async recordReaderMoved(roomId: string, userId: string, moved: ReaderMoved, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState | undefined> {
    const room = this.statements.room.get(roomId);
    const member = this.statements.member.get(roomId, userId);
    if (!room || !member || member.last_position >= position) return undefined;
    return this.recount(roomId, room, member, moved, countLiveAfter, position);
  }

  async recordClearedForEveryone(roomId: string, upToSeq: number, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState[]> {
    this.statements.clearForEveryone.run({ roomId, upToSeq, position });
    const room = this.statements.room.get(roomId);
    if (!room) return [];
    const recounted: UnreadState[] = [];
    for (const member of this.statements.roomMembers.all(roomId)) {
      if (member.last_position >= position) continue;
      const unread = await this.recount(roomId, room, member, {}, countLiveAfter, position);
      if (member.member === 1) recounted.push(unread);
    }
    return recounted;
  }

  async roomsOf(userId: string): Promise<RoomListItem[]> {
    return this.statements.roomsOf.all(userId).map(toListItem);
  }

  async membership(roomId: string, userId: string): Promise<Membership | undefined> {
    const row = this.statements.membership.get(roomId, userId);
    return row && { roomId, userId, role: row.role, lastReadSeq: row.last_read_seq, clearedUpToSeq: row.cleared_up_to_seq };
  }

  /** Drops the tables and starts empty ones, so this repository stays usable. */
  async drop(): Promise<void> {
    this.db.exec(`DROP TABLE IF EXISTS ${this.members}; DROP TABLE IF EXISTS ${this.rooms};`);
    this.statements = this.createTables();
  }

  private async recount(roomId: string, room: RoomRow, member: MemberRow, moved: ReaderMoved, countLiveAfter: CountLiveAfter, position: number): Promise<UnreadState> {
    const markers = readerMarkers(
      Math.max(member.last_read_seq, moved.lastReadSeq ?? 0),
      Math.max(member.own_cleared_up_to_seq, moved.ownClearedUpToSeq ?? 0),
      room.cleared_for_everyone_up_to_seq,
    );
    const after = await countLiveAfter(markers.marker, member.user_id);
    this.statements.moveMarker.run({ roomId, userId: member.user_id, ...markers, ...markerCounts(room.live_messages, after), position });
    return { userId: member.user_id, unreadCount: after.live - after.own, lastReadSeq: markers.lastReadSeq };
  }
}

function toListItem(row: ListRow): RoomListItem {
  return {
    roomId: row.room_id,
    kind: row.kind,
    name: row.name,
    topic: row.topic,
    directMemberIds: JSON.parse(row.direct_member_ids) as string[],
    lastMessage:
      row.last_message_id === null || (row.last_message_seq ?? 0) <= row.cleared_up_to_seq
        ? null
        : {
            messageId: row.last_message_id,
            seq: row.last_message_seq ?? 0,
            authorId: row.last_message_author_id ?? '',
            text: row.last_message_text ?? '',
            createdAt: row.last_message_at ?? '',
            edited: row.last_message_edited === 1,
            deleted: row.last_message_deleted === 1,
          },
    lastSeq: row.last_seq,
    unreadCount: unreadOf(row.live_messages, row.live_through_marker, row.own_live_after_marker),
    lastReadSeq: row.last_read_seq,
    muted: row.muted === 1,
    role: row.role,
    joinedAt: row.joined_at,
    lastActivityAt: row.last_activity_at,
  };
}
