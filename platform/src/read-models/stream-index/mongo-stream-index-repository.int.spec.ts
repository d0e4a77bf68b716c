import { MongoClient } from 'mongodb';
import { describeIntegration, uniqueSuffix } from '../../testing/integration';
import { streamIndexRepositoryContract } from './stream-index-repository.contract';
import { MongoStreamIndexRepository } from './mongo-stream-index-repository';

describeIntegration('MongoDB stream index', 'mongodb', (url) => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await new MongoClient(url).connect();
  });
  afterAll(async () => {
    await client.close();
  });
  streamIndexRepositoryContract(async () => {
    const db = client.db(`chat_test_${uniqueSuffix()}`);
    return { repository: new MongoStreamIndexRepository(db, 1), cleanup: () => db.dropDatabase().then(() => undefined) };
  });
});
