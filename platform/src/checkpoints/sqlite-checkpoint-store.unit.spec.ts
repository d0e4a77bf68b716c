import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite, writeTransaction, type SqliteDatabase } from '../sqlite/sqlite-database';
import { uniqueSuffix } from '../testing/integration';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

async function openTemporary(): Promise<{ db: SqliteDatabase; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chat-checkpoints-${uniqueSuffix()}-`));
  const db = openSqlite(path.join(dir, 'chat.db'));
  return {
    db,
    cleanup: async () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('SqliteCheckpointStore', () => {
  checkpointStoreContract(async () => {
    const { db, cleanup } = await openTemporary();
    return { store: new SqliteCheckpointStore(db), cleanup };
  });

  describe('inside the projection processor’s transaction', () => {
    let db: SqliteDatabase;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ db, cleanup } = await openTemporary());
    });
    afterEach(() => cleanup());

    it('commits the checkpoint with the read model', async () => {
      const store = new SqliteCheckpointStore(db);
      db.exec('CREATE TABLE room_names (id TEXT PRIMARY KEY, name TEXT)');
      writeTransaction(db, () => {
        db.prepare('INSERT INTO room_names VALUES (?, ?)').run('room-1', 'general');
        store.saveSync('rooms', 12);
      });
      expect((await store.read('rooms'))?.position).toBe(12);
    });

    it('rolls the checkpoint back with the read model', async () => {
      const store = new SqliteCheckpointStore(db);
      await store.save('rooms', 11);
      expect(() =>
        writeTransaction(db, () => {
          store.saveSync('rooms', 12);
          throw new Error('the read model update failed');
        }),
      ).toThrow('the read model update failed');
      expect((await store.read('rooms'))?.position).toBe(11);
    });

    it('finds the checkpoints again when the store is built over an existing database', async () => {
      await new SqliteCheckpointStore(db).save('rooms', 5);
      expect((await new SqliteCheckpointStore(db).read('rooms'))?.position).toBe(5);
    });
  });
});
