// The change feed port: projections publish what they changed, realtime nodes subscribe by topic.
// In-process when embedded, Redis pub/sub when distributed. Delivery is at-most-once and live only:
// a subscriber that was not listening misses the message and catches up from the read models.

export interface ChangeMessage {
  readonly topic: string;
  readonly payload: unknown;
}

export type ChangeHandler = (message: ChangeMessage) => void;

export interface ChangeFeed {
  /** Publishes to every current subscriber of the topic, on every node; messages on one topic arrive in publish order. */
  publish(topic: string, payload: unknown): Promise<void>;
  /**
   * Subscribes to one topic (`room.42`) or to every topic with a prefix (`room.*`).
   * Resolves once the subscription is active: what is published after that is delivered.
   * The returned function unsubscribes.
   */
  subscribe(topicOrPattern: string, handler: ChangeHandler): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
