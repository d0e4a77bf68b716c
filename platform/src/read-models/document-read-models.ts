// The document read models' repositories for whichever document store is configured (SQLite embedded,
// MongoDB distributed), and their checkpoints: the one place that picks the implementation.
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { MongoCheckpointStore } from '../checkpoints/mongo-checkpoint-store';
import { SqliteCheckpointStore } from '../checkpoints/sqlite-checkpoint-store';
import type { DocumentStore } from '../wiring/infrastructure';
import { MongoStreamIndexRepository } from './stream-index/mongo-stream-index-repository';
import { SqliteStreamIndexRepository } from './stream-index/sqlite-stream-index-repository';
import type { StreamIndexRepository } from './stream-index/stream-index-repository';

export function streamIndexRepository(documents: DocumentStore, generation: number): StreamIndexRepository {
  return documents.kind === 'sqlite' ? new SqliteStreamIndexRepository(documents.db, generation) : new MongoStreamIndexRepository(documents.db, generation);
}

export function documentCheckpoints(documents: DocumentStore): CheckpointStore {
  return documents.kind === 'sqlite' ? new SqliteCheckpointStore(documents.db) : new MongoCheckpointStore(documents.db);
}
