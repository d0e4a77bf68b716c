// The change feed port: projections publish what they changed, realtime nodes subscribe by topic.
// In-process when embedded, Redis pub/sub when distributed. Delivery is at-most-once and live only:
// a subscriber that was not listening misses the message and catches up from the read models.

export interface ChangeMessage {
  readonly topic: string;
  readonly payload: unknown;
}

export type ChangeHandler = (message: ChangeMessage) => void;

export interface ChangeFeed {
  /**
   * Publishes to every current subscriber of the topic, on every node; messages on one topic arrive in publish order.
   * The payload travels as JSON (see `serialisePayload`): each handler gets its own copy, never the caller's object.
   */
  publish(topic: string, payload: unknown): Promise<void>;
  /**
   * Subscribes to one topic (`room.42`) or to every topic with a prefix (`room.*`, see `topicPrefixOf`).
   * Resolves once the subscription is active: what is published after that is delivered.
   * A handler that throws does not stop delivery to the others. The returned function unsubscribes.
   */
  subscribe(topicOrPattern: string, handler: ChangeHandler): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  /** Stops every subscription. Idempotent; afterwards publish, subscribe and ping reject. */
  close(): Promise<void>;
}

/**
 * The prefix a pattern subscription stands for: `room.*` → `room.`, `*` → `` (every topic); undefined for an exact
 * topic. Only a final `*` is a wildcard, and it matches any rest, dots included (`room.*` receives `room.1.typing`).
 */
export function topicPrefixOf(topicOrPattern: string): string | undefined {
  return topicOrPattern.endsWith('*') ? topicOrPattern.slice(0, -1) : undefined;
}

/**
 * The wire form of a payload, the same for every adapter so that embedded and distributed mode behave alike: handlers
 * receive `JSON.parse` of it (a Date arrives as its ISO string). Throws a TypeError for what JSON cannot carry.
 */
export function serialisePayload(payload: unknown): string {
  // JSON.stringify throws on cycles and BigInt, and returns undefined for undefined, functions and symbols.
  const serialised: string | undefined = JSON.stringify(payload);
  if (serialised === undefined) throw new TypeError(`A change payload must be JSON-serialisable; got ${typeof payload}`);
  return serialised;
}

/**
 * Hands one message to one handler so that a failing handler cannot stop the others: what it throws, or what the
 * promise of an async handler rejects with, goes to `onHandlerError` (or nowhere) instead of up the delivery loop.
 */
export function deliverChange(
  handler: ChangeHandler,
  message: ChangeMessage,
  onHandlerError: ((error: unknown, message: ChangeMessage) => void) | undefined,
): void {
  const report = (error: unknown): void => {
    try {
      onHandlerError?.(error, message);
    } catch {
      // A failing error reporter must not break delivery either.
    }
  };
  try {
    const returned: unknown = handler(message);
    if (returned instanceof Promise) returned.catch(report);
  } catch (error) {
    report(error);
  }
}
