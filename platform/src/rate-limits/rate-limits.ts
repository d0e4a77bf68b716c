// Rate limits on rate-limiter-flexible, counted in memory (embedded) or in Redis (distributed, so every
// instance of a service shares the counts). Which backend is picked once, in Infrastructure; the limits
// themselves only know the policy they enforce. A refusal is the contract's 429 with Retry-After.
import type Redis from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitPolicy } from '../config/config';
import { ApiError } from '../http/api-error';
import { closeRedis, createRedisConnection } from '../redis/redis-connection';

/** Every request counts: the limit on how often anyone may try. */
export interface RequestLimit {
  /** Counts one request for `key`, or throws a 429 ApiError when its points are used up. */
  consume(key: string): Promise<void>;
}

/**
 * Only failures count: the limit on guessing. Once the points are used up within the window, the key is
 * blocked for the policy's block time and then starts afresh, so an attacked account is never locked for good.
 */
export interface FailureLimit {
  /** Throws a 429 ApiError while `key` is blocked; counts nothing. */
  assertNotBlocked(key: string): Promise<void>;
  recordFailure(key: string): Promise<void>;
  /** A success forgets the failures so far. */
  reset(key: string): Promise<void>;
}

type LimiterFactory = (keyPrefix: string, policy: RateLimitPolicy) => RateLimiterAbstract;

export class RateLimits {
  private constructor(
    private readonly createLimiter: LimiterFactory,
    readonly ping: () => Promise<void>,
    readonly close: () => Promise<void>,
  ) {}

  static inProcess(): RateLimits {
    return new RateLimits(
      (keyPrefix, policy) => new RateLimiterMemory({ keyPrefix, ...limiterOptions(policy) }),
      async () => undefined,
      async () => undefined,
    );
  }

  /** `keyPrefix` separates deployments (and test runs) sharing one Redis. */
  static redis(url: string, options: { connectionName: string; keyPrefix?: string; onConnectionError?: (error: Error) => void }): RateLimits {
    const redis: Redis = createRedisConnection(url, { name: options.connectionName, onError: options.onConnectionError });
    const prefix = options.keyPrefix ?? '';
    return new RateLimits(
      (keyPrefix, policy) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}${keyPrefix}`, ...limiterOptions(policy) }),
      async () => void (await redis.ping()),
      () => closeRedis(redis),
    );
  }

  /** `name` keeps the counts of different limits apart. */
  requests(name: string, policy: RateLimitPolicy): RequestLimit {
    const limiter = this.createLimiter(`rate-limit:${name}`, policy);
    return {
      consume: async (key) => {
        try {
          await limiter.consume(key);
        } catch (refusal) {
          throw asApiError(refusal);
        }
      },
    };
  }

  failures(name: string, policy: RateLimitPolicy): FailureLimit {
    // Blocking is done here rather than by the library's blockDuration, which only starts on the
    // attempt after the last allowed one: here the last allowed failure itself starts the block.
    const limiter = this.createLimiter(`rate-limit:${name}`, { points: policy.points, durationSeconds: policy.durationSeconds });
    return {
      assertNotBlocked: async (key) => {
        const counted = await limiter.get(key);
        if (counted && counted.remainingPoints <= 0) throw ApiError.rateLimited(counted.msBeforeNext / 1000);
      },
      recordFailure: async (key) => {
        try {
          const counted = await limiter.consume(key);
          if (counted.remainingPoints <= 0 && policy.blockSeconds) await limiter.block(key, policy.blockSeconds);
        } catch (refusal) {
          // Already blocked: a failure during the block changes nothing.
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
        }
      },
      reset: async (key) => {
        await limiter.delete(key);
      },
    };
  }
}

function limiterOptions(policy: RateLimitPolicy): { points: number; duration: number; blockDuration?: number } {
  return { points: policy.points, duration: policy.durationSeconds, ...(policy.blockSeconds ? { blockDuration: policy.blockSeconds } : {}) };
}

/** The library rejects with its result when refusing, and with an Error when its store fails. */
function asApiError(refusal: unknown): unknown {
  return refusal instanceof RateLimiterRes ? ApiError.rateLimited(refusal.msBeforeNext / 1000) : refusal;
}
