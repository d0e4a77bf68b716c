import { Writable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { ChangeFeed, ChangeMessage } from './change-feed';
import { bridgeChangeFeeds } from './change-feed-bridge';
import { changeFeedContract } from './change-feed.contract';
import { InProcessChangeFeed } from './in-process-change-feed';
import { createLogger } from '../observability/logger';

const logger = createLogger({ serviceName: 'test', level: 'silent' });

/** Two in-process feeds bridged across a MessageChannel, as across threads, each sending the topics named. */
async function bridgedFeeds(sendFromA: string[], sendFromB: string[]): Promise<{ a: InProcessChangeFeed; b: InProcessChangeFeed; close(): Promise<void> }> {
  const { port1, port2 } = new MessageChannel();
  const [a, b] = [new InProcessChangeFeed(), new InProcessChangeFeed()];
  const unbridgeA = await bridgeChangeFeeds(port1, a, { send: sendFromA, logger });
  const unbridgeB = await bridgeChangeFeeds(port2, b, { send: sendFromB, logger });
  return {
    a,
    b,
    close: async () => {
      await unbridgeA();
      await unbridgeB();
      await a.close();
      await b.close();
    },
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bridgeChangeFeeds', () => {
  describe('from the end that sends every topic', () => {
    changeFeedContract(async () => {
      const { a, b, close } = await bridgedFeeds(['*'], []);
      return { feeds: [a, b], cleanup: close };
    });
  });

  it('sends each way only the topics that end names, in the order published, and never sends a change back', async () => {
    const { a, b, close } = await bridgedFeeds(['presence.connections', 'room.*'], ['presence.changes']);
    const [atA, atB]: [ChangeMessage[], ChangeMessage[]] = [[], []];
    await a.subscribe('*', (message) => atA.push(message));
    await b.subscribe('*', (message) => atB.push(message));

    const fromA = Array.from({ length: 50 }, (_, n) => ({ topic: n % 5 === 0 ? 'presence.connections' : `room.${n % 7}`, payload: { n } }));
    for (const { topic, payload } of fromA) await a.publish(topic, payload);
    await a.publish('user.1', { kept: 'here' });
    await b.publish('presence.changes', { userId: 'u1', status: 'online' });
    await b.publish('typing.1', { kept: 'there' });

    await waitUntil(() => atB.length === fromA.length + 2 && atA.length === fromA.length + 2, 'the changes crossed');
    await sleep(50);
    expect(atB.filter((message) => message.topic !== 'presence.changes' && message.topic !== 'typing.1')).toEqual(fromA);
    expect(atA.filter((message) => message.topic === 'presence.changes' || message.topic === 'typing.1')).toEqual([{ topic: 'presence.changes', payload: { userId: 'u1', status: 'online' } }]);
    expect(atA.map((message) => message.topic)).toContain('user.1');
    expect(atB.map((message) => message.topic)).not.toContain('user.1');
    // Nothing came round: each end holds each change once.
    expect(atA).toHaveLength(fromA.length + 2);
    expect(atB).toHaveLength(fromA.length + 2);
    await close();
  });

  it('logs a change its feed refuses, and goes on with the next ones', async () => {
    const { port1, port2 } = new MessageChannel();
    const logLines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
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
    const unbridgeRefusing = await bridgeChangeFeeds(port2, refusing, { send: [], logger: createLogger({ serviceName: 'test', destination }) });
    const sender = new InProcessChangeFeed();
    const unbridgeSender = await bridgeChangeFeeds(port1, sender, { send: ['room.*'], logger });

    await sender.publish('room.bad', { n: 1 });
    await sender.publish('room.good', { n: 2 });

    await waitUntil(() => published.length === 1, 'the second change was published');
    expect(published).toEqual(['room.good']);
    expect(logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', topic: 'room.bad', msg: 'could not publish a change from the other thread' }),
    ]);
    await unbridgeSender();
    await unbridgeRefusing();
    await sender.close();
  });
});
