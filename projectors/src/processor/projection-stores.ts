// One ProjectionStore per read-store backend. Only SQLite shares a transaction between the read model
// and its checkpoint; MongoDB (FerretDB has no multi-document transactions) and the TypeORM user views
// write the checkpoint after the read model, which is safe because projections are idempotent.
import {
  type CheckpointStore,
  InOrder,
  MongoCheckpointStore,
  type SqliteDatabase,
  SqliteCheckpointStore,
  TypeormCheckpointStore,
} from '@chat/platform';
import type { Db } from 'mongodb';
import type { DataSource } from 'typeorm';
import type { ProjectionStore } from './projection';

export class SqliteProjectionStore implements ProjectionStore {
  readonly checkpoints: SqliteCheckpointStore;
  private readonly batches = new InOrder();

  /**
   * `db` must be a connection of the processors' own: the batch's transaction stays open across the
   * projection's awaits, which is safe only because the SQLite repositories do their work
   * synchronously, so the whole batch runs without yielding to other I/O on this connection.
   */
  constructor(private readonly db: SqliteDatabase) {
    this.checkpoints = new SqliteCheckpointStore(db);
  }

  /**
   * Batches commit one after another: every processor on this connection shares it, and one could
   * otherwise begin its transaction (or roll it back) inside another's, between two of its awaits.
   */
  commit(projection: string, position: number, apply: () => Promise<void>): Promise<void> {
    return this.batches.run(() => this.commitNow(projection, position, apply));
  }

  private async commitNow(projection: string, position: number, apply: () => Promise<void>): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      await apply();
      this.checkpoints.saveSync(projection, position);
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

class CheckpointAfterWritesStore implements ProjectionStore {
  constructor(readonly checkpoints: CheckpointStore) {}

  async commit(projection: string, position: number, apply: () => Promise<void>): Promise<void> {
    await apply();
    await this.checkpoints.save(projection, position);
  }
}

export class MongoProjectionStore extends CheckpointAfterWritesStore {
  constructor(db: Db) {
    super(new MongoCheckpointStore(db));
  }
}

export class TypeormProjectionStore extends CheckpointAfterWritesStore {
  constructor(dataSource: DataSource) {
    super(new TypeormCheckpointStore(dataSource));
  }
}
