// One ProjectionStore per read-store backend. Only SQLite shares a transaction between the read model
// and its checkpoint; MongoDB (FerretDB has no multi-document transactions) and the TypeORM user views
// write the checkpoint after the read model, which is safe because projections are idempotent.
import {
  type CheckpointStore,
  MongoCheckpointStore,
  type SqliteDatabase,
  SqliteCheckpointStore,
  TypeormCheckpointStore,
} from '@chat/platform';
import type { Db } from 'mongodb';
import type { DataSource } from 'typeorm';
import type { ProjectionStore } from './projection';

interface WaitingBatch {
  readonly projection: string;
  readonly position: number;
  readonly apply: () => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export class SqliteProjectionStore implements ProjectionStore {
  readonly checkpoints: SqliteCheckpointStore;
  private waiting: WaitingBatch[] = [];
  private writing = false;

  /**
   * `db` must be a connection of the processors' own: a transaction stays open across the
   * projections' awaits, which is safe only because the SQLite repositories do their work
   * synchronously, so the whole transaction runs without yielding to other I/O on this connection.
   */
  constructor(private readonly db: SqliteDatabase) {
    this.checkpoints = new SqliteCheckpointStore(db);
  }

  /**
   * The batches of every processor on this connection that wait at the next turn of the event loop
   * go into one write transaction, each in a savepoint of its own: an append wakes every processor at
   * once, and a commit (the WAL write of the pages touched, the checkpoint row's among them) was most of
   * what a small batch cost. A batch that fails is rolled back alone; each settles once the
   * transaction is committed, so nothing is published before it is durable. Batches asked for while a
   * transaction runs wait for the next one: one runs at a time, so no batch begins inside another's.
   */
  commit(projection: string, position: number, apply: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ projection, position, apply, resolve, reject });
      if (this.waiting.length === 1 && !this.writing) setImmediate(() => void this.writeWaiting());
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batches = this.waiting;
        this.waiting = [];
        await this.writeTogether(batches);
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeTogether(batches: readonly WaitingBatch[]): Promise<void> {
    const written: WaitingBatch[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const batch of batches) {
        this.db.exec('SAVEPOINT batch');
        try {
          await batch.apply();
          this.checkpoints.saveSync(batch.projection, batch.position);
          this.db.exec('RELEASE batch');
          written.push(batch);
        } catch (error) {
          this.db.exec('ROLLBACK TO batch');
          this.db.exec('RELEASE batch');
          batch.reject(error);
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      // The transaction is lost (or never began): every batch of it failed, a rejected one stays so.
      for (const batch of batches) batch.reject(error);
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // Then the next transaction cannot begin, and its batches fail saying why.
      }
      return;
    }
    for (const batch of written) batch.resolve();
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
