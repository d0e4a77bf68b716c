// The document read models' repositories for whichever document store is configured (SQLite embedded,
// MongoDB distributed), and their checkpoints: the one place that picks the implementation.
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { MongoCheckpointStore } from '../checkpoints/mongo-checkpoint-store';
import { SqliteCheckpointStore } from '../checkpoints/sqlite-checkpoint-store';
import type { DocumentStore } from '../wiring/infrastructure';
import { MongoStreamIndexRepository } from './stream-index/mongo-stream-index-repository';
import { SqliteStreamIndexRepository } from './stream-index/sqlite-stream-index-repository';
import type { StreamIndexRepository } from './stream-index/stream-index-repository';
import type { MessagingRepositories } from './messaging/messaging-read-models';
import { MongoMessageHistoryRepository } from './messaging/mongo-message-history-repository';
import { MongoRoomDetailsRepository } from './messaging/mongo-room-details-repository';
import { MongoRoomListRepository } from './messaging/mongo-room-list-repository';
import { SqliteMessageHistoryRepository } from './messaging/sqlite-message-history-repository';
import { SqliteRoomDetailsRepository } from './messaging/sqlite-room-details-repository';
import { SqliteRoomListRepository } from './messaging/sqlite-room-list-repository';

export function streamIndexRepository(documents: DocumentStore, generation: number): StreamIndexRepository {
  return documents.kind === 'sqlite' ? new SqliteStreamIndexRepository(documents.db, generation) : new MongoStreamIndexRepository(documents.db, generation);
}

export function messagingRepositories(documents: DocumentStore, generation: number): MessagingRepositories {
  return documents.kind === 'sqlite'
    ? {
        roomList: new SqliteRoomListRepository(documents.db, generation),
        roomDetails: new SqliteRoomDetailsRepository(documents.db, generation),
        messageHistory: new SqliteMessageHistoryRepository(documents.db, generation),
      }
    : {
        roomList: new MongoRoomListRepository(documents.db, generation),
        roomDetails: new MongoRoomDetailsRepository(documents.db, generation),
        messageHistory: new MongoMessageHistoryRepository(documents.db, generation),
      };
}

export function documentCheckpoints(documents: DocumentStore): CheckpointStore {
  return documents.kind === 'sqlite' ? new SqliteCheckpointStore(documents.db) : new MongoCheckpointStore(documents.db);
}
