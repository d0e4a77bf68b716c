import { connectMongo, databaseNameFromMongoUrl, pingMongo, type MongoConnection } from '../mongo/mongo-connection';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { MongoCheckpointStore } from './mongo-checkpoint-store';

describeIntegration('MongoCheckpointStore', 'mongodb', (url) => {
  let connection: MongoConnection;
  beforeAll(async () => {
    connection = await connectMongo(url, { appName: 'checkpoint-store-spec' });
  });
  afterAll(() => connection.close());

  // A database of its own for each test, dropped afterwards.
  checkpointStoreContract(async () => {
    const db = connection.client.db(`chat_checkpoints_${uniqueSuffix()}`);
    return { store: new MongoCheckpointStore(db), cleanup: async () => void (await db.dropDatabase()) };
  });

  describe('connectMongo', () => {
    it('uses the database named in the URL and answers the readiness ping', async () => {
      expect(connection.db.databaseName).toBe(databaseNameFromMongoUrl(url));
      await expect(pingMongo(connection.db)).resolves.toBeUndefined();
    });

    it('lets the caller choose another database', async () => {
      const dbName = `chat_other_${uniqueSuffix()}`;
      const other = await connectMongo(url, { appName: 'checkpoint-store-spec', dbName });
      try {
        expect(other.db.databaseName).toBe(dbName);
      } finally {
        await other.close();
      }
    });
  });
});

describe('databaseNameFromMongoUrl', () => {
  it.each([
    ['mongodb://127.0.0.1:27017/chat', 'chat'],
    ['mongodb://user:p%40ss@a:1,b:2/chat?replicaSet=rs0', 'chat'],
    ['mongodb+srv://cluster.example.com/chat-prod?retryWrites=true', 'chat-prod'],
    ['mongodb://127.0.0.1:27017/', undefined],
    ['mongodb://127.0.0.1:27017', undefined],
    ['mongodb://127.0.0.1:27017/?appName=x', undefined],
  ])('reads %s as %s', (url, name) => {
    expect(databaseNameFromMongoUrl(url)).toBe(name);
  });

  it('refuses to connect without a database name', async () => {
    await expect(connectMongo('mongodb://127.0.0.1:1/', { appName: 'spec' })).rejects.toThrow('names no database');
  });
});
