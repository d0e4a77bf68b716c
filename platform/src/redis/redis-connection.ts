// One place that knows how the Redis adapters connect to Redis and how they let go of a connection.
import Redis from 'ioredis';

export interface RedisConnectionOptions {
  /** Shown by `CLIENT LIST` on the server, so an operator can tell the connections apart. No spaces. */
  readonly name: string;
  /** Connection errors; ioredis reconnects by itself. Without it ioredis prints them to the console. */
  readonly onError?: (error: Error) => void;
  /**
   * For a connection that will only (P)SUBSCRIBE. ioredis writes SUBSCRIBE at once while its ready check (an INFO)
   * is still to come, since Redis allows it during loading; the connection is then in subscriber mode and the INFO
   * fails, which fails the connection. A subscriber connection therefore skips the ready check.
   */
  readonly subscriber?: boolean;
}

/**
 * Connects at once. While the connection is down, commands wait in the offline queue and ioredis
 * reconnects (with backoff); a command fails after three reconnection attempts instead of waiting forever.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const connection = new Redis(url, {
    connectionName: options.name,
    lazyConnect: false,
    enableReadyCheck: !options.subscriber,
    maxRetriesPerRequest: 3,
  });
  if (options.onError) connection.on('error', options.onError);
  return connection;
}

/** Closes gracefully (QUIT lets pending replies arrive), and drops the socket when that fails. Idempotent. */
export async function closeRedis(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    // Connecting or reconnecting: QUIT would wait in the offline queue for a server that may not come.
    connection.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
  await ended;
}

/** Escapes Redis glob characters (`*`, `?`, `[`, `]`, `\`) so that the text matches only itself in MATCH and PSUBSCRIBE. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
