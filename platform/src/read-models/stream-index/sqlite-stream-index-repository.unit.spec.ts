import { openSqlite } from '../../sqlite/sqlite-database';
import { streamIndexRepositoryContract } from './stream-index-repository.contract';
import { SqliteStreamIndexRepository } from './sqlite-stream-index-repository';

describe('SQLite stream index', () => {
  streamIndexRepositoryContract(async () => {
    const db = openSqlite(':memory:');
    return { repository: new SqliteStreamIndexRepository(db, 1), cleanup: async () => void db.close() };
  });
});
