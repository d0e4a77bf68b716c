import Redis from 'ioredis';
import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { closeRedis } from '../redis/redis-connection';
import { ChangeMessage } from './change-feed';
import { changeFeedContract } from './change-feed.contract';
import { RedisChangeFeed } from './redis-change-feed';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(10);
  }
}

describeIntegration('RedisChangeFeed', 'redis', (url) => {
  // A plain connection that looks at Redis from outside the adapter.
  let observer: Redis;
  const opened: RedisChangeFeed[] = [];

  function openFeed(channelPrefix: string, connectionName?: string): RedisChangeFeed {
    const feed = new RedisChangeFeed(url, { channelPrefix, connectionName });
    opened.push(feed);
    return feed;
  }

  beforeAll(() => {
    observer = new Redis(url);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((feed) => feed.close()));
  });

  afterAll(async () => {
    await closeRedis(observer);
  });

  changeFeedContract(async () => {
    // Two nodes of one deployment: the same prefix, connections of their own.
    const channelPrefix = `test:${uniqueSuffix()}:`;
    const feeds: [RedisChangeFeed, RedisChangeFeed] = [openFeed(channelPrefix), openFeed(channelPrefix)];
    return { feeds, cleanup: async () => void (await Promise.all(feeds.map((feed) => feed.close()))) };
  });

  it('does not hear a feed with another channel prefix', async () => {
    const ours = openFeed(`test:${uniqueSuffix()}:`);
    const theirs = openFeed(`test:${uniqueSuffix()}:`);
    const received: ChangeMessage[] = [];
    await ours.subscribe('room.*', (message) => received.push(message));

    await theirs.publish('room.1', { from: 'theirs' });
    await ours.publish('room.1', { from: 'ours' });

    await waitUntil(() => received.length === 1, 'our message arrived');
    await sleep(100);
    expect(received).toEqual([{ topic: 'room.1', payload: { from: 'ours' } }]);
  });

  it('shares one Redis subscription between the handlers of a topic and drops it with the last one', async () => {
    const channelPrefix = `test:${uniqueSuffix()}:`;
    const feed = openFeed(channelPrefix);
    const channel = `${channelPrefix}room.1`;
    const subscribers = async (): Promise<number> => {
      const [, count] = (await observer.pubsub('NUMSUB', channel)) as [string, number];
      return Number(count);
    };

    const first = await feed.subscribe('room.1', () => undefined);
    const second = await feed.subscribe('room.1', () => undefined);
    expect(await subscribers()).toBe(1);

    await first();
    expect(await subscribers()).toBe(1);

    await second();
    expect(await subscribers()).toBe(0);
  });

  it('ignores a message on its channel that is not JSON', async () => {
    const channelPrefix = `test:${uniqueSuffix()}:`;
    const feed = openFeed(channelPrefix);
    const received: ChangeMessage[] = [];
    await feed.subscribe('room.1', (message) => received.push(message));
    await feed.subscribe('room.*', (message) => received.push(message));

    await observer.publish(`${channelPrefix}room.1`, '{not json');
    await feed.publish('room.1', { n: 1 });

    await waitUntil(() => received.length === 2, 'the JSON message arrived twice');
    expect(received).toEqual([
      { topic: 'room.1', payload: { n: 1 } },
      { topic: 'room.1', payload: { n: 1 } },
    ]);
  });

  it('receives again after Redis dropped its subscriber connection', async () => {
    const connectionName = `test-feed-${uniqueSuffix()}`;
    const feed = openFeed(`test:${uniqueSuffix()}:`, connectionName);
    const received: ChangeMessage[] = [];
    await feed.subscribe('room.1', (message) => received.push(message));
    await feed.subscribe('user.*', (message) => received.push(message));

    const clients = (await observer.client('LIST')) as string;
    const line = clients.split('\n').find((client) => client.includes(` name=${connectionName}-subscriber `));
    const id = line?.match(/\bid=(\d+)/)?.[1];
    expect(id).toBeDefined();
    await observer.client('KILL', 'ID', id as string);

    // Delivery is live only, so keep publishing until the resubscribed connection hears one.
    await waitUntil(async () => {
      await feed.publish('room.1', { after: 'reconnect' });
      await feed.publish('user.7', { after: 'reconnect' });
      const topics = new Set(received.map((message) => message.topic));
      return topics.has('room.1') && topics.has('user.7');
    }, 'both subscriptions delivered after the reconnection');
  });
});
