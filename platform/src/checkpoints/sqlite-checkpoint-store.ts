// Checkpoints in the embedded SQLite database, beside the read models they describe. better-sqlite3 is
// synchronous, and the projection processor saves the checkpoint inside its own write transaction on
// the same connection (`saveSync`), so the read model and its checkpoint commit together. The async
// methods do their work synchronously too and only hand back settled promises.
import type { CheckpointStore, ProjectionCheckpoint, ProjectionFailure } from './checkpoint-store';
import type { SqliteDatabase } from '../sqlite/sqlite-database';

interface CheckpointRow {
  projection: string;
  position: number;
  failure_position: number | null;
  failure_event_id: string | null;
  failure_event_type: string | null;
  failure_stream_id: string | null;
  failure_message: string | null;
  /** Milliseconds since the epoch, as for every date below. */
  failed_at: number | null;
  updated_at: number;
}

const COLUMNS =
  'projection, position, failure_position, failure_event_id, failure_event_type, failure_stream_id, failure_message, failed_at, updated_at';

export class SqliteCheckpointStore implements CheckpointStore {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      projection TEXT NOT NULL PRIMARY KEY,
      position INTEGER NOT NULL,
      failure_position INTEGER,
      failure_event_id TEXT,
      failure_event_type TEXT,
      failure_stream_id TEXT,
      failure_message TEXT,
      failed_at INTEGER,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.statements = {
      read: db.prepare<[string], CheckpointRow>(`SELECT ${COLUMNS} FROM projection_checkpoints WHERE projection = ?`),
      list: db.prepare<[], CheckpointRow>(`SELECT ${COLUMNS} FROM projection_checkpoints ORDER BY projection`),
      // The position test is part of the upsert, so a late save can never move the checkpoint back.
      // Saving the position already stored is allowed: it is how a failure is cleared by moving on.
      save: db.prepare<[string, number, number]>(
        `INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (projection) DO UPDATE SET
           position = excluded.position, updated_at = excluded.updated_at,
           failure_position = NULL, failure_event_id = NULL, failure_event_type = NULL,
           failure_stream_id = NULL, failure_message = NULL, failed_at = NULL
         WHERE excluded.position >= projection_checkpoints.position`,
      ),
      // A projection may fail on its very first event, before any save: it then stops at position 0.
      markFailed: db.prepare<[string, number, string, string, string, string, number, number]>(
        `INSERT INTO projection_checkpoints (${COLUMNS}) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (projection) DO UPDATE SET
           failure_position = excluded.failure_position, failure_event_id = excluded.failure_event_id,
           failure_event_type = excluded.failure_event_type, failure_stream_id = excluded.failure_stream_id,
           failure_message = excluded.failure_message, failed_at = excluded.failed_at, updated_at = excluded.updated_at`,
      ),
      clearFailure: db.prepare<[number, string]>(
        `UPDATE projection_checkpoints SET
           failure_position = NULL, failure_event_id = NULL, failure_event_type = NULL,
           failure_stream_id = NULL, failure_message = NULL, failed_at = NULL, updated_at = ?
         WHERE projection = ?`,
      ),
      remove: db.prepare<[string]>('DELETE FROM projection_checkpoints WHERE projection = ?'),
    };
  }

  /** `save`, for a caller already inside a better-sqlite3 transaction on this connection. */
  saveSync(projection: string, position: number): void {
    this.statements.save.run(projection, position, Date.now());
  }

  async read(projection: string): Promise<ProjectionCheckpoint | undefined> {
    const row = this.statements.read.get(projection);
    return row ? toCheckpoint(row) : undefined;
  }

  async list(): Promise<ProjectionCheckpoint[]> {
    return this.statements.list.all().map(toCheckpoint);
  }

  async save(projection: string, position: number): Promise<void> {
    this.saveSync(projection, position);
  }

  async markFailed(projection: string, failure: ProjectionFailure): Promise<void> {
    this.statements.markFailed.run(
      projection,
      failure.position,
      failure.eventId,
      failure.eventType,
      failure.streamId,
      failure.message,
      failure.failedAt.getTime(),
      Date.now(),
    );
  }

  async clearFailure(projection: string): Promise<void> {
    this.statements.clearFailure.run(Date.now(), projection);
  }

  async remove(projection: string): Promise<void> {
    this.statements.remove.run(projection);
  }
}

function toCheckpoint(row: CheckpointRow): ProjectionCheckpoint {
  const failure: ProjectionFailure | undefined =
    row.failure_position !== null && row.failed_at !== null
      ? {
          position: row.failure_position,
          eventId: row.failure_event_id ?? '',
          eventType: row.failure_event_type ?? '',
          streamId: row.failure_stream_id ?? '',
          message: row.failure_message ?? '',
          failedAt: new Date(row.failed_at),
        }
      : undefined;
  return { projection: row.projection, position: row.position, updatedAt: new Date(row.updated_at), ...(failure ? { failure } : {}) };
}
