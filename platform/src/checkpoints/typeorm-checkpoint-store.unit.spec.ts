import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { uniqueSuffix } from '../testing/integration';
import { openUserViewsDataSource, pingUserViews } from '../typeorm/user-views-data-source';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { TypeormCheckpointStore } from './typeorm-checkpoint-store';

async function openTemporary(): Promise<{ dataSource: DataSource; file: string; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chat-user-views-${uniqueSuffix()}-`));
  const file = path.join(dir, 'users.db');
  const dataSource = await openUserViewsDataSource({ kind: 'sqlite', file });
  return {
    dataSource,
    file,
    cleanup: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('TypeormCheckpointStore on SQLite', () => {
  checkpointStoreContract(async () => {
    const { dataSource, cleanup } = await openTemporary();
    return { store: new TypeormCheckpointStore(dataSource), cleanup };
  });

  describe('its data source', () => {
    let opened: Awaited<ReturnType<typeof openTemporary>>;
    beforeEach(async () => {
      opened = await openTemporary();
    });
    afterEach(() => opened.cleanup());

    it('opens the file in WAL mode with a busy timeout, and answers the readiness ping', async () => {
      const { dataSource } = opened;
      expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: 10000 }]);
      expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
      await expect(pingUserViews(dataSource)).resolves.toBeUndefined();
    });

    it('keeps checkpoints when opened again, without running the migration twice', async () => {
      const { dataSource, file } = opened;
      await new TypeormCheckpointStore(dataSource).save('user-directory', 4);
      await dataSource.destroy();
      const reopened = await openUserViewsDataSource({ kind: 'sqlite', file });
      try {
        expect((await new TypeormCheckpointStore(reopened).read('user-directory'))?.position).toBe(4);
        expect(await reopened.query('SELECT name FROM user_views_migrations')).toEqual([
          { name: 'CreateProjectionCheckpoints1767225600000' },
        ]);
      } finally {
        await reopened.destroy();
      }
    });

    it('rolls a checkpoint saved in a transaction back with it', async () => {
      const { dataSource } = opened;
      await new TypeormCheckpointStore(dataSource).save('user-directory', 4);
      await expect(
        dataSource.transaction(async (manager) => {
          await new TypeormCheckpointStore(manager).save('user-directory', 5);
          throw new Error('the read model update failed');
        }),
      ).rejects.toThrow('the read model update failed');
      expect((await new TypeormCheckpointStore(dataSource).read('user-directory'))?.position).toBe(4);
    });
  });
});
