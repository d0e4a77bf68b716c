// The key-value store of distributed mode, on Redis strings with Redis's own expiry (SET PX, PEXPIRE).
import type Redis from 'ioredis';
import { closeRedis, createRedisConnection, escapeRedisGlob } from '../redis/redis-connection';
import { KeyValueStore, SetOptions, assertValidTtlMs } from './key-value-store';

export interface RedisKeyValueStoreOptions {
  /** Put before every key, so deployments (and test runs) sharing one Redis do not see each other's keys. */
  readonly keyPrefix?: string;
  /** The connection's name in `CLIENT LIST`. */
  readonly connectionName?: string;
  /** Connection errors (ioredis reconnects by itself). */
  readonly onConnectionError?: (error: Error) => void;
}

export class RedisKeyValueStore implements KeyValueStore {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private closing: Promise<void> | undefined;

  constructor(url: string, options: RedisKeyValueStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? '';
    this.redis = createRedisConnection(url, {
      name: options.connectionName ?? 'chat-key-value',
      onError: options.onConnectionError,
    });
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return (await this.redis.get(this.keyOf(key))) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    this.assertOpen();
    // MGET needs at least one key.
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map((key) => this.keyOf(key)));
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.assertOpen();
    if (options.ttlMs === undefined) {
      await this.redis.set(this.keyOf(key), value);
    } else {
      assertValidTtlMs(options.ttlMs);
      await this.redis.set(this.keyOf(key), value, 'PX', options.ttlMs);
    }
  }

  async setIfAbsent(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    this.assertOpen();
    if (options.ttlMs === undefined) return (await this.redis.set(this.keyOf(key), value, 'NX')) === 'OK';
    assertValidTtlMs(options.ttlMs);
    return (await this.redis.set(this.keyOf(key), value, 'PX', options.ttlMs, 'NX')) === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    this.assertOpen();
    return (await this.redis.del(this.keyOf(key))) === 1;
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertValidTtlMs(ttlMs);
    return (await this.redis.pexpire(this.keyOf(key), ttlMs)) === 1;
  }

  async increment(key: string, by: number, options: SetOptions = {}): Promise<number> {
    this.assertOpen();
    if (!Number.isSafeInteger(by)) throw new RangeError(`Can only increment by a whole number; got ${by}`);
    if (options.ttlMs === undefined) return this.redis.incrby(this.keyOf(key), by);
    assertValidTtlMs(options.ttlMs);
    // MULTI so that no other client sees the new value without its lifetime. Redis does not roll back a MULTI:
    // when INCRBY fails (the value is not an integer) the key keeps its value but PEXPIRE still gives it the new TTL.
    const replies = await this.redis
      .multi()
      .incrby(this.keyOf(key), by)
      .pexpire(this.keyOf(key), options.ttlMs)
      .exec();
    const [error, value] = replies?.[0] ?? [new Error('The increment transaction was aborted'), undefined];
    if (error) throw error;
    return Number(value);
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    this.assertOpen();
    const match = `${escapeRedisGlob(this.keyPrefix + prefix)}*`;
    // SCAN may return a key more than once (when the table is resized meanwhile): hence the set.
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      for (const key of batch) keys.add(key.slice(this.keyPrefix.length));
      cursor = next;
    } while (cursor !== '0');
    return [...keys];
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.redis.ping();
  }

  close(): Promise<void> {
    this.closing ??= closeRedis(this.redis);
    return this.closing;
  }

  private keyOf(key: string): string {
    return this.keyPrefix + key;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The key-value store is closed');
  }
}
