// Two threads of one process, each with a change feed of its own, joined over a MessagePort: the embedded app's
// worker thread has the projectors that publish changes and the realtime endpoint that pushes them, while the
// presence consumer that turns connections into presence changes stays on the main thread. Each end names the
// topics it sends across; what arrives from the other end is published on this end's feed, in the order sent.
import type { MessagePort } from 'node:worker_threads';
import { ChangeFeed, serialisePayload } from './change-feed';
import type { Logger } from '../observability/logger';

/** What crosses the port: the payload in its wire form, as every feed carries it. */
interface SentChange {
  readonly topic: string;
  readonly payload: string;
}

export interface ChangeFeedBridgeOptions {
  /**
   * The topics or patterns (see `topicPrefixOf`) whose changes, published on this end, are published on the other
   * end as well. The two ends' lists must not share a topic: a change sent back would come round again.
   */
  readonly send: readonly string[];
  readonly logger: Logger;
}

/**
 * Bridges `feed` to the feed at the other end of `port` (which calls this too, with its own `send`), until the
 * returned function is called; that closes the port. A change that cannot be published here is logged and
 * dropped: the feed is live-only, and clients that miss a change catch up from the read models.
 */
export async function bridgeChangeFeeds(port: MessagePort, feed: ChangeFeed, options: ChangeFeedBridgeOptions): Promise<() => Promise<void>> {
  const { logger } = options;
  port.on('message', ({ topic, payload }: SentChange) => {
    feed.publish(topic, JSON.parse(payload)).catch((error: unknown) => logger.warn({ err: error, topic }, 'could not publish a change from the other thread'));
  });
  const unsubscribes = await Promise.all(
    options.send.map((topicOrPattern) =>
      feed.subscribe(topicOrPattern, ({ topic, payload }) => port.postMessage({ topic, payload: serialisePayload(payload) } satisfies SentChange)),
    ),
  );
  return async () => {
    for (const unsubscribe of unsubscribes) await unsubscribe();
    port.close();
  };
}
