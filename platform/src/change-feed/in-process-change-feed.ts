// The change feed of embedded mode, where projectors and realtime share one process. It behaves like the Redis one
// on purpose: delivery is asynchronous (never inside `publish`), and each handler receives its own JSON copy of the
// payload, so code that works embedded does not start failing when the same message crosses the network.
import {
  ChangeFeed,
  ChangeHandler,
  ChangeMessage,
  deliverChange,
  serialisePayload,
  topicPrefixOf,
} from './change-feed';

export interface InProcessChangeFeedOptions {
  /** Receives what a handler threw; the other handlers still get the message. Without it the error is dropped. */
  readonly onHandlerError?: (error: unknown, message: ChangeMessage) => void;
}

interface Subscription {
  readonly handler: ChangeHandler;
  active: boolean;
}

export class InProcessChangeFeed implements ChangeFeed {
  // Exact topics are looked up directly; prefixes (from `room.*`) are few and are scanned.
  private readonly byTopic = new Map<string, Set<Subscription>>();
  private readonly byPrefix = new Map<string, Set<Subscription>>();
  private closed = false;

  constructor(private readonly options: InProcessChangeFeedOptions = {}) {}

  async publish(topic: string, payload: unknown): Promise<void> {
    this.assertOpen();
    const serialised = serialisePayload(payload);
    // Who receives is decided now, as Redis does when it handles PUBLISH; delivery follows in a microtask, and
    // microtasks run first in, first out, which keeps publish order.
    const receivers = [...(this.byTopic.get(topic) ?? [])];
    for (const [prefix, subscriptions] of this.byPrefix) {
      if (topic.startsWith(prefix)) receivers.push(...subscriptions);
    }
    if (receivers.length === 0) return;
    queueMicrotask(() => {
      for (const subscription of receivers) {
        if (!subscription.active) continue;
        deliverChange(subscription.handler, { topic, payload: JSON.parse(serialised) }, this.options.onHandlerError);
      }
    });
  }

  async subscribe(topicOrPattern: string, handler: ChangeHandler): Promise<() => Promise<void>> {
    this.assertOpen();
    const prefix = topicPrefixOf(topicOrPattern);
    const [table, key] = prefix === undefined ? [this.byTopic, topicOrPattern] : [this.byPrefix, prefix];
    const subscription: Subscription = { handler, active: true };
    const subscriptions = table.get(key) ?? new Set<Subscription>();
    subscriptions.add(subscription);
    table.set(key, subscriptions);
    return async () => {
      subscription.active = false;
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && table.get(key) === subscriptions) table.delete(key);
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const table of [this.byTopic, this.byPrefix]) {
      for (const subscriptions of table.values()) {
        for (const subscription of subscriptions) subscription.active = false;
      }
      table.clear();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The change feed is closed');
  }
}
