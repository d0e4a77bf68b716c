// The message history in the embedded SQLite database: one table per generation. A page is a range of
// the (room_id, seq) index, however long the room's history. Edits, deletions and reactions find their
// message by id through an index on a 32-bit hash of it: message ids are random, so every new message
// lands on a random page of that index, and small entries keep that cost (which bounds how fast the
// history can be rebuilt) about half of what an index on (room_id, message_id) costs.
import type { SqliteDatabase } from '../../sqlite/sqlite-database';
import {
  type HistoryWindow,
  type LiveMessagesAfter,
  type MessageDeletion,
  type MessageHistoryRepository,
  type MessagePlace,
  type MessageRecord,
  NO_UPPER_SEQ,
  type ReactionChange,
  type Reactions,
  type SentMessage,
  withReactionChange,
} from './message-history-repository';

interface MessageRow {
  room_id: string;
  seq: number;
  message_id: string;
  author_id: string;
  text: string;
  created_at: string;
  edited_at: string | null;
  deleted: number;
  reply_to: string | null;
  forwarded_from: string | null;
  reactions: string;
}

const COLUMNS = 'room_id, seq, message_id, author_id, text, created_at, edited_at, deleted, reply_to, forwarded_from, reactions';

export class SqliteMessageHistoryRepository implements MessageHistoryRepository {
  private readonly table: string;
  private statements;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(private readonly db: SqliteDatabase, generation: number) {
    this.table = `message_history_g${generation}`;
    this.statements = this.createTable();
  }

  private createTable() {
    const { db, table } = this;
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${table} (
        room_id TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT NOT NULL, message_key INTEGER NOT NULL, author_id TEXT NOT NULL,
        text TEXT NOT NULL, created_at TEXT NOT NULL, edited_at TEXT, deleted INTEGER NOT NULL DEFAULT 0, deleted_position INTEGER,
        reply_to TEXT, forwarded_from TEXT, reactions TEXT NOT NULL DEFAULT '{}', last_position INTEGER NOT NULL,
        UNIQUE (room_id, seq)
      );
      CREATE INDEX IF NOT EXISTS ${table}_message ON ${table} (message_key);
    `);
    const message = 'message_key = @key AND room_id = @roomId AND message_id = @messageId';
    return {
      insert: db.prepare(`
        INSERT INTO ${table} (room_id, seq, message_id, message_key, author_id, text, created_at, reply_to, forwarded_from, last_position)
        VALUES (@roomId, @seq, @messageId, @key, @authorId, @text, @createdAt, @replyTo, @forwardedFrom, @position)
        ON CONFLICT DO NOTHING`),
      edit: db.prepare(`UPDATE ${table} SET text = @text, edited_at = @at, last_position = @position WHERE ${message} AND last_position < @position`),
      delete: db.prepare(`
        UPDATE ${table} SET deleted = 1, text = '', reactions = '{}', deleted_position = @position, last_position = @position
        WHERE ${message} AND deleted = 0 AND last_position < @position`),
      setReactions: db.prepare(`UPDATE ${table} SET reactions = @reactions, last_position = @position WHERE ${message} AND last_position < @position`),
      place: db.prepare<{ key: number; roomId: string; messageId: string }, { seq: number; author_id: string; deleted_position: number | null; reactions: string; last_position: number }>(
        `SELECT seq, author_id, deleted_position, reactions, last_position FROM ${table} WHERE ${message}`,
      ),
      oldest: db.prepare<[string, number, number, number], MessageRow>(
        `SELECT ${COLUMNS} FROM ${table} WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?`,
      ),
      newest: db.prepare<[string, number, number, number], MessageRow>(
        `SELECT ${COLUMNS} FROM ${table} WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
      liveAfter: db.prepare<[string, string, number], LiveMessagesAfter>(
        `SELECT count(*) AS live, coalesce(sum(author_id = ?), 0) AS own FROM ${table} WHERE room_id = ? AND seq > ? AND deleted = 0`,
      ),
    };
  }

  async recordSent(message: SentMessage, position: number): Promise<void> {
    this.statements.insert.run({
      roomId: message.roomId,
      seq: message.seq,
      messageId: message.messageId,
      key: messageKey(message.messageId),
      authorId: message.authorId,
      text: message.text,
      createdAt: message.createdAt,
      replyTo: message.replyTo ?? null,
      forwardedFrom: message.forwardedFrom ? JSON.stringify(message.forwardedFrom) : null,
      position,
    });
  }

  async recordEdited(roomId: string, messageId: string, text: string, at: string, position: number): Promise<MessagePlace | undefined> {
    const lookup = { key: messageKey(messageId), roomId, messageId };
    this.statements.edit.run({ ...lookup, text, at, position });
    const row = this.statements.place.get(lookup);
    return row && { seq: row.seq, authorId: row.author_id };
  }

  async recordDeleted(roomId: string, messageId: string, position: number): Promise<MessageDeletion | undefined> {
    const lookup = { key: messageKey(messageId), roomId, messageId };
    this.statements.delete.run({ ...lookup, position });
    const row = this.statements.place.get(lookup);
    return row && { seq: row.seq, authorId: row.author_id, deletedAtPosition: row.deleted_position ?? 0 };
  }

  async recordReaction(roomId: string, messageId: string, change: ReactionChange, position: number): Promise<(MessagePlace & { reactions: Reactions }) | undefined> {
    const lookup = { key: messageKey(messageId), roomId, messageId };
    const row = this.statements.place.get(lookup);
    if (!row) return undefined;
    const current = JSON.parse(row.reactions) as Reactions;
    // A deleted message takes no reactions: the deletion came first in the log, so this event is a replay or moot.
    if (row.last_position >= position || row.deleted_position !== null) return { seq: row.seq, authorId: row.author_id, reactions: current };
    const reactions = withReactionChange(current, change);
    this.statements.setReactions.run({ ...lookup, reactions: JSON.stringify(reactions), position });
    return { seq: row.seq, authorId: row.author_id, reactions };
  }

  async page(roomId: string, window: HistoryWindow): Promise<MessageRecord[]> {
    const beforeSeq = window.beforeSeq ?? NO_UPPER_SEQ;
    if (window.from === 'oldest') return this.statements.oldest.all(roomId, window.afterSeq, beforeSeq, window.limit).map(toRecord);
    return this.statements.newest.all(roomId, window.afterSeq, beforeSeq, window.limit).reverse().map(toRecord);
  }

  async liveAfter(roomId: string, afterSeq: number, readerId: string): Promise<LiveMessagesAfter> {
    return this.statements.liveAfter.get(readerId, roomId, afterSeq) ?? { live: 0, own: 0 };
  }

  /** Drops the table and starts an empty one, so this repository stays usable. */
  async drop(): Promise<void> {
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    this.statements = this.createTable();
  }
}

/** FNV-1a of the id, as a signed 32-bit integer: a short key for the index, its rare collisions told apart by the id. */
function messageKey(messageId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) hash = Math.imul(hash ^ messageId.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function toRecord(row: MessageRow): MessageRecord {
  return {
    roomId: row.room_id,
    seq: row.seq,
    messageId: row.message_id,
    authorId: row.author_id,
    text: row.text,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deleted: row.deleted === 1,
    replyTo: row.reply_to,
    forwardedFrom: row.forwarded_from === null ? null : (JSON.parse(row.forwarded_from) as MessageRecord['forwardedFrom']),
    reactions: JSON.parse(row.reactions) as Reactions,
  };
}
