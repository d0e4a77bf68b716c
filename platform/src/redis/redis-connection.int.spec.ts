import type Redis from 'ioredis';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { closeRedis, createRedisConnection } from './redis-connection';

describeIntegration('createRedisConnection', 'redis', (url) => {
  const opened: Redis[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connection) => closeRedis(connection)));
  });

  // Subscribes in the window between the TCP connection and the ready check. With the ready check on (ioredis 5.11),
  // the INFO that follows fails in subscriber mode and the connection errors: this test then fails.
  async function subscribeWhileHandshaking(subscriber: boolean): Promise<{ connection: Redis; failure: Error[] }> {
    const failure: Error[] = [];
    const connection = createRedisConnection(url, {
      name: `test-handshake-${uniqueSuffix()}`,
      onError: (error) => failure.push(error),
      subscriber,
    });
    opened.push(connection);
    const channel = `handshake-${uniqueSuffix()}`;
    const subscribed = new Promise<unknown>((resolve, reject) =>
      connection.once('connect', () => connection.subscribe(channel).then(resolve, reject)),
    );
    await subscribed;
    return { connection, failure };
  }

  it('lets a subscriber connection subscribe before its handshake is over and still become ready', async () => {
    const { connection, failure } = await subscribeWhileHandshaking(true);
    await new Promise<void>((resolve) => (connection.status === 'ready' ? resolve() : connection.once('ready', resolve)));
    expect(connection.status).toBe('ready');
    expect(failure).toEqual([]);
  });
});
