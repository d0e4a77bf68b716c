// The user-view read models (TypeORM: SQLite embedded, MySQL distributed): their names, one repository
// per generation, and the checkpoint store their generations and live pointers are kept in.
import type { DataSource } from 'typeorm';
import type { CheckpointStore } from '../../checkpoints/checkpoint-store';
import { TypeormCheckpointStore } from '../../checkpoints/typeorm-checkpoint-store';
import { TypeormUserActivityRepository } from './typeorm-user-activity-repository';
import { TypeormUserBlocksRepository } from './typeorm-user-blocks-repository';
import { TypeormUserDirectoryRepository } from './typeorm-user-directory-repository';
import { TypeormUserSessionsRepository } from './typeorm-user-sessions-repository';
import type { UserActivityRepository } from './user-activity-repository';
import type { UserBlocksRepository } from './user-blocks-repository';
import type { UserDirectoryRepository } from './user-directory-repository';
import type { UserSessionsRepository } from './user-sessions-repository';

export const USER_DIRECTORY = 'user-directory';
export const USER_SESSIONS = 'user-sessions';
export const USER_BLOCKS = 'user-blocks';
export const USER_ACTIVITY = 'user-activity';

export function userDirectoryRepository(dataSource: DataSource, generation: number): UserDirectoryRepository {
  return new TypeormUserDirectoryRepository(dataSource, generation);
}

export function userSessionsRepository(dataSource: DataSource, generation: number): UserSessionsRepository {
  return new TypeormUserSessionsRepository(dataSource, generation);
}

export function userBlocksRepository(dataSource: DataSource, generation: number): UserBlocksRepository {
  return new TypeormUserBlocksRepository(dataSource, generation);
}

export function userActivityRepository(dataSource: DataSource, generation: number): UserActivityRepository {
  return new TypeormUserActivityRepository(dataSource, generation);
}

export function userViewCheckpoints(dataSource: DataSource): CheckpointStore {
  return new TypeormCheckpointStore(dataSource);
}
