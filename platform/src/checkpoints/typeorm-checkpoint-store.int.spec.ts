import mysql from 'mysql2/promise';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { openUserViewsDataSource, pingUserViews } from '../typeorm/user-views-data-source';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { TypeormCheckpointStore } from './typeorm-checkpoint-store';

describeIntegration('TypeormCheckpointStore on MySQL', 'mysql', (url) => {
  let admin: mysql.Connection;
  beforeAll(async () => {
    admin = await mysql.createConnection(url);
  });
  afterAll(() => admin.end());

  /** An empty database of its own, created with the server's default character set on purpose: the table must not depend on it. */
  async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
    const name = `chat_checkpoints_${uniqueSuffix()}`;
    await admin.query(`CREATE DATABASE \`${name}\``);
    const databaseUrl = new URL(url);
    databaseUrl.pathname = `/${name}`;
    return { url: databaseUrl.toString(), drop: async () => void (await admin.query(`DROP DATABASE \`${name}\``)) };
  }

  checkpointStoreContract(async () => {
    const database = await createDatabase();
    const dataSource = await openUserViewsDataSource({ kind: 'mysql', url: database.url });
    return {
      store: new TypeormCheckpointStore(dataSource),
      cleanup: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  });

  describe('its data source', () => {
    let database: Awaited<ReturnType<typeof createDatabase>>;
    beforeEach(async () => {
      database = await createDatabase();
    });
    afterEach(() => database.drop());

    it('creates the schema when two services open an empty database at once, and answers the readiness ping', async () => {
      const both = await Promise.allSettled([
        openUserViewsDataSource({ kind: 'mysql', url: database.url }),
        openUserViewsDataSource({ kind: 'mysql', url: database.url }),
      ]);
      const opened = both.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      try {
        expect(both.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
        for (const dataSource of opened) await expect(pingUserViews(dataSource)).resolves.toBeUndefined();
        await new TypeormCheckpointStore(opened[0]!).save('user-directory', 3);
        expect((await new TypeormCheckpointStore(opened[1]!).read('user-directory'))?.position).toBe(3);
      } finally {
        for (const dataSource of opened) await dataSource.destroy();
      }
    });

    it('stores times in UTC, whatever the server’s or this process’s time zone', async () => {
      const dataSource = await openUserViewsDataSource({ kind: 'mysql', url: database.url });
      try {
        await new TypeormCheckpointStore(dataSource).markFailed('user-directory', {
          position: 1,
          eventId: 'e1',
          eventType: 'UserRegistered',
          streamId: 'user-1',
          message: 'boom',
          failedAt: new Date('2025-03-04T05:06:07.089Z'),
        });
        expect(await dataSource.query('SELECT CAST(failed_at AS CHAR) AS failedAt FROM projection_checkpoints')).toEqual([
          { failedAt: '2025-03-04 05:06:07.089' },
        ]);
      } finally {
        await dataSource.destroy();
      }
    });

    it('rolls a checkpoint saved in a transaction back with it', async () => {
      const dataSource = await openUserViewsDataSource({ kind: 'mysql', url: database.url });
      try {
        await new TypeormCheckpointStore(dataSource).save('user-directory', 4);
        await expect(
          dataSource.transaction(async (manager) => {
            await new TypeormCheckpointStore(manager).save('user-directory', 5);
            throw new Error('the read model update failed');
          }),
        ).rejects.toThrow('the read model update failed');
        expect((await new TypeormCheckpointStore(dataSource).read('user-directory'))?.position).toBe(4);
      } finally {
        await dataSource.destroy();
      }
    });
  });
});
