// Presence, command-api's side: follows what the realtime nodes report about their connections
// (`presence.connections`), keeps the presence tracker up to date, tells the nodes back who came online or went
// offline (`presence.changes`), and records when a user went offline as `UserWentOffline` in their stream, where
// last seen survives a rebuild of the read models (the hot presence state in the key-value store does not, and
// need not: it is rebuilt by the next heartbeats).
//
// It runs in every command-api instance, since it appends to the event store. Each instance receives every
// message; the tracker reports each transition to one of them only, and the event id derives from the user and
// the time, so neither a retry nor a second reporter records it twice.
//
// Going offline is found by the tracker's sweep (see presence-tracker.ts): OFFLINE_GRACE_MS after a
// `disconnected`, and every SWEEP_INTERVAL_MS for connections that expired because their node crashed. A crashed
// node's users therefore go offline between PRESENCE_CONNECTION_TTL_MS and that plus SWEEP_INTERVAL_MS after its
// last heartbeat.
import { assertNever, isDomainError, userDecider, userStreamId, userWentOfflineEventId } from '@chat/domain';
import {
  type ChangeFeed,
  type EventStore,
  InOrderPerKey,
  type Infrastructure,
  type Logger,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_CONNECTIONS_TOPIC,
  type PresenceChange,
  type PresenceConnectionMessage,
  presenceConnectionMessageSchema,
  PresenceTracker,
  type PresenceTransition,
} from '@chat/platform';
import { decideAndAppend } from './decide-and-append';

/** Long enough for a page reload to reconnect, so it neither shows the user offline and back nor records last seen. */
export const OFFLINE_GRACE_MS = 2_000;
export const SWEEP_INTERVAL_MS = 10_000;

export interface PresenceConsumerOptions {
  readonly offlineGraceMs?: number;
  readonly sweepIntervalMs?: number;
}

export interface PresenceConsumerDependencies {
  readonly changeFeed: ChangeFeed;
  readonly eventStore: EventStore;
  readonly tracker: PresenceTracker;
  readonly logger: Logger;
}

export class PresenceConsumer {
  private readonly offlineGraceMs: number;
  private readonly sweepIntervalMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * A user's messages are applied in the order they came (a short-lived connection's `connected` is not
   * overtaken by its `disconnected`), different users' side by side.
   */
  private readonly perUser = new InOrderPerKey<string>();
  private unsubscribe?: () => Promise<void>;
  private sweepTimer?: NodeJS.Timeout;
  private sweepDueAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  /** Subscribes with the stores `infrastructure` opens for command-api. */
  static async start(infrastructure: Infrastructure, options: PresenceConsumerOptions = {}): Promise<PresenceConsumer> {
    const consumer = new PresenceConsumer(
      {
        changeFeed: await infrastructure.changeFeed(),
        eventStore: await infrastructure.eventStore(),
        tracker: new PresenceTracker(await infrastructure.keyValue()),
        logger: infrastructure.logger,
      },
      options,
    );
    await consumer.start();
    return consumer;
  }

  constructor(
    private readonly dependencies: PresenceConsumerDependencies,
    options: PresenceConsumerOptions = {},
  ) {
    this.offlineGraceMs = options.offlineGraceMs ?? OFFLINE_GRACE_MS;
    this.sweepIntervalMs = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.dependencies.changeFeed.subscribe(PRESENCE_CONNECTIONS_TOPIC, (message) => this.track(this.handle(message.payload)));
    this.sweepIn(this.sweepIntervalMs);
  }

  /**
   * Stops listening, lets the work in hand finish, and sweeps once more: users whose connections closed
   * during the grace (embedded mode stops realtime first) are recorded now rather than never.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.sweepTimer);
    await this.unsubscribe?.();
    await Promise.all(this.inFlight);
    await this.sweep().catch((error: unknown) => this.dependencies.logger.error({ err: error }, 'the last presence sweep failed'));
  }

  private async handle(payload: unknown): Promise<void> {
    const parsed = presenceConnectionMessageSchema.safeParse(payload);
    if (!parsed.success) {
      this.dependencies.logger.warn({ issues: parsed.error.issues.slice(0, 5) }, 'ignored a presence message that does not match its schema');
      return;
    }
    const message: PresenceConnectionMessage = parsed.data;
    const { tracker } = this.dependencies;
    switch (message.kind) {
      case 'connected':
        return this.perUser.run(message.userId, async () => this.report(await tracker.connected(message)));
      case 'disconnected':
        return this.perUser.run(message.userId, async () => {
          await tracker.disconnected(message);
          this.sweepIn(this.offlineGraceMs);
        });
      case 'heartbeat': {
        const byUser = new Map<string, (typeof message.connections)[number][]>();
        for (const connection of message.connections) {
          const ofUser = byUser.get(connection.userId);
          if (ofUser) ofUser.push(connection);
          else byUser.set(connection.userId, [connection]);
        }
        await Promise.all(
          [...byUser].map(([userId, connections]) =>
            this.perUser.run(userId, async () => this.report(await tracker.heartbeat({ nodeId: message.nodeId, at: message.at, connections }))),
          ),
        );
        return;
      }
      default:
        return assertNever(message);
    }
  }

  /** Runs the next sweep within `delayMs`, unless one is due sooner. */
  private sweepIn(delayMs: number): void {
    if (this.stopped) return;
    const dueAt = Date.now() + delayMs;
    if (this.sweepTimer && this.sweepDueAt <= dueAt) return;
    clearTimeout(this.sweepTimer);
    this.sweepDueAt = dueAt;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      this.sweepDueAt = Number.POSITIVE_INFINITY;
      this.track(this.sweep().finally(() => this.sweepIn(this.sweepIntervalMs)));
    }, delayMs);
    // The HTTP server keeps the process alive; the sweeps must not on their own.
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    await this.report(await this.dependencies.tracker.sweep());
  }

  /** Each transition on its own: one that cannot be published or recorded does not hold up the others. */
  private async report(transitions: readonly PresenceTransition[]): Promise<void> {
    await Promise.all(
      transitions.map(async (transition) => {
        const { userId, online, at } = transition;
        try {
          const change: PresenceChange = { userId, online, lastSeenAt: at };
          await this.dependencies.changeFeed.publish(PRESENCE_CHANGES_TOPIC, change);
          if (!online) await this.recordWentOffline(userId, at);
        } catch (error) {
          this.dependencies.logger.error({ err: error, userId, online, at }, 'a presence change could not be published or recorded');
        }
      }),
    );
  }

  private async recordWentOffline(userId: string, at: string): Promise<void> {
    const recorded = await decideAndAppend(
      this.dependencies.eventStore,
      userStreamId(userId),
      userDecider,
      () => ({ type: 'RecordWentOffline', userId, at }),
      { actorId: 'system' },
      { eventId: () => userWentOfflineEventId(userId, at) },
    );
    // A connection of a user who does not exist: realtime authenticated someone this store does not know.
    if (isDomainError(recorded)) this.dependencies.logger.warn({ userId, code: recorded.code }, 'last seen not recorded');
  }

  /** Keeps the promise for `stop`, and logs what it rejects with (a store that failed): the next heartbeat or sweep repairs. */
  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.dependencies.logger.error({ err: error }, 'presence tracking failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
