import { ChangeMessage } from './change-feed';
import { changeFeedContract } from './change-feed.contract';
import { InProcessChangeFeed } from './in-process-change-feed';

describe('InProcessChangeFeed', () => {
  changeFeedContract(async () => {
    // One process is every node at once.
    const feed = new InProcessChangeFeed();
    return { feeds: [feed, feed], cleanup: () => feed.close() };
  });

  it('delivers after publish returns, not inside it', async () => {
    const feed = new InProcessChangeFeed();
    const received: ChangeMessage[] = [];
    await feed.subscribe('room.1', (message) => received.push(message));

    const published = feed.publish('room.1', { n: 1 });
    expect(received).toEqual([]);
    await published;
    await new Promise((resolve) => setImmediate(resolve));

    expect(received).toEqual([{ topic: 'room.1', payload: { n: 1 } }]);
    await feed.close();
  });

  it('reports what a handler throws, and what an async handler rejects with, to onHandlerError', async () => {
    const reported: [unknown, ChangeMessage][] = [];
    const feed = new InProcessChangeFeed({ onHandlerError: (error, message) => reported.push([error, message]) });
    const thrown = new Error('thrown');
    const rejected = new Error('rejected');
    await feed.subscribe('room.1', () => {
      throw thrown;
    });
    await feed.subscribe('room.1', async () => {
      throw rejected;
    });

    await feed.publish('room.1', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));

    const message = { topic: 'room.1', payload: { n: 1 } };
    expect(reported).toEqual([
      [thrown, message],
      [rejected, message],
    ]);
    await feed.close();
  });

  it('does not deliver a message published before close to a handler once the feed is closed', async () => {
    const feed = new InProcessChangeFeed();
    const received: ChangeMessage[] = [];
    await feed.subscribe('room.1', (message) => received.push(message));

    const published = feed.publish('room.1', { n: 1 });
    await feed.close();
    await published;
    await new Promise((resolve) => setImmediate(resolve));

    expect(received).toEqual([]);
  });
});
