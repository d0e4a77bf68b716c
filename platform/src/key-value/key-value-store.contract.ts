// The behaviour every KeyValueStore adapter must show. Expiry is tested with real time: short lifetimes and a wait
// well past them, because an adapter whose clock or TTL unit is wrong must fail here.
import { KeyValueStore } from './key-value-store';

export interface KeyValueStoreFixture {
  readonly store: KeyValueStore;
  cleanup(): Promise<void>;
}

const TTL_MS = 150;
const PAST_TTL_MS = 400;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (keys: string[]): string[] => [...keys].sort();

export function keyValueStoreContract(makeStore: () => Promise<KeyValueStoreFixture>): void {
  let fixture: KeyValueStoreFixture;
  let store: KeyValueStore;

  beforeEach(async () => {
    fixture = await makeStore();
    store = fixture.store;
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  describe('get and set', () => {
    it('returns undefined for a key never set', async () => {
      expect(await store.get('session:none')).toBeUndefined();
    });

    it('returns what was set, and the newer value after an overwrite', async () => {
      await store.set('session:1', 'first');
      expect(await store.get('session:1')).toBe('first');

      await store.set('session:1', 'second');
      expect(await store.get('session:1')).toBe('second');
    });

    it('keeps an empty string apart from a missing key', async () => {
      await store.set('session:1', '');

      expect(await store.get('session:1')).toBe('');
      expect(await store.getMany(['session:1'])).toEqual(['']);
    });

    it('keeps unicode keys and values intact', async () => {
      const value = 'héllo wörld — 你好, Привет 👋🏽 👨‍👩‍👧 "quoted" \\ \n';
      await store.set('typing:комната:🔑', value);

      expect(await store.get('typing:комната:🔑')).toBe(value);
      expect(await store.keysWithPrefix('typing:комната:')).toEqual(['typing:комната:🔑']);
    });

    it('forgets a key once its time to live has passed', async () => {
      await store.set('presence:1', 'online', { ttlMs: TTL_MS });
      expect(await store.get('presence:1')).toBe('online');

      await sleep(PAST_TTL_MS);

      expect(await store.get('presence:1')).toBeUndefined();
    });

    it('makes a key live until deleted when it is set again without a time to live', async () => {
      await store.set('presence:1', 'online', { ttlMs: TTL_MS });
      await store.set('presence:1', 'away');

      await sleep(PAST_TTL_MS);

      expect(await store.get('presence:1')).toBe('away');
    });

    it('rejects a time to live that is not a whole number of milliseconds above 0', async () => {
      for (const ttlMs of [0, -5, 1.5, Number.NaN]) {
        await expect(store.set('presence:1', 'online', { ttlMs })).rejects.toThrow(RangeError);
        await expect(store.setIfAbsent('presence:1', 'online', { ttlMs })).rejects.toThrow(RangeError);
      }
      expect(await store.get('presence:1')).toBeUndefined();
    });
  });

  describe('getMany', () => {
    it('returns the values in the order asked, with undefined for missing and expired keys', async () => {
      await store.set('user:1', 'ada');
      await store.set('user:3', 'grace');
      await store.set('user:4', 'gone soon', { ttlMs: TTL_MS });
      await sleep(PAST_TTL_MS);

      expect(await store.getMany(['user:3', 'user:2', 'user:1', 'user:4', 'user:3'])).toEqual([
        'grace',
        undefined,
        'ada',
        undefined,
        'grace',
      ]);
    });

    it('returns nothing for no keys', async () => {
      expect(await store.getMany([])).toEqual([]);
    });
  });

  describe('setIfAbsent', () => {
    it('sets a missing key, then refuses and keeps the first value, then sets again once the key expired', async () => {
      expect(await store.setIfAbsent('lock:room.1', 'node-a', { ttlMs: TTL_MS })).toBe(true);
      expect(await store.setIfAbsent('lock:room.1', 'node-b', { ttlMs: TTL_MS })).toBe(false);
      expect(await store.get('lock:room.1')).toBe('node-a');

      await sleep(PAST_TTL_MS);

      expect(await store.setIfAbsent('lock:room.1', 'node-b')).toBe(true);
      expect(await store.get('lock:room.1')).toBe('node-b');
    });

    it('refuses a key set by set, even one without a time to live', async () => {
      await store.set('lock:room.1', 'node-a');

      expect(await store.setIfAbsent('lock:room.1', 'node-b')).toBe(false);
      expect(await store.get('lock:room.1')).toBe('node-a');
    });
  });

  describe('delete', () => {
    it('says whether the key existed, and removes it', async () => {
      await store.set('session:1', 'token');

      expect(await store.delete('session:1')).toBe(true);
      expect(await store.get('session:1')).toBeUndefined();
      expect(await store.delete('session:1')).toBe(false);
      expect(await store.delete('session:never')).toBe(false);
    });

    it('says false for a key that has expired', async () => {
      await store.set('session:1', 'token', { ttlMs: TTL_MS });
      await sleep(PAST_TTL_MS);

      expect(await store.delete('session:1')).toBe(false);
    });
  });

  describe('expire', () => {
    it('says false for a missing key and does not create it', async () => {
      expect(await store.expire('session:none', 5_000)).toBe(false);
      expect(await store.get('session:none')).toBeUndefined();
    });

    it('shortens the life of a key that had none', async () => {
      await store.set('session:1', 'token');

      expect(await store.expire('session:1', TTL_MS)).toBe(true);
      expect(await store.get('session:1')).toBe('token');
      await sleep(PAST_TTL_MS);

      expect(await store.get('session:1')).toBeUndefined();
    });

    it('lengthens the life of a key that was about to expire', async () => {
      await store.set('session:1', 'token', { ttlMs: TTL_MS });

      expect(await store.expire('session:1', 5_000)).toBe(true);
      await sleep(PAST_TTL_MS);

      expect(await store.get('session:1')).toBe('token');
    });

    it('rejects a time to live that is not a whole number of milliseconds above 0', async () => {
      await store.set('session:1', 'token');

      await expect(store.expire('session:1', 0)).rejects.toThrow(RangeError);
      expect(await store.get('session:1')).toBe('token');
    });
  });

  describe('increment', () => {
    it('counts a missing key as 0 and returns each new value', async () => {
      expect(await store.increment('rate:user.1', 1)).toBe(1);
      expect(await store.increment('rate:user.1', 5)).toBe(6);
      expect(await store.increment('rate:user.1', -10)).toBe(-4);
      expect(await store.get('rate:user.1')).toBe('-4');
    });

    it('adds to an integer stored by set', async () => {
      await store.set('rate:user.1', '41');

      expect(await store.increment('rate:user.1', 1)).toBe(42);
    });

    it('gives the key the time to live passed with it, and starts again from 0 after it', async () => {
      expect(await store.increment('rate:user.1', 3, { ttlMs: TTL_MS })).toBe(3);
      await sleep(PAST_TTL_MS);

      expect(await store.get('rate:user.1')).toBeUndefined();
      expect(await store.increment('rate:user.1', 1)).toBe(1);
    });

    it('renews the time to live when one is passed again', async () => {
      await store.increment('rate:user.1', 1, { ttlMs: TTL_MS });
      await store.increment('rate:user.1', 1, { ttlMs: 5_000 });
      await sleep(PAST_TTL_MS);

      expect(await store.get('rate:user.1')).toBe('2');
    });

    it('keeps the lifetime the key had when no time to live is passed', async () => {
      await store.increment('rate:user.1', 1, { ttlMs: TTL_MS });
      expect(await store.increment('rate:user.1', 1)).toBe(2);
      await sleep(PAST_TTL_MS);

      expect(await store.get('rate:user.1')).toBeUndefined();
    });

    it('rejects a value that is not an integer, and a step that is not one', async () => {
      await store.set('rate:user.1', 'twelve');
      await store.set('rate:user.2', '1.5');

      await expect(store.increment('rate:user.1', 1)).rejects.toThrow();
      await expect(store.increment('rate:user.2', 1)).rejects.toThrow();
      await expect(store.increment('rate:user.3', 1.5)).rejects.toThrow(RangeError);
      expect(await store.get('rate:user.1')).toBe('twelve');
      expect(await store.get('rate:user.3')).toBeUndefined();
    });
  });

  describe('keysWithPrefix', () => {
    it('returns every live key that starts with the prefix, and only those', async () => {
      await store.set('typing:room.1:ada', '1');
      await store.set('typing:room.1:grace', '1', { ttlMs: 5_000 });
      await store.set('typing:room.1:gone', '1', { ttlMs: TTL_MS });
      await store.set('typing:room.10:alan', '1');
      await store.set('typing:room.2:ada', '1');
      await store.set('presence:typing:room.1:x', '1');
      await sleep(PAST_TTL_MS);

      expect(sorted(await store.keysWithPrefix('typing:room.1:'))).toEqual([
        'typing:room.1:ada',
        'typing:room.1:grace',
      ]);
      expect(sorted(await store.keysWithPrefix('typing:room.1'))).toEqual(
        sorted(['typing:room.1:ada', 'typing:room.1:grace', 'typing:room.10:alan']),
      );
      expect(await store.keysWithPrefix('typing:room.3')).toEqual([]);
    });

    it('takes *, ?, [ and \\ in the prefix literally', async () => {
      for (const key of ['a*b:1', 'axb:1', 'a?:1', 'ab:1', '[ab]:1', 'a:1', 'b:1', 'a\\x:1', 'ax:1']) {
        await store.set(key, '1');
      }

      expect(await store.keysWithPrefix('a*')).toEqual(['a*b:1']);
      expect(await store.keysWithPrefix('a?')).toEqual(['a?:1']);
      expect(await store.keysWithPrefix('[ab]')).toEqual(['[ab]:1']);
      expect(await store.keysWithPrefix('a\\x')).toEqual(['a\\x:1']);
    });

    it('finds every one of many keys', async () => {
      // More than one SCAN batch of the Redis adapter holds.
      const keys = Array.from({ length: 2_500 }, (_, n) => `session:${n}`);
      await Promise.all(keys.map((key) => store.set(key, 'token')));
      await store.set('sessions', 'not under the prefix');

      expect(sorted(await store.keysWithPrefix('session:'))).toEqual(sorted(keys));
    });
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('can be closed more than once, and refuses work once closed', async () => {
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();

    await expect(store.get('session:1')).rejects.toThrow();
    await expect(store.set('session:1', 'token')).rejects.toThrow();
    await expect(store.ping()).rejects.toThrow();
  });
}
