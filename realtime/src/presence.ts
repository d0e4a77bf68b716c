// realtime's side of presence (see platform's presence-messages.ts): it reports the connections it holds on
// `presence.connections`, and of the changes command-api sends back on `presence.changes` keeps, per user,
// only the latest, since two command-api instances may send the same change or two changes out of order.
import {
  type ChangeFeed,
  type Logger,
  PRESENCE_CONNECTIONS_TOPIC,
  PRESENCE_HEARTBEAT_INTERVAL_MS,
  PRESENCE_HEARTBEAT_MAX_CONNECTIONS,
  type PresenceChange,
  type PresenceConnectionMessage,
} from '@chat/platform';

export interface ReportedConnection {
  readonly userId: string;
  readonly connectionId: string;
}

export interface PresenceReporterOptions {
  readonly changeFeed: ChangeFeed;
  /** Unique among the realtime nodes. */
  readonly nodeId: string;
  readonly logger: Logger;
  /** Every connection reported connected and not yet disconnected, for the heartbeats. */
  readonly openConnections: () => Iterable<ReportedConnection>;
  readonly heartbeatIntervalMs?: number;
}

export class PresenceReporter {
  private readonly inFlight = new Set<Promise<void>>();
  private heartbeats?: NodeJS.Timeout;

  constructor(private readonly options: PresenceReporterOptions) {}

  start(): void {
    this.heartbeats = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs ?? PRESENCE_HEARTBEAT_INTERVAL_MS);
    // The server keeps the process alive; heartbeats must not on their own.
    this.heartbeats.unref();
  }

  connected({ userId, connectionId }: ReportedConnection): void {
    this.publish({ kind: 'connected', userId, connectionId, nodeId: this.options.nodeId, at: new Date().toISOString() });
  }

  disconnected({ userId, connectionId }: ReportedConnection): void {
    this.publish({ kind: 'disconnected', userId, connectionId, nodeId: this.options.nodeId, at: new Date().toISOString() });
  }

  /** Stops the heartbeats and waits for the reports under way (the change feed is closed after this). */
  async close(): Promise<void> {
    clearInterval(this.heartbeats);
    await Promise.all(this.inFlight);
  }

  private heartbeat(): void {
    const connections = [...this.options.openConnections()].map(({ userId, connectionId }) => ({ userId, connectionId }));
    const at = new Date().toISOString();
    for (let start = 0; start < connections.length; start += PRESENCE_HEARTBEAT_MAX_CONNECTIONS) {
      this.publish({ kind: 'heartbeat', nodeId: this.options.nodeId, at, connections: connections.slice(start, start + PRESENCE_HEARTBEAT_MAX_CONNECTIONS) });
    }
  }

  /** Fire and forget: delivery is at-most-once anyway, and the next heartbeat repairs a lost report. */
  private publish(message: PresenceConnectionMessage): void {
    const publishing = this.options.changeFeed
      .publish(PRESENCE_CONNECTIONS_TOPIC, message)
      .catch((error: unknown) => this.options.logger.warn({ err: error, kind: message.kind }, 'a presence report could not be published'))
      .finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }
}

/**
 * The latest presence change seen of each user, for a short while: long enough to recognise a repeated or
 * overtaken change (they come within moments of each other), short enough that the table stays small.
 */
export class LatestPresence {
  private readonly latest = new Map<string, { change: PresenceChange; seenAt: number }>();
  private forgotAt: number;

  constructor(
    private readonly rememberMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.forgotAt = now();
  }

  /** Whether the change is news: not one seen already, nor older than one seen. Records it when it is. */
  accept(change: PresenceChange): boolean {
    if (this.now() - this.forgotAt > this.rememberMs) this.forgetOld();
    const known = this.latest.get(change.userId)?.change;
    if (known) {
      const [knownAt, at] = [Date.parse(known.lastSeenAt), Date.parse(change.lastSeenAt)];
      if (at < knownAt || (at === knownAt && known.online === change.online)) return false;
    }
    this.latest.set(change.userId, { change, seenAt: this.now() });
    return true;
  }

  /** Whether this is still the latest change of its user (no later one arrived meanwhile). */
  isLatest(change: PresenceChange): boolean {
    return this.latest.get(change.userId)?.change === change;
  }

  private forgetOld(): void {
    this.forgotAt = this.now();
    const before = this.forgotAt - this.rememberMs;
    for (const [userId, { seenAt }] of this.latest) if (seenAt < before) this.latest.delete(userId);
  }
}
