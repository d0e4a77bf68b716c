import type { Collection, Db } from 'mongodb';
import type { IndexedStream, StreamEventSeen, StreamIndexRepository, StreamListQuery } from './stream-index-repository';

interface StreamDocument {
  _id: string;
  category: string;
  eventCount: number;
  lastRevision: number;
  lastEventType: string;
  firstEventAt: Date;
  lastEventAt: Date;
  lastPosition: number;
}

const DUPLICATE_KEY = 11000;

export class MongoStreamIndexRepository implements StreamIndexRepository {
  private readonly collection: Collection<StreamDocument>;
  private indexes?: Promise<unknown>;

  /** `generation` names the collection, so a rebuild can fill a new one beside the live one. */
  constructor(db: Db, generation: number) {
    this.collection = db.collection<StreamDocument>(`stream_index_g${generation}`);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= this.collection.createIndex({ category: 1, _id: 1 });
    return this.indexes;
  }

  async recordEvent(event: StreamEventSeen): Promise<void> {
    await this.ensureIndexes();
    try {
      // The filter only matches a document that has not seen this position yet; when the stream's
      // document exists but has, the upsert's insert collides on _id and the event was already applied.
      await this.collection.updateOne(
        { _id: event.streamId, lastPosition: { $lt: event.position } },
        {
          $inc: { eventCount: 1 },
          $set: { lastRevision: event.revision, lastEventType: event.type, lastEventAt: event.createdAt, lastPosition: event.position },
          $setOnInsert: { category: event.category, firstEventAt: event.createdAt },
        },
        { upsert: true },
      );
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === DUPLICATE_KEY)) throw error;
    }
  }

  async get(streamId: string): Promise<IndexedStream | undefined> {
    const document = await this.collection.findOne({ _id: streamId });
    return document ? toIndexedStream(document) : undefined;
  }

  async list(query: StreamListQuery): Promise<IndexedStream[]> {
    await this.ensureIndexes();
    const filter = { _id: { $gt: query.afterStreamId ?? '' }, ...(query.category ? { category: query.category } : {}) };
    const documents = await this.collection.find(filter).sort({ _id: 1 }).limit(query.limit).toArray();
    return documents.map(toIndexedStream);
  }

  async countByCategory(): Promise<Record<string, number>> {
    const groups = await this.collection.aggregate<{ _id: string; streams: number }>([{ $group: { _id: '$category', streams: { $sum: 1 } } }]).toArray();
    return Object.fromEntries(groups.map((group) => [group._id, group.streams]));
  }

  async drop(): Promise<void> {
    await this.collection.drop().catch(() => undefined);
    this.indexes = undefined;
  }
}

function toIndexedStream(document: StreamDocument): IndexedStream {
  const { _id, ...rest } = document;
  return { streamId: _id, ...rest };
}
