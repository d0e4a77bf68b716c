// The change feed of a thread whose subscribers are on another thread of the process: the embedded app's
// projectors run on a worker thread, while realtime and the presence consumer subscribe on the main thread.
// Publishing posts the message on a MessagePort; `relayChanges`, on the other end, publishes it to the feed
// there. One port carries every topic, and a port delivers in posting order, so publish order is kept.
import type { MessagePort } from 'node:worker_threads';
import { ChangeFeed, ChangeHandler, serialisePayload } from './change-feed';
import type { Logger } from '../observability/logger';

/** What crosses the port: the payload already in its wire form, so a payload JSON cannot carry fails the publisher. */
interface PostedChange {
  readonly topic: string;
  readonly payload: string;
}

export class MessagePortChangeFeed implements ChangeFeed {
  private closed = false;

  /** The feed owns `port` from now on and closes it with itself. */
  constructor(private readonly port: MessagePort) {}

  async publish(topic: string, payload: unknown): Promise<void> {
    this.assertOpen();
    const change: PostedChange = { topic, payload: serialisePayload(payload) };
    this.port.postMessage(change);
  }

  async subscribe(_topicOrPattern: string, _handler: ChangeHandler): Promise<() => Promise<void>> {
    this.assertOpen();
    throw new Error('This change feed only publishes: subscribe on the thread at the other end of its port');
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The change feed is closed');
  }
}

/**
 * Publishes to `feed` what a MessagePortChangeFeed posts on the other end of `port`, in the order posted, until
 * that end closes. A change that cannot be published is logged and dropped: the feed is live-only, and clients
 * that miss it catch up from the read models, as with any other publish that fails.
 */
export function relayChanges(port: MessagePort, feed: ChangeFeed, logger: Logger): void {
  port.on('message', ({ topic, payload }: PostedChange) => {
    feed.publish(topic, JSON.parse(payload)).catch((error: unknown) => logger.warn({ err: error, topic }, 'could not publish a change'));
  });
}
