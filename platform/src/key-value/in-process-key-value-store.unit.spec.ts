import { InProcessKeyValueStore } from './in-process-key-value-store';
import { keyValueStoreContract } from './key-value-store.contract';

describe('InProcessKeyValueStore', () => {
  keyValueStoreContract(async () => {
    const store = new InProcessKeyValueStore();
    return { store, cleanup: () => store.close() };
  });

  describe('with its own clock', () => {
    let now: number;
    let store: InProcessKeyValueStore;

    beforeEach(() => {
      now = 1_000_000;
      store = new InProcessKeyValueStore({ now: () => now });
    });

    afterEach(async () => {
      await store.close();
    });

    it('keeps a key for exactly its time to live', async () => {
      await store.set('presence:1', 'online', { ttlMs: 100 });

      now += 99;
      expect(await store.get('presence:1')).toBe('online');
      now += 1;
      expect(await store.get('presence:1')).toBeUndefined();
    });

    it('counts an expire from the moment it is called', async () => {
      await store.set('session:1', 'token', { ttlMs: 100 });
      now += 80;
      await store.expire('session:1', 100);

      now += 99;
      expect(await store.keysWithPrefix('session:')).toEqual(['session:1']);
      now += 1;
      expect(await store.keysWithPrefix('session:')).toEqual([]);
    });

    it('lets setIfAbsent take a key whose lifetime ended', async () => {
      await store.setIfAbsent('lock:room.1', 'node-a', { ttlMs: 100 });
      now += 100;

      expect(await store.setIfAbsent('lock:room.1', 'node-b')).toBe(true);
      expect(await store.get('lock:room.1')).toBe('node-b');
    });
  });
});
