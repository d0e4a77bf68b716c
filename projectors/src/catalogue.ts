// Every read model the projectors maintain, and where each keeps its data and checkpoint. Adding a
// read model means adding its definition here; the projectors service and the admin CLI take it from here.
import {
  type DocumentStore,
  type Infrastructure,
  generationKey,
  streamIndexRepository,
  USER_ACTIVITY,
  USER_BLOCKS,
  USER_DIRECTORY,
  USER_SESSIONS,
  userActivityRepository,
  userBlocksRepository,
  userDirectoryRepository,
  userSessionsRepository,
  dropMessagingRepositories,
  messagingRepositories,
  ROOMS_READ_MODEL,
} from '@chat/platform';
import type { DataSource } from 'typeorm';
import type { Projection, ProjectionStore } from './processor/projection';
import { MongoProjectionStore, SqliteProjectionStore, TypeormProjectionStore } from './processor/projection-stores';
import { STREAM_INDEX, streamIndexProjection } from './projections/stream-index.projection';
import { userActivityProjection } from './projections/user-activity.projection';
import { userBlocksProjection } from './projections/user-blocks.projection';
import { userDirectoryProjection } from './projections/user-directory.projection';
import { userSessionsProjection } from './projections/user-sessions.projection';
import { roomsProjection } from './projections/messaging/rooms.projection';

export interface ReadModelDefinition {
  readonly name: string;
  /** Where its checkpoints live (for SQLite, on the processors' own connection). */
  projectionStore(infrastructure: Infrastructure): Promise<ProjectionStore>;
  /** The projection that fills one generation of it. */
  projection(infrastructure: Infrastructure, generation: number): Promise<Projection>;
  /** Removes one generation's data. */
  drop(infrastructure: Infrastructure, generation: number): Promise<void>;
}

const projectionStores = new WeakMap<object, ProjectionStore>();

/** The projection store of the document read models, one per connection. */
function documentProjectionStore(documents: DocumentStore): ProjectionStore {
  let store = projectionStores.get(documents.db);
  if (!store) {
    store = documents.kind === 'sqlite' ? new SqliteProjectionStore(documents.db) : new MongoProjectionStore(documents.db);
    projectionStores.set(documents.db, store);
  }
  return store;
}

const streamIndex: ReadModelDefinition = {
  name: STREAM_INDEX,
  projectionStore: async (infrastructure) => documentProjectionStore(await infrastructure.projectionDocuments()),
  projection: async (infrastructure, generation) =>
    streamIndexProjection(generationKey(STREAM_INDEX, generation), streamIndexRepository(await infrastructure.projectionDocuments(), generation)),
  drop: async (infrastructure, generation) => streamIndexRepository(await infrastructure.projectionDocuments(), generation).drop(),
};

/** Rooms, their members and their messages: the room list, the room details and the message history. */
const rooms: ReadModelDefinition = {
  name: ROOMS_READ_MODEL,
  projectionStore: async (infrastructure) => documentProjectionStore(await infrastructure.projectionDocuments()),
  projection: async (infrastructure, generation) =>
    roomsProjection(generationKey(ROOMS_READ_MODEL, generation), messagingRepositories(await infrastructure.projectionDocuments(), generation)),
  drop: async (infrastructure, generation) => dropMessagingRepositories(messagingRepositories(await infrastructure.projectionDocuments(), generation)),
};

/** The projection store of the user views, one per DataSource. */
function userViewsProjectionStore(dataSource: DataSource): ProjectionStore {
  let store = projectionStores.get(dataSource);
  if (!store) {
    store = new TypeormProjectionStore(dataSource);
    projectionStores.set(dataSource, store);
  }
  return store;
}

/** A read model in the user-views database (TypeORM), one table per generation. */
function userView<Repository extends { drop(): Promise<void> }>(
  name: string,
  repository: (dataSource: DataSource, generation: number) => Repository,
  projection: (name: string, repository: Repository) => Projection,
): ReadModelDefinition {
  return {
    name,
    projectionStore: async (infrastructure) => userViewsProjectionStore(await infrastructure.userViews()),
    projection: async (infrastructure, generation) => projection(generationKey(name, generation), repository(await infrastructure.userViews(), generation)),
    drop: async (infrastructure, generation) => repository(await infrastructure.userViews(), generation).drop(),
  };
}

export const readModels: readonly ReadModelDefinition[] = [
  streamIndex,
  userView(USER_DIRECTORY, userDirectoryRepository, userDirectoryProjection),
  userView(USER_SESSIONS, userSessionsRepository, userSessionsProjection),
  userView(USER_BLOCKS, userBlocksRepository, userBlocksProjection),
  userView(USER_ACTIVITY, userActivityRepository, userActivityProjection),
  rooms,
];

export function findReadModel(name: string): ReadModelDefinition | undefined {
  return readModels.find((model) => model.name === name);
}
