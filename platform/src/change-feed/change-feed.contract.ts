// The behaviour every ChangeFeed adapter must show. `feeds` stand for two nodes: a message published on one must
// reach subscribers on the other (an in-process feed passes the same instance twice).
import { ChangeFeed, ChangeMessage } from './change-feed';

export interface ChangeFeedFixture {
  readonly feeds: [ChangeFeed, ChangeFeed];
  cleanup(): Promise<void>;
}

const WAIT_LIMIT_MS = 5_000;
// After the awaited message, how long a message that should not come is given to show up anyway.
const SETTLE_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that keeps what it receives. */
function recorder(): { readonly messages: ChangeMessage[]; handler(message: ChangeMessage): void; topics(): string[] } {
  const messages: ChangeMessage[] = [];
  return {
    messages,
    handler: (message) => {
      messages.push(message);
    },
    topics: () => messages.map((message) => message.topic),
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(5);
  }
}

export function changeFeedContract(makeFeed: () => Promise<ChangeFeedFixture>): void {
  let fixture: ChangeFeedFixture;
  let publisher: ChangeFeed;
  let subscriber: ChangeFeed;

  beforeEach(async () => {
    fixture = await makeFeed();
    [publisher, subscriber] = fixture.feeds;
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  /**
   * Publishes `marker` after whatever the test published, waits until `received` has it, then a little longer:
   * a stray message published before the marker has had every chance to arrive by then.
   */
  async function settleWith(received: ReturnType<typeof recorder>, markerTopic: string): Promise<void> {
    await publisher.publish(markerTopic, { marker: true });
    await waitUntil(() => received.topics().includes(markerTopic), `${markerTopic} arrived`);
    await sleep(SETTLE_MS);
  }

  it('delivers a message published on one node, right after subscribe resolved, to a subscriber on the other', async () => {
    const received = recorder();
    await subscriber.subscribe('room.1', received.handler);

    await publisher.publish('room.1', { text: 'hello' });

    await waitUntil(() => received.messages.length === 1, 'the message arrived');
    expect(received.messages).toEqual([{ topic: 'room.1', payload: { text: 'hello' } }]);
  });

  it('delivers only the topic subscribed to', async () => {
    const received = recorder();
    await subscriber.subscribe('room.1', received.handler);

    await publisher.publish('room.2', { n: 1 });
    await publisher.publish('room.10', { n: 2 });
    await publisher.publish('room.', { n: 3 });
    await publisher.publish('user.1', { n: 4 });
    await settleWith(received, 'room.1');

    expect(received.topics()).toEqual(['room.1']);
  });

  it('delivers every topic with the prefix to a pattern subscription, and nothing else', async () => {
    const received = recorder();
    await subscriber.subscribe('room.*', received.handler);

    await publisher.publish('room.1', { n: 1 });
    await publisher.publish('roomx.1', { n: 2 });
    await publisher.publish('user.1', { n: 3 });
    await publisher.publish('room', { n: 4 });
    await publisher.publish('room.2', { n: 5 });
    await publisher.publish('room.1.typing', { n: 6 });
    await settleWith(received, 'room.3');

    expect(received.topics()).toEqual(['room.1', 'room.2', 'room.1.typing', 'room.3']);
    expect(received.messages[1]).toEqual({ topic: 'room.2', payload: { n: 5 } });
  });

  it('takes every character of a pattern before the final * literally', async () => {
    const received = recorder();
    await subscriber.subscribe('r[o]o?m\\.*', received.handler);

    // Both would match were the pattern read as a Redis glob: [o] as a class, ? as any character, \ as an escape.
    await publisher.publish('rooXm.1', { n: 1 });
    await publisher.publish('roo?m.1', { n: 2 });
    await settleWith(received, 'r[o]o?m\\.1');

    expect(received.topics()).toEqual(['r[o]o?m\\.1']);
  });

  it('keeps the publish order of 200 messages on one topic', async () => {
    const received = recorder();
    await subscriber.subscribe('room.1', received.handler);
    const count = 200;

    // Published without waiting for one another: the order is the order of the calls.
    await Promise.all(Array.from({ length: count }, (_, n) => publisher.publish('room.1', { n })));

    await waitUntil(() => received.messages.length >= count, `${count} messages arrived`);
    expect(received.messages.map((message) => (message.payload as { n: number }).n)).toEqual(
      Array.from({ length: count }, (_, n) => n),
    );
  });

  it('delivers to every handler subscribed to the same topic', async () => {
    const first = recorder();
    const second = recorder();
    await subscriber.subscribe('room.1', first.handler);
    await subscriber.subscribe('room.1', second.handler);

    await publisher.publish('room.1', { text: 'both' });

    await waitUntil(() => first.messages.length === 1 && second.messages.length === 1, 'both handlers received');
    expect(first.messages).toEqual([{ topic: 'room.1', payload: { text: 'both' } }]);
    expect(second.messages).toEqual(first.messages);
  });

  it('stops delivering to an unsubscribed handler while the other handler on the topic keeps receiving', async () => {
    const leaving = recorder();
    const staying = recorder();
    const unsubscribe = await subscriber.subscribe('room.1', leaving.handler);
    await subscriber.subscribe('room.1', staying.handler);

    await unsubscribe();
    await publisher.publish('room.1', { n: 1 });
    await waitUntil(() => staying.messages.length === 1, 'the staying handler received');
    await sleep(SETTLE_MS);

    expect(leaving.messages).toEqual([]);
  });

  it('unsubscribing twice does not take another handler on the topic with it', async () => {
    const leaving = recorder();
    const staying = recorder();
    const unsubscribe = await subscriber.subscribe('room.1', leaving.handler);
    await subscriber.subscribe('room.1', staying.handler);

    await unsubscribe();
    await unsubscribe();
    await publisher.publish('room.1', { n: 1 });

    await waitUntil(() => staying.messages.length === 1, 'the staying handler received');
    expect(leaving.messages).toEqual([]);
  });

  it('delivers nothing more once the last handlers of a topic and of a pattern have unsubscribed', async () => {
    const onTopic = recorder();
    const onPattern = recorder();
    const marker = recorder();
    const unsubscribes = [
      await subscriber.subscribe('room.1', onTopic.handler),
      await subscriber.subscribe('room.1', onTopic.handler),
      await subscriber.subscribe('room.*', onPattern.handler),
    ];
    await subscriber.subscribe('marker', marker.handler);

    for (const unsubscribe of unsubscribes) await unsubscribe();
    await publisher.publish('room.1', { n: 1 });
    await publisher.publish('marker', { n: 2 });
    await waitUntil(() => marker.messages.length === 1, 'the marker arrived');
    await sleep(SETTLE_MS);

    expect(onTopic.messages).toEqual([]);
    expect(onPattern.messages).toEqual([]);
  });

  it('can subscribe again to a topic after its last handler left', async () => {
    const received = recorder();
    const unsubscribe = await subscriber.subscribe('room.1', received.handler);
    await unsubscribe();

    await subscriber.subscribe('room.1', received.handler);
    await publisher.publish('room.1', { n: 1 });

    await waitUntil(() => received.messages.length === 1, 'the message arrived');
    expect(received.messages).toEqual([{ topic: 'room.1', payload: { n: 1 } }]);
  });

  it('carries unicode text, nested objects and plain values unchanged', async () => {
    const received = recorder();
    await subscriber.subscribe('room.1', received.handler);
    const payloads: unknown[] = [
      {
        text: 'héllo wörld — 你好, Привет 👋🏽 👨‍👩‍👧 "quoted" \\ \n\t',
        nested: { list: [1, 'two', null, { deep: [true, false] }], empty: {}, none: [] },
        number: -12.5,
      },
      'just a string 🎉',
      42,
      null,
      [],
    ];

    for (const payload of payloads) await publisher.publish('room.1', payload);

    await waitUntil(() => received.messages.length === payloads.length, 'every payload arrived');
    expect(received.messages.map((message) => message.payload)).toEqual(payloads);
  });

  it('gives each handler its own copy of the payload, as it would arrive over a network', async () => {
    const first = recorder();
    const second = recorder();
    await subscriber.subscribe('room.1', (message) => {
      (message.payload as { text: string }).text = 'changed by the first handler';
      first.handler(message);
    });
    await subscriber.subscribe('room.1', second.handler);
    const sentAt = new Date('2024-05-06T07:08:09.010Z');
    const payload = { text: 'original', sentAt, dropped: undefined };

    await publisher.publish('room.1', payload);

    await waitUntil(() => first.messages.length === 1 && second.messages.length === 1, 'both handlers received');
    expect(second.messages[0]?.payload).toEqual({ text: 'original', sentAt: '2024-05-06T07:08:09.010Z' });
    expect(payload.text).toBe('original');
  });

  it('rejects a payload that JSON cannot carry', async () => {
    await expect(publisher.publish('room.1', undefined)).rejects.toThrow(TypeError);
    await expect(publisher.publish('room.1', { count: BigInt(1) })).rejects.toThrow(TypeError);
    await expect(publisher.publish('room.1', () => 1)).rejects.toThrow(TypeError);
  });

  it('keeps delivering to the other handlers, and to later messages, when a handler throws', async () => {
    let thrown = 0;
    const received = recorder();
    await subscriber.subscribe('room.1', () => {
      thrown += 1;
      throw new Error('handler failure');
    });
    await subscriber.subscribe('room.1', received.handler);
    await subscriber.subscribe('room.*', () => {
      throw new Error('pattern handler failure');
    });

    await publisher.publish('room.1', { n: 1 });
    await publisher.publish('room.1', { n: 2 });

    await waitUntil(() => received.messages.length === 2, 'both messages arrived');
    expect(thrown).toBe(2);
    expect(received.messages.map((message) => message.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('answers ping on both nodes', async () => {
    await expect(publisher.ping()).resolves.toBeUndefined();
    await expect(subscriber.ping()).resolves.toBeUndefined();
  });

  it('can be closed more than once, and refuses work once closed', async () => {
    await subscriber.subscribe('room.1', () => undefined);

    await publisher.close();
    await expect(publisher.close()).resolves.toBeUndefined();
    await subscriber.close();

    await expect(publisher.publish('room.1', { n: 1 })).rejects.toThrow();
    await expect(publisher.subscribe('room.1', () => undefined)).rejects.toThrow();
    await expect(publisher.ping()).rejects.toThrow();
  });
}
