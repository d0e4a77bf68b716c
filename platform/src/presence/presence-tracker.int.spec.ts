import { RedisKeyValueStore } from '../key-value/redis-key-value-store';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { presenceTrackerContract } from './presence-tracker.contract';

describeIntegration('PresenceTracker on Redis', 'redis', (url) => {
  presenceTrackerContract(async () => {
    // Each test has keys of its own, and removes them (listing under '' lists every key of the prefix).
    const store = new RedisKeyValueStore(url, { keyPrefix: `test:${uniqueSuffix()}:` });
    return {
      store,
      cleanup: async () => {
        await Promise.all((await store.keysWithPrefix('')).map((key) => store.delete(key)));
        await store.close();
      },
    };
  });
});
