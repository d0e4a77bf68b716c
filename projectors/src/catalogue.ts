// Every read model the projectors maintain, and where each keeps its data and checkpoint. Adding a
// read model means adding its definition here; the projectors service and the admin CLI take it from here.
import { type DocumentStore, type Infrastructure, generationKey, streamIndexRepository } from '@chat/platform';
import type { Projection, ProjectionStore } from './processor/projection';
import { MongoProjectionStore, SqliteProjectionStore } from './processor/projection-stores';
import { STREAM_INDEX, streamIndexProjection } from './projections/stream-index.projection';

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

export const readModels: readonly ReadModelDefinition[] = [streamIndex];

export function findReadModel(name: string): ReadModelDefinition | undefined {
  return readModels.find((model) => model.name === name);
}
