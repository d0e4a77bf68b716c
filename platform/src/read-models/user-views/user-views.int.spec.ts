// The user-view repositories on MySQL (MariaDB here), as the distributed deployment runs them. Every
// repository gets a generation no other run uses, so its table is its own; cleanup drops it.
import type { DataSource } from 'typeorm';
import { describeIntegration } from '../../testing/integration';
import { openUserViewsDataSource } from '../../typeorm/user-views-data-source';
import { userActivityRepositoryContract } from './user-activity-repository.contract';
import { userBlocksRepositoryContract } from './user-blocks-repository.contract';
import { type RepositoryUnderTest, userDirectoryRepositoryContract } from './user-directory-repository.contract';
import { userActivityRepository, userBlocksRepository, userDirectoryRepository, userSessionsRepository } from './user-view-read-models';
import { userSessionsRepositoryContract } from './user-sessions-repository.contract';

describeIntegration('MySQL user views', 'mysql', (url) => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await openUserViewsDataSource({ kind: 'mysql', url });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  const onMysql =
    <Repository extends { drop(): Promise<void> }>(create: (dataSource: DataSource, generation: number) => Repository) =>
    async (): Promise<RepositoryUnderTest<Repository>> => {
      const repository = create(dataSource, 1_000_000 + Math.floor(Math.random() * 1_000_000_000));
      return { repository, cleanup: () => repository.drop() };
    };

  describe('user directory', () => userDirectoryRepositoryContract(onMysql(userDirectoryRepository)));
  describe('user sessions', () => userSessionsRepositoryContract(onMysql(userSessionsRepository)));
  describe('user blocks', () => userBlocksRepositoryContract(onMysql(userBlocksRepository)));
  describe('user activity', () => userActivityRepositoryContract(onMysql(userActivityRepository)));
});
