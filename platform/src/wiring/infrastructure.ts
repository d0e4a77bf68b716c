// The one place where configuration picks adapters. Services ask for what they use (query-api never
// opens the event store); each piece is opened on first request, shared afterwards (in embedded mode
// every service in the process shares the in-process change feed and key-value store), reported in
// the readiness checks, and closed by `close`.
import type { Db } from 'mongodb';
import type { DataSource } from 'typeorm';
import type { ChangeFeed } from '../change-feed/change-feed';
import { InProcessChangeFeed } from '../change-feed/in-process-change-feed';
import { RedisChangeFeed } from '../change-feed/redis-change-feed';
import type { Config } from '../config/config';
import { EsdbEventStore } from '../event-store/esdb-event-store';
import type { EventStore } from '../event-store/event-store';
import { InstrumentedEventStore } from '../event-store/instrumented-event-store';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { InProcessKeyValueStore } from '../key-value/in-process-key-value-store';
import type { KeyValueStore } from '../key-value/key-value-store';
import { RedisKeyValueStore } from '../key-value/redis-key-value-store';
import { connectMongo, pingMongo } from '../mongo/mongo-connection';
import type { ReadinessCheck } from '../observability/health';
import { RateLimits } from '../rate-limits/rate-limits';
import type { Logger } from '../observability/logger';
import { type SqliteDatabase, openSqlite } from '../sqlite/sqlite-database';
import { checkpointInBackground } from '../sqlite/background-checkpoints';
import { type UserViewsSchema, openUserViewsDataSource, pingUserViews } from '../typeorm/user-views-data-source';

/** What a service hands over instead of having it opened from the configuration. */
export interface GivenAdapters {
  /**
   * The hot state kept on another thread where the configuration would keep it in this thread's memory (the
   * embedded app's worker thread reaches the main thread's). Infrastructure checks and closes it like its own.
   */
  readonly keyValue?: KeyValueStore;
}

/** The store of the messages, rooms and unread read models. */
export type DocumentStore = { readonly kind: 'sqlite'; readonly db: SqliteDatabase } | { readonly kind: 'mongodb'; readonly db: Db };

export class Infrastructure {
  private readonly opened = new Map<string, Promise<unknown>>();
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly checks: ReadinessCheck[] = [];

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    private readonly given: GivenAdapters = {},
  ) {}

  eventStore(): Promise<EventStore> {
    return this.once('event store', async () => {
      const { eventStore } = this.config;
      const adapter =
        eventStore.kind === 'sqlite'
          ? SqliteEventStore.open(eventStore.file, {
              synchronous: eventStore.synchronous,
              checkpointInBackground: { onError: (error) => this.checkpointThreadFailed('event store', error) },
            })
          : new EsdbEventStore(eventStore.url);
      const store = new InstrumentedEventStore(adapter, eventStore.kind);
      return this.track('event store', store, () => store.ping(), () => store.close());
    });
  }

  /** The read side's connection to the document read models. */
  documents(): Promise<DocumentStore> {
    return this.once('documents', () => this.openDocuments('read'));
  }

  /**
   * A connection of the projection processors' own. With SQLite it must be separate from the read
   * side's, because a processor keeps its write transaction open across a batch.
   */
  projectionDocuments(): Promise<DocumentStore> {
    return this.config.documents.kind === 'sqlite' ? this.once('documents (projections)', () => this.openDocuments('projections')) : this.documents();
  }

  private async openDocuments(purpose: string): Promise<DocumentStore> {
    const { documents } = this.config;
    if (documents.kind === 'sqlite') {
      const db = openSqlite(documents.file, { synchronous: this.config.eventStore.kind === 'sqlite' ? this.config.eventStore.synchronous : 'normal' });
      this.track(`documents (${purpose})`, db, async () => void db.prepare('SELECT 1').get(), async () => void db.close());
      // The projections write the read models: their connection's process (or thread) checkpoints the file.
      if (purpose === 'projections') {
        const checkpoints = checkpointInBackground(documents.file, { onError: (error) => this.checkpointThreadFailed('documents', error) });
        this.closers.push(() => checkpoints.stop());
      }
      return { kind: 'sqlite', db };
    }
    const connection = await connectMongo(documents.url, { appName: this.config.serviceName });
    this.track('documents', connection, () => pingMongo(connection.db), () => connection.close());
    return { kind: 'mongodb', db: connection.db };
  }

  userViews(schema: UserViewsSchema = {}): Promise<DataSource> {
    return this.once('user views', async () => {
      const dataSource = await openUserViewsDataSource(this.config.userViews, schema);
      return this.track('user views', dataSource, () => pingUserViews(dataSource), () => dataSource.destroy());
    });
  }

  changeFeed(): Promise<ChangeFeed> {
    return this.once('change feed', async () => {
      const feed = this.openChangeFeed();
      return this.track('change feed', feed, () => feed.ping(), () => feed.close());
    });
  }

  private openChangeFeed(): ChangeFeed {
    const { hotState } = this.config;
    const onHandlerError = (error: unknown, message: { topic: string }) => this.logger.error({ err: error, topic: message.topic }, 'change handler failed');
    return hotState.kind === 'redis'
      ? new RedisChangeFeed(hotState.url, {
          connectionName: `${this.config.serviceName}-feed`,
          onHandlerError,
          onConnectionError: (error) => this.logger.warn({ err: error }, 'change feed connection error'),
        })
      : new InProcessChangeFeed({ onHandlerError });
  }

  keyValue(): Promise<KeyValueStore> {
    return this.once('key-value', async () => {
      const { hotState } = this.config;
      const store =
        this.given.keyValue ??
        (hotState.kind === 'redis'
          ? new RedisKeyValueStore(hotState.url, {
              connectionName: `${this.config.serviceName}-kv`,
              onConnectionError: (error) => this.logger.warn({ err: error }, 'key-value connection error'),
            })
          : new InProcessKeyValueStore());
      return this.track('key-value', store, () => store.ping(), () => store.close());
    });
  }

  /** Rate-limit counters live with the other hot state: in memory, or in Redis shared by every instance. */
  rateLimits(): Promise<RateLimits> {
    return this.once('rate limits', async () => {
      const { hotState } = this.config;
      const limits =
        hotState.kind === 'redis'
          ? RateLimits.redis(hotState.url, {
              connectionName: `${this.config.serviceName}-rate-limits`,
              onConnectionError: (error) => this.logger.warn({ err: error }, 'rate limits connection error'),
            })
          : RateLimits.inProcess();
      return this.track('rate limits', limits, () => limits.ping(), () => limits.close());
    });
  }

  /** One check per store opened so far: what `/health/ready` asks. */
  readinessChecks(): readonly ReadinessCheck[] {
    return this.checks;
  }

  /** Has `/health/ready` ask `check` too, for stores that another thread of the process opened (the embedded app's projectors). */
  addReadinessCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** Closes everything opened, the last opened first. */
  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        this.logger.warn({ err: error }, 'closing a store failed');
      }
    }
    this.opened.clear();
    this.checks.length = 0;
  }

  private checkpointThreadFailed(file: string, error: Error): void {
    this.logger.warn({ err: error, file }, 'a SQLite checkpoint thread failed; commits checkpoint the WAL themselves again');
  }

  private once<T>(name: string, open: () => Promise<T>): Promise<T> {
    let opening = this.opened.get(name) as Promise<T> | undefined;
    if (!opening) {
      opening = open();
      this.opened.set(name, opening);
      opening.catch(() => this.opened.delete(name));
    }
    return opening;
  }

  private track<T>(name: string, resource: T, check: () => Promise<void>, close: () => Promise<void>): T {
    this.checks.push({ name, check });
    this.closers.push(close);
    return resource;
  }
}
