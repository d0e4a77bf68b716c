// The presence consumer on the embedded stores, with lifetimes short enough to watch connections expire.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { userStreamId } from '@chat/domain';
import {
  createLogger,
  InProcessChangeFeed,
  InProcessKeyValueStore,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_CONNECTIONS_TOPIC,
  type PresenceChange,
  type PresenceConnectionMessage,
  PresenceTracker,
  SqliteEventStore,
} from '@chat/platform';
import { PresenceConsumer, type PresenceConsumerOptions } from './presence-consumer';

const TTL_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('PresenceConsumer', () => {
  let dir: string;
  let feed: InProcessChangeFeed;
  let store: InProcessKeyValueStore;
  let eventStore: SqliteEventStore;
  let tracker: PresenceTracker;
  let consumer: PresenceConsumer;
  let changes: PresenceChange[];

  async function startConsumer(options: PresenceConsumerOptions): Promise<void> {
    consumer = new PresenceConsumer({ changeFeed: feed, eventStore, tracker, logger: createLogger({ serviceName: 'command-api', level: 'silent' }) }, options);
    await consumer.start();
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-presence-'));
    feed = new InProcessChangeFeed();
    store = new InProcessKeyValueStore();
    eventStore = SqliteEventStore.open(path.join(dir, 'events.db'));
    tracker = new PresenceTracker(store, { connectionTtlMs: TTL_MS });
    changes = [];
    await feed.subscribe(PRESENCE_CHANGES_TOPIC, (message) => void changes.push(message.payload as PresenceChange));
  });

  afterEach(async () => {
    await consumer.stop();
    await Promise.all([feed.close(), store.close(), eventStore.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function registeredUser(): Promise<string> {
    const userId = randomUUID();
    const at = new Date().toISOString();
    await eventStore.appendToStream(userStreamId(userId), [{ id: randomUUID(), type: 'UserRegistered', data: { userId, username: `u${userId.slice(0, 8)}`, displayName: 'U', passwordHash: 'h', at } }], {
      expectedRevision: 'no_stream',
    });
    return userId;
  }

  const publish = (message: PresenceConnectionMessage) => feed.publish(PRESENCE_CONNECTIONS_TOPIC, message);
  const wentOffline = async (userId: string) => (await eventStore.readStream(userStreamId(userId))).filter((event) => event.type === 'UserWentOffline');

  it('takes a crashed node’s users offline by the periodic sweep, records when they were last seen, and keeps the users of a node that still beats', async () => {
    await startConsumer({ sweepIntervalMs: 50, offlineGraceMs: 50 });
    const [alice, bob] = [await registeredUser(), await registeredUser()];
    const connectedAt = new Date().toISOString();
    await publish({ kind: 'connected', userId: alice, connectionId: 'a1', nodeId: 'crashed', at: connectedAt });
    await publish({ kind: 'connected', userId: bob, connectionId: 'b1', nodeId: 'alive', at: connectedAt });

    const offline = await eventually(async () => {
      await publish({ kind: 'heartbeat', nodeId: 'alive', at: new Date().toISOString(), connections: [{ userId: bob, connectionId: 'b1' }] });
      await sleep(TTL_MS / 4);
      return changes.find((change) => change.userId === alice && !change.online);
    }, 'alice offline');

    expect(Date.parse(offline.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(connectedAt));
    expect(await eventually(async () => ((await wentOffline(alice)).length > 0 ? wentOffline(alice) : undefined), 'the event')).toEqual([
      expect.objectContaining({ data: { userId: alice, at: offline.lastSeenAt }, metadata: { actorId: 'system' } }),
    ]);
    expect(changes.filter((change) => change.userId === bob)).toEqual([{ userId: bob, online: true, lastSeenAt: connectedAt }]);
    expect(await tracker.isOnline(bob)).toBe(true);
  });

  it('waits out the offline grace after a disconnect, and sweeps once more when it stops, then listens no more', async () => {
    await startConsumer({ offlineGraceMs: 60_000, sweepIntervalMs: 60_000 });
    const alice = await registeredUser();
    await publish({ kind: 'connected', userId: alice, connectionId: 'a1', nodeId: 'node-1', at: new Date().toISOString() });
    const closedAt = new Date().toISOString();
    await publish({ kind: 'disconnected', userId: alice, connectionId: 'a1', nodeId: 'node-1', at: closedAt });
    await sleep(50);
    expect(await tracker.isOnline(alice)).toBe(true);

    await consumer.stop();

    expect(changes).toEqual([expect.objectContaining({ online: true }), { userId: alice, online: false, lastSeenAt: closedAt }]);
    expect(await wentOffline(alice)).toHaveLength(1);
    await publish({ kind: 'connected', userId: alice, connectionId: 'a2', nodeId: 'node-1', at: new Date().toISOString() });
    await sleep(50);
    expect(await tracker.isOnline(alice)).toBe(false);
  });
});
