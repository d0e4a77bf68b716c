import Redis from 'ioredis';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { closeRedis, escapeRedisGlob } from '../redis/redis-connection';
import { keyValueStoreContract } from './key-value-store.contract';
import { RedisKeyValueStore } from './redis-key-value-store';

describeIntegration('RedisKeyValueStore', 'redis', (url) => {
  // A plain connection that looks at Redis from outside the adapter, and removes what a test left behind.
  let observer: Redis;

  beforeAll(() => {
    observer = new Redis(url);
  });

  afterAll(async () => {
    await closeRedis(observer);
  });

  async function removeKeys(keyPrefix: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await observer.scan(cursor, 'MATCH', `${escapeRedisGlob(keyPrefix)}*`, 'COUNT', 1000);
      if (keys.length > 0) await observer.unlink(keys);
      cursor = next;
    } while (cursor !== '0');
  }

  keyValueStoreContract(async () => {
    const keyPrefix = `test:${uniqueSuffix()}:`;
    const store = new RedisKeyValueStore(url, { keyPrefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await removeKeys(keyPrefix);
      },
    };
  });

  describe('key prefix', () => {
    let keyPrefix: string;
    let neighbourPrefix: string;
    let store: RedisKeyValueStore;
    let neighbour: RedisKeyValueStore;

    beforeEach(() => {
      keyPrefix = `test:${uniqueSuffix()}:`;
      neighbourPrefix = `test:${uniqueSuffix()}:`;
      store = new RedisKeyValueStore(url, { keyPrefix });
      neighbour = new RedisKeyValueStore(url, { keyPrefix: neighbourPrefix });
    });

    afterEach(async () => {
      await Promise.all([store.close(), neighbour.close()]);
      await Promise.all([removeKeys(keyPrefix), removeKeys(neighbourPrefix)]);
    });

    it('stores every key under the prefix, with its time to live in Redis', async () => {
      await store.set('session:1', 'token', { ttlMs: 5_000 });

      expect(await observer.get(`${keyPrefix}session:1`)).toBe('token');
      const ttl = await observer.pttl(`${keyPrefix}session:1`);
      expect(ttl).toBeGreaterThan(4_000);
      expect(ttl).toBeLessThanOrEqual(5_000);
    });

    it('neither sees nor lists the keys of a store with another prefix', async () => {
      await neighbour.set('session:1', 'theirs');

      expect(await store.get('session:1')).toBeUndefined();
      expect(await store.keysWithPrefix('session:')).toEqual([]);
      expect(await store.setIfAbsent('session:1', 'ours')).toBe(true);
      expect(await neighbour.get('session:1')).toBe('theirs');
    });
  });
});
