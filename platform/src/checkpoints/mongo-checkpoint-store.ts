// Checkpoints in MongoDB (FerretDB in tests), one document per projection keyed by its name.
// No multi-document transactions here (FerretDB has none), so a MongoDB projection relies on its
// per-document positions for idempotency, and the checkpoint is written after the read model.
//
// FerretDB (1.24, SQLite backend) applies an update as a query and then a separate write, outside any
// transaction (FerretDB/FerretDB#3040): two concurrent `position <= n` updates of one document can both
// match, and the lower can land last. So this store queues its own writes to each projection. Across
// processes the guarantee rests on the server: MongoDB updates a document atomically, FerretDB does
// not, which is acceptable because one processor at a time owns a projection.
import { MongoServerError, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { InOrderPerKey } from '../collections/in-order';
import type { CheckpointStore, ProjectionCheckpoint, ProjectionFailure } from './checkpoint-store';

interface CheckpointDocument {
  _id: string;
  position: number;
  failure?: ProjectionFailure;
  updatedAt: Date;
}

const DUPLICATE_KEY = 11000;

export class MongoCheckpointStore implements CheckpointStore {
  private readonly checkpoints: Collection<CheckpointDocument>;
  /** Each projection's writes, one after another (see the note at the top of the file). */
  private readonly writes = new InOrderPerKey<string>();

  constructor(db: Db) {
    this.checkpoints = db.collection<CheckpointDocument>('projection_checkpoints');
  }

  async read(projection: string): Promise<ProjectionCheckpoint | undefined> {
    const document = await this.checkpoints.findOne({ _id: projection });
    return document ? toCheckpoint(document) : undefined;
  }

  async list(): Promise<ProjectionCheckpoint[]> {
    const documents = await this.checkpoints.find().sort({ _id: 1 }).toArray();
    return documents.map(toCheckpoint);
  }

  async save(projection: string, position: number): Promise<void> {
    // Only a document at or behind `position` matches; saving the position already stored is allowed
    // (it is how a failure is cleared by moving on). When the document is further on, nothing matches
    // and the upsert tries to insert a second `_id`, which fails as a duplicate: the save is stale.
    await this.upsert(
      projection,
      { _id: projection, position: { $lte: position } },
      { $set: { position, updatedAt: new Date() }, $unset: { failure: '' } },
    );
  }

  async markFailed(projection: string, failure: ProjectionFailure): Promise<void> {
    // A projection may fail on its very first event, before any save: it then stops at position 0.
    await this.upsert(
      projection,
      { _id: projection },
      { $set: { failure: copyFailure(failure), updatedAt: new Date() }, $setOnInsert: { position: 0 } },
    );
  }

  async clearFailure(projection: string): Promise<void> {
    await this.writes.run(projection, () =>
      this.checkpoints.updateOne({ _id: projection }, { $unset: { failure: '' }, $set: { updatedAt: new Date() } }),
    );
  }

  async remove(projection: string): Promise<void> {
    await this.writes.run(projection, () => this.checkpoints.deleteOne({ _id: projection }));
  }

  /**
   * An upsert that loses a race (another writer inserted the `_id` first), or whose filter excluded the
   * existing document, fails with a duplicate key. The document exists by then, so the update is tried
   * once more without the upsert; if the filter still does not match, there is nothing to do.
   */
  private async upsert(projection: string, filter: Filter<CheckpointDocument>, update: UpdateFilter<CheckpointDocument>): Promise<void> {
    await this.writes.run(projection, async () => {
      try {
        await this.checkpoints.updateOne(filter, update, { upsert: true });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        await this.checkpoints.updateOne(filter, update);
      }
    });
  }
}

function toCheckpoint(document: CheckpointDocument): ProjectionCheckpoint {
  const { _id, position, failure, updatedAt } = document;
  return { projection: _id, position, updatedAt, ...(failure ? { failure: copyFailure(failure) } : {}) };
}

/** Exactly the failure's fields, whatever else the object passed in (or the document read) carries. */
function copyFailure({ position, eventId, eventType, streamId, message, failedAt }: ProjectionFailure): ProjectionFailure {
  return { position, eventId, eventType, streamId, message, failedAt };
}
