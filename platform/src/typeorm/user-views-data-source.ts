// The TypeORM DataSource over the user-views database: SQLite in embedded mode, MySQL (MariaDB) when
// MYSQL_URL is set. The checkpoint table always belongs to it, so the projections that fill the user
// views keep their checkpoint beside their rows (and can write both in one transaction).
//
// Schema: `synchronize` stays off. It compares entities with the live schema and alters tables to
// match, which can drop a renamed column's data, and two services starting together would both try.
// Tables are created by migrations instead, run when the DataSource is opened. Each migration must be
// idempotent (`CREATE TABLE IF NOT EXISTS` …): two services opening an empty database may both run it.
import { DataSource, type DataSourceOptions, type EntitySchema, type MigrationInterface } from 'typeorm';
import type { UserViewStoreConfig } from '../config/config';
import { CreateProjectionCheckpoints1767225600000, ProjectionCheckpointEntity } from '../checkpoints/typeorm-checkpoint-store';
import type { SqliteDatabase } from '../sqlite/sqlite-database';

export type UserViewEntity = (abstract new (...args: never[]) => object) | EntitySchema;
/** A migration class; its name must end in a JavaScript timestamp (TypeORM orders migrations by it). */
export type UserViewMigration = new () => MigrationInterface;

export interface UserViewsSchema {
  /** The user-view entities, besides the checkpoint entity which is always included. */
  readonly entities?: readonly UserViewEntity[];
  /** Migrations creating those entities' tables, besides the checkpoint table's. */
  readonly migrations?: readonly UserViewMigration[];
}

/** Statements wait this long for SQLite's write lock, as the embedded event store's connection does. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export function userViewsDataSourceOptions(config: UserViewStoreConfig, schema: UserViewsSchema = {}): DataSourceOptions {
  const common = {
    entities: [ProjectionCheckpointEntity, ...(schema.entities ?? [])],
    migrations: [CreateProjectionCheckpoints1767225600000, ...(schema.migrations ?? [])],
    migrationsTableName: 'user_views_migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  switch (config.kind) {
    case 'sqlite':
      return {
        ...common,
        type: 'better-sqlite3',
        database: config.file,
        // TypeORM's own options for the pragmas it knows (journal_mode = WAL, busy timeout);
        // `synchronous = NORMAL` is safe under WAL and spares an fsync per commit.
        enableWAL: true,
        timeout: SQLITE_BUSY_TIMEOUT_MS,
        prepareDatabase: (db: SqliteDatabase) => {
          db.pragma('synchronous = NORMAL');
        },
      };
    case 'mysql':
      return {
        ...common,
        type: 'mysql',
        url: config.url,
        poolSize: 10,
        connectTimeout: 10_000,
        // utf8mb4: names and display names hold any character, emoji included (MySQL's `utf8` is 3 bytes).
        charset: 'utf8mb4_unicode_ci',
        // DATETIME columns hold UTC, whatever the time zone of the server or of this process.
        timezone: 'Z',
        // mysql2 pool options: keep idle sockets alive through NATs and proxies that drop quiet connections.
        extra: { enableKeepAlive: true, keepAliveInitialDelay: 10_000 },
      };
  }
}

export function createUserViewsDataSource(config: UserViewStoreConfig, schema: UserViewsSchema = {}): DataSource {
  return new DataSource(userViewsDataSourceOptions(config, schema));
}

/** Connects and brings the schema up to date; the DataSource returned is ready for queries. */
export async function openUserViewsDataSource(config: UserViewStoreConfig, schema: UserViewsSchema = {}): Promise<DataSource> {
  const dataSource = createUserViewsDataSource(config, schema);
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

async function runMigrations(dataSource: DataSource): Promise<void> {
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch {
    // TypeORM checks for its migrations table and then creates it, so the second of two services
    // starting on an empty database fails there. The second attempt finds the table; a real fault
    // fails again and is thrown.
    await dataSource.runMigrations({ transaction: 'each' });
  }
}

/** Readiness: resolves when the database answers, rejects otherwise. */
export async function pingUserViews(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
