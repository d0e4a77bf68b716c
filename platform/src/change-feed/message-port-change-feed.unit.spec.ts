import { Writable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { ChangeFeed, ChangeMessage } from './change-feed';
import { changeFeedContract } from './change-feed.contract';
import { InProcessChangeFeed } from './in-process-change-feed';
import { MessagePortChangeFeed, relayChanges } from './message-port-change-feed';
import { createLogger } from '../observability/logger';

const logger = createLogger({ serviceName: 'test', level: 'silent' });

/** A publishing end and, across a MessageChannel as across threads, an in-process feed that its changes are relayed to. */
function connectedFeeds(): { publisher: MessagePortChangeFeed; subscriber: InProcessChangeFeed } {
  const { port1, port2 } = new MessageChannel();
  const subscriber = new InProcessChangeFeed();
  relayChanges(port2, subscriber, logger);
  return { publisher: new MessagePortChangeFeed(port1), subscriber };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('MessagePortChangeFeed', () => {
  changeFeedContract(async () => {
    const { publisher, subscriber } = connectedFeeds();
    return {
      feeds: [publisher, subscriber],
      cleanup: async () => {
        await publisher.close();
        await subscriber.close();
      },
    };
  });

  it('keeps the publish order across topics, as the projections publish a batch', async () => {
    const { publisher, subscriber } = connectedFeeds();
    const received: ChangeMessage[] = [];
    await subscriber.subscribe('*', (message) => received.push(message));
    const published = Array.from({ length: 100 }, (_, n) => ({ topic: n % 3 === 0 ? `user.${n}` : `room.${n % 7}`, payload: { n } }));

    for (const { topic, payload } of published) await publisher.publish(topic, payload);

    await waitUntil(() => received.length === published.length, 'every change arrived');
    expect(received).toEqual(published);
    await publisher.close();
    await subscriber.close();
  });

  it('refuses to subscribe: the subscribers are on the other end of the port', async () => {
    const { publisher, subscriber } = connectedFeeds();

    await expect(publisher.subscribe('room.1', () => undefined)).rejects.toThrow(/only publishes/);

    await publisher.close();
    await subscriber.close();
  });

  it('logs a change the receiving feed refuses, and goes on relaying the next ones', async () => {
    const { port1, port2 } = new MessageChannel();
    const logLines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    const capturingLogger = createLogger({ serviceName: 'test', destination });
    const published: string[] = [];
    const refusing: ChangeFeed = {
      publish: async (topic) => {
        if (topic === 'room.bad') throw new Error('refused');
        published.push(topic);
      },
      subscribe: async () => async () => undefined,
      ping: async () => undefined,
      close: async () => undefined,
    };
    relayChanges(port2, refusing, capturingLogger);
    const publisher = new MessagePortChangeFeed(port1);

    await publisher.publish('room.bad', { n: 1 });
    await publisher.publish('room.good', { n: 2 });

    await waitUntil(() => published.length === 1, 'the second change was published');
    expect(published).toEqual(['room.good']);
    expect(logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ level: 'warn', topic: 'room.bad', msg: 'could not publish a change' })]);
    await publisher.close();
  });
});
