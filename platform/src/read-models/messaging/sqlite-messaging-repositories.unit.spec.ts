import { openSqlite } from '../../sqlite/sqlite-database';
import { messageHistoryRepositoryContract } from './message-history-repository.contract';
import { roomDetailsRepositoryContract } from './room-details-repository.contract';
import { roomListRepositoryContract } from './room-list-repository.contract';
import { SqliteMessageHistoryRepository } from './sqlite-message-history-repository';
import { SqliteRoomDetailsRepository } from './sqlite-room-details-repository';
import { SqliteRoomListRepository } from './sqlite-room-list-repository';

function inMemory<R>(open: (db: ReturnType<typeof openSqlite>) => R) {
  return async () => {
    const db = openSqlite(':memory:');
    return { repository: open(db), cleanup: async () => void db.close() };
  };
}

describe('SQLite message history', () => {
  messageHistoryRepositoryContract(inMemory((db) => new SqliteMessageHistoryRepository(db, 1)));
});

describe('SQLite room list', () => {
  roomListRepositoryContract(inMemory((db) => new SqliteRoomListRepository(db, 1)));
});

describe('SQLite room details', () => {
  roomDetailsRepositoryContract(inMemory((db) => new SqliteRoomDetailsRepository(db, 1)));
});
