// The user-view repositories on SQLite (embedded mode), each in a database of its own.
import type { DataSource } from 'typeorm';
import { openUserViewsDataSource } from '../../typeorm/user-views-data-source';
import { userActivityRepositoryContract } from './user-activity-repository.contract';
import { userBlocksRepositoryContract } from './user-blocks-repository.contract';
import { type RepositoryUnderTest, userDirectoryRepositoryContract } from './user-directory-repository.contract';
import { userActivityRepository, userBlocksRepository, userDirectoryRepository, userSessionsRepository } from './user-view-read-models';
import { userSessionsRepositoryContract } from './user-sessions-repository.contract';

function onSqlite<Repository>(create: (dataSource: DataSource, generation: number) => Repository): () => Promise<RepositoryUnderTest<Repository>> {
  return async () => {
    const dataSource = await openUserViewsDataSource({ kind: 'sqlite', file: ':memory:' });
    return { repository: create(dataSource, 1), cleanup: () => dataSource.destroy() };
  };
}

describe('SQLite user directory', () => userDirectoryRepositoryContract(onSqlite(userDirectoryRepository)));
describe('SQLite user sessions', () => userSessionsRepositoryContract(onSqlite(userSessionsRepository)));
describe('SQLite user blocks', () => userBlocksRepositoryContract(onSqlite(userBlocksRepository)));
describe('SQLite user activity', () => userActivityRepositoryContract(onSqlite(userActivityRepository)));
