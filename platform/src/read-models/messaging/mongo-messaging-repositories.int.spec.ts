import { type Db, MongoClient } from 'mongodb';
import { describeIntegration, uniqueSuffix } from '../../testing/integration';
import { messageHistoryRepositoryContract } from './message-history-repository.contract';
import { MongoMessageHistoryRepository } from './mongo-message-history-repository';
import { MongoRoomDetailsRepository } from './mongo-room-details-repository';
import { MongoRoomListRepository } from './mongo-room-list-repository';
import { roomDetailsRepositoryContract } from './room-details-repository.contract';
import { roomListRepositoryContract } from './room-list-repository.contract';

describeIntegration('MongoDB messaging read models', 'mongodb', (url) => {
  let client: MongoClient;
  let db: Db;
  let generation = 0;
  beforeAll(async () => {
    client = await new MongoClient(url).connect();
    db = client.db(`chat_test_${uniqueSuffix()}`);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  // One database for the suite and a generation per test: creating a database per test is slow on FerretDB.
  function fresh<R extends { drop(): Promise<void> }>(open: (db: Db, generation: number) => R) {
    return async () => {
      const repository = open(db, ++generation);
      return { repository, cleanup: () => repository.drop() };
    };
  }

  describe('message history', () => {
    messageHistoryRepositoryContract(fresh((db, g) => new MongoMessageHistoryRepository(db, g)));
  });

  describe('room list', () => {
    roomListRepositoryContract(fresh((db, g) => new MongoRoomListRepository(db, g)));
  });

  describe('room details', () => {
    roomDetailsRepositoryContract(fresh((db, g) => new MongoRoomDetailsRepository(db, g)));
  });
});
