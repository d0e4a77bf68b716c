// The change feed of distributed mode, on Redis pub/sub. A connection that has subscribed may only (un)subscribe,
// so publishing has a connection of its own. All local handlers of one topic or pattern share one Redis
// subscription; the last one to leave unsubscribes it in Redis. After a reconnection ioredis subscribes again to
// everything the connection had (its `autoResubscribe` option, on by default), so the tables here stay true.
import type Redis from 'ioredis';
import { closeRedis, createRedisConnection, escapeRedisGlob } from '../redis/redis-connection';
import {
  ChangeFeed,
  ChangeHandler,
  ChangeMessage,
  deliverChange,
  serialisePayload,
  topicPrefixOf,
} from './change-feed';

export interface RedisChangeFeedOptions {
  /** Put before every channel name, so deployments (and test runs) sharing one Redis do not hear each other. */
  readonly channelPrefix?: string;
  /** The connections are named `<connectionName>-publisher` and `<connectionName>-subscriber` in `CLIENT LIST`. */
  readonly connectionName?: string;
  /** Receives what a handler threw; the other handlers still get the message. Without it the error is dropped. */
  readonly onHandlerError?: (error: unknown, message: ChangeMessage) => void;
  /** Connection errors (ioredis reconnects by itself). */
  readonly onConnectionError?: (error: Error) => void;
}

interface Registration {
  readonly handler: ChangeHandler;
  active: boolean;
}

/** One Redis subscription (a channel or a pattern) and the local handlers that share it. */
interface RedisSubscription {
  readonly registrations: Set<Registration>;
  readonly confirmed: Promise<unknown>;
}

type Kind = 'channel' | 'pattern';

export class RedisChangeFeed implements ChangeFeed {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channelPrefix: string;
  private readonly subscriptions: Record<Kind, Map<string, RedisSubscription>> = {
    channel: new Map(),
    pattern: new Map(),
  };
  private closing: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly options: RedisChangeFeedOptions = {},
  ) {
    this.channelPrefix = options.channelPrefix ?? '';
    const name = options.connectionName ?? 'chat-change-feed';
    this.publisher = createRedisConnection(url, { name: `${name}-publisher`, onError: options.onConnectionError });
    this.subscriber = createRedisConnection(url, {
      name: `${name}-subscriber`,
      onError: options.onConnectionError,
      subscriber: true,
    });
    this.subscriber.on('message', (channel: string, raw: string) =>
      this.deliver(this.subscriptions.channel.get(channel), channel, raw),
    );
    this.subscriber.on('pmessage', (pattern: string, channel: string, raw: string) =>
      this.deliver(this.subscriptions.pattern.get(pattern), channel, raw),
    );
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    this.assertOpen();
    await this.publisher.publish(this.channelPrefix + topic, serialisePayload(payload));
  }

  async subscribe(topicOrPattern: string, handler: ChangeHandler): Promise<() => Promise<void>> {
    this.assertOpen();
    const prefix = topicPrefixOf(topicOrPattern);
    const [kind, name]: [Kind, string] =
      prefix === undefined
        ? ['channel', this.channelPrefix + topicOrPattern]
        : ['pattern', `${escapeRedisGlob(this.channelPrefix + prefix)}*`];
    const table = this.subscriptions[kind];
    let subscription = table.get(name);
    if (!subscription) {
      const confirmed = kind === 'channel' ? this.subscriber.subscribe(name) : this.subscriber.psubscribe(name);
      subscription = { registrations: new Set(), confirmed };
      table.set(name, subscription);
    }
    const registration: Registration = { handler, active: true };
    subscription.registrations.add(registration);
    try {
      // ioredis resolves (P)SUBSCRIBE when Redis replies, that is once the subscription is active.
      await subscription.confirmed;
    } catch (error) {
      registration.active = false;
      subscription.registrations.delete(registration);
      if (table.get(name) === subscription) table.delete(name);
      throw error;
    }
    const confirmedSubscription = subscription;
    return () => this.unsubscribe(kind, name, confirmedSubscription, registration);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    // PING is one of the few commands a subscribed connection may send.
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  close(): Promise<void> {
    if (!this.closing) {
      for (const table of Object.values(this.subscriptions)) {
        for (const subscription of table.values()) {
          for (const registration of subscription.registrations) registration.active = false;
        }
        table.clear();
      }
      this.closing = Promise.all([closeRedis(this.publisher), closeRedis(this.subscriber)]).then(() => undefined);
    }
    return this.closing;
  }

  /** The handler stops at once; Redis is told only when it was the last one on its channel or pattern. Idempotent. */
  private async unsubscribe(
    kind: Kind,
    name: string,
    subscription: RedisSubscription,
    registration: Registration,
  ): Promise<void> {
    if (!registration.active) return;
    registration.active = false;
    subscription.registrations.delete(registration);
    const table = this.subscriptions[kind];
    if (subscription.registrations.size > 0 || table.get(name) !== subscription) return;
    // Removed before Redis confirms: a new subscriber meanwhile gets a new SUBSCRIBE, which Redis handles after this
    // UNSUBSCRIBE because both travel on the same connection.
    table.delete(name);
    if (kind === 'channel') await this.subscriber.unsubscribe(name);
    else await this.subscriber.punsubscribe(name);
  }

  private deliver(subscription: RedisSubscription | undefined, channel: string, raw: string): void {
    if (!subscription || !channel.startsWith(this.channelPrefix)) return;
    // Anything may publish on a Redis channel; what is not JSON did not come from a change feed and is ignored.
    if (!isJson(raw)) return;
    const topic = channel.slice(this.channelPrefix.length);
    for (const registration of [...subscription.registrations]) {
      if (!registration.active) continue;
      deliverChange(registration.handler, { topic, payload: JSON.parse(raw) }, this.options.onHandlerError);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The change feed is closed');
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
