// The message history in MongoDB (FerretDB too): one collection per generation, one document per
// message, indexed by (roomId, seq) for pages and counts. A message id is unique per author, not per
// room (the same client id reused in another room derives the same id), so documents are keyed by both.
import type { Collection, Db } from 'mongodb';
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
import { isDuplicateKeyError } from './mongo-errors';

interface MessageDocument {
  _id: string;
  roomId: string;
  seq: number;
  messageId: string;
  authorId: string;
  text: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  deletedPosition: number | null;
  replyTo: string | null;
  forwardedFrom: MessageRecord['forwardedFrom'];
  /** An array, not an object keyed by emoji: a field name may not hold `.` or start with `$`, an emoji may. */
  reactions: { emoji: string; userIds: string[] }[];
  lastPosition: number;
}

export class MongoMessageHistoryRepository implements MessageHistoryRepository {
  private readonly collection: Collection<MessageDocument>;
  private indexes?: Promise<unknown>;

  /** `generation` names the collection, so a rebuild can fill a new one beside the live one. */
  constructor(db: Db, generation: number) {
    this.collection = db.collection<MessageDocument>(`message_history_g${generation}`);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= this.collection.createIndex({ roomId: 1, seq: 1 }, { unique: true });
    return this.indexes;
  }

  async recordSent(message: SentMessage, position: number): Promise<void> {
    await this.ensureIndexes();
    try {
      await this.collection.insertOne({
        _id: documentId(message.roomId, message.messageId),
        roomId: message.roomId,
        seq: message.seq,
        messageId: message.messageId,
        authorId: message.authorId,
        text: message.text,
        createdAt: message.createdAt,
        editedAt: null,
        deleted: false,
        deletedPosition: null,
        replyTo: message.replyTo ?? null,
        forwardedFrom: message.forwardedFrom ?? null,
        reactions: [],
        lastPosition: position,
      });
    } catch (error) {
      // Recorded already: this event is a replay.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async recordEdited(roomId: string, messageId: string, text: string, at: string, position: number): Promise<MessagePlace | undefined> {
    const _id = documentId(roomId, messageId);
    await this.collection.updateOne({ _id, lastPosition: { $lt: position } }, { $set: { text, editedAt: at, lastPosition: position } });
    return this.place(_id);
  }

  async recordDeleted(roomId: string, messageId: string, position: number): Promise<MessageDeletion | undefined> {
    const _id = documentId(roomId, messageId);
    await this.collection.updateOne(
      { _id, deleted: false, lastPosition: { $lt: position } },
      { $set: { deleted: true, text: '', reactions: [], deletedPosition: position, lastPosition: position } },
    );
    const document = await this.collection.findOne({ _id }, { projection: { seq: 1, authorId: 1, deletedPosition: 1 } });
    return document ? { seq: document.seq, authorId: document.authorId, deletedAtPosition: document.deletedPosition ?? 0 } : undefined;
  }

  async recordReaction(roomId: string, messageId: string, change: ReactionChange, position: number): Promise<(MessagePlace & { reactions: Reactions }) | undefined> {
    const _id = documentId(roomId, messageId);
    const document = await this.collection.findOne({ _id }, { projection: { seq: 1, authorId: 1, reactions: 1, deletedPosition: 1, lastPosition: 1 } });
    if (!document) return undefined;
    const current = reactionsOf(document.reactions);
    if (document.lastPosition >= position || document.deletedPosition !== null) return { seq: document.seq, authorId: document.authorId, reactions: current };
    const reactions = withReactionChange(current, change);
    // Only this projection writes the document, so the position read above is still its own.
    await this.collection.updateOne(
      { _id, lastPosition: document.lastPosition },
      { $set: { reactions: Object.entries(reactions).map(([emoji, userIds]) => ({ emoji, userIds: [...userIds] })), lastPosition: position } },
    );
    return { seq: document.seq, authorId: document.authorId, reactions };
  }

  async page(roomId: string, window: HistoryWindow): Promise<MessageRecord[]> {
    await this.ensureIndexes();
    const filter = { roomId, seq: { $gt: window.afterSeq, $lt: window.beforeSeq ?? NO_UPPER_SEQ } };
    const documents = await this.collection
      .find(filter)
      .sort({ seq: window.from === 'oldest' ? 1 : -1 })
      .limit(window.limit)
      .toArray();
    if (window.from === 'newest') documents.reverse();
    return documents.map(toRecord);
  }

  async liveAfter(roomId: string, afterSeq: number, readerId: string): Promise<LiveMessagesAfter> {
    await this.ensureIndexes();
    const filter = { roomId, seq: { $gt: afterSeq }, deleted: false };
    const [live, own] = await Promise.all([this.collection.countDocuments(filter), this.collection.countDocuments({ ...filter, authorId: readerId })]);
    return { live, own };
  }

  async drop(): Promise<void> {
    await this.collection.drop().catch(() => undefined);
    this.indexes = undefined;
  }

  private async place(_id: string): Promise<MessagePlace | undefined> {
    const document = await this.collection.findOne({ _id }, { projection: { seq: 1, authorId: 1 } });
    return document ? { seq: document.seq, authorId: document.authorId } : undefined;
  }
}

function documentId(roomId: string, messageId: string): string {
  return `${roomId}/${messageId}`;
}

function reactionsOf(stored: MessageDocument['reactions']): Reactions {
  return Object.fromEntries(stored.map(({ emoji, userIds }) => [emoji, userIds]));
}

function toRecord(document: MessageDocument): MessageRecord {
  return {
    roomId: document.roomId,
    seq: document.seq,
    messageId: document.messageId,
    authorId: document.authorId,
    text: document.text,
    createdAt: document.createdAt,
    editedAt: document.editedAt,
    deleted: document.deleted,
    replyTo: document.replyTo,
    forwardedFrom: document.forwardedFrom,
    reactions: reactionsOf(document.reactions),
  };
}
