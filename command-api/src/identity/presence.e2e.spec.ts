// Presence end to end, as realtime will drive it: connection reports published on the change feed reach the
// presence consumer, `GET /api/users/…` answers `online` from the tracker, going offline is pushed on
// `presence.changes` and recorded in the user's stream, and last seen outlives a rebuild of the user directory.
import { randomUUID } from 'node:crypto';
import { userStreamId, userWentOfflineEventId } from '@chat/domain';
import {
  type ChangeFeed,
  liveGeneration,
  PRESENCE_CHANGES_TOPIC,
  PRESENCE_CONNECTIONS_TOPIC,
  type PresenceChange,
  type PresenceConnectionMessage,
  PresenceTracker,
  switchLiveGeneration,
  uniqueSuffix,
  USER_DIRECTORY,
  userDirectoryRepository,
} from '@chat/platform';
import { findReadModel, ProjectionProcessor } from '@chat/projectors';
import { type EmbeddedTestApp, startEmbeddedApp } from '../testing/embedded-app';
import { HttpClient } from '../testing/http-client';
import { PresenceConsumer } from './presence-consumer';

interface Profile {
  id: string;
  username: string;
  online: boolean;
  lastSeenAt: string | null;
}
interface SignedIn {
  user: Profile;
  accessToken: string;
}

/** Polls until `probe` answers something other than undefined. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Presence (embedded)', () => {
  let app: EmbeddedTestApp;
  let client: HttpClient;
  let feed: ChangeFeed;
  const changes: PresenceChange[] = [];
  let stopListening: () => Promise<void>;

  beforeAll(async () => {
    app = await startEmbeddedApp();
    client = new HttpClient(app.baseUrl);
    feed = await app.infrastructure.changeFeed();
    stopListening = await feed.subscribe(PRESENCE_CHANGES_TOPIC, (message) => void changes.push(message.payload as PresenceChange));
  });
  afterAll(async () => {
    await stopListening?.();
    await app?.close();
  });

  async function register(): Promise<SignedIn> {
    const answer = await client.post<SignedIn>('/api/auth/register', { username: `p_${uniqueSuffix()}`, password: 'correct horse battery staple' });
    expect(answer.status).toBe(201);
    await app.caughtUp();
    return answer.body;
  }

  const me = async (token: string) => (await client.get<Profile>('/api/users/me', { token })).body;
  const publish = (message: PresenceConnectionMessage) => feed.publish(PRESENCE_CONNECTIONS_TOPIC, message);
  const connection = (userId: string, nodeId = 'node-1') => ({ userId, connectionId: randomUUID(), nodeId });
  /** A time a little after the last one used, so each message's time is distinct and later. */
  let clock = Date.now();
  const now = () => new Date((clock = Math.max(clock + 1, Date.now()))).toISOString();
  const changesOf = (userId: string) => changes.filter((change) => change.userId === userId);

  async function onlineShown(token: string, online: boolean): Promise<Profile> {
    return eventually(async () => {
      const profile = await me(token);
      return profile.online === online ? profile : undefined;
    }, `online: ${online}`);
  }

  async function lastSeenShown(token: string, lastSeenAt: string): Promise<Profile> {
    return eventually(async () => {
      await app.caughtUp();
      const profile = await me(token);
      return profile.lastSeenAt === lastSeenAt ? profile : undefined;
    }, `lastSeenAt ${lastSeenAt}`);
  }

  it('shows a user online while a connection is open, then offline with last seen when it closes', async () => {
    const { user, accessToken } = await register();
    expect((await me(accessToken)).online).toBe(false);
    const tab = connection(user.id);
    const openedAt = now();

    await publish({ kind: 'connected', ...tab, at: openedAt });
    await onlineShown(accessToken, true);
    const found = await client.get<Profile[]>(`/api/users?query=${user.username}`, { token: accessToken });
    expect(found.body).toEqual([expect.objectContaining({ id: user.id, online: true })]);

    const closedAt = now();
    await publish({ kind: 'disconnected', ...tab, at: closedAt });
    await onlineShown(accessToken, false);
    await lastSeenShown(accessToken, closedAt);

    expect(changesOf(user.id)).toEqual([
      { userId: user.id, online: true, lastSeenAt: openedAt },
      { userId: user.id, online: false, lastSeenAt: closedAt },
    ]);
    const events = await (await app.infrastructure.eventStore()).readStream(userStreamId(user.id));
    const wentOffline = events.filter((event) => event.type === 'UserWentOffline');
    expect(wentOffline).toEqual([expect.objectContaining({ id: userWentOfflineEventId(user.id, closedAt), data: { userId: user.id, at: closedAt } })]);
  });

  it('keeps a user with three tabs online until the last one closes', async () => {
    const { user, accessToken } = await register();
    const tabs = [connection(user.id), connection(user.id, 'node-2'), connection(user.id)];
    for (const tab of tabs) await publish({ kind: 'connected', ...tab, at: now() });
    await onlineShown(accessToken, true);

    await publish({ kind: 'disconnected', ...tabs[0]!, at: now() });
    await publish({ kind: 'disconnected', ...tabs[1]!, at: now() });
    // Well past the offline grace: a sweep has looked, and the third tab keeps the user online.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await me(accessToken)).online).toBe(true);

    const lastClosedAt = now();
    await publish({ kind: 'disconnected', ...tabs[2]!, at: lastClosedAt });
    await onlineShown(accessToken, false);
    await lastSeenShown(accessToken, lastClosedAt);
    expect(changesOf(user.id).map((change) => change.online)).toEqual([true, false]);
  });

  it('records going offline once when two command-api instances both consume the messages', async () => {
    const second = new PresenceConsumer(
      {
        changeFeed: feed,
        eventStore: await app.infrastructure.eventStore(),
        tracker: new PresenceTracker(await app.infrastructure.keyValue()),
        logger: app.infrastructure.logger,
      },
      { offlineGraceMs: 50 },
    );
    await second.start();
    try {
      const { user, accessToken } = await register();
      const tab = connection(user.id);
      await publish({ kind: 'connected', ...tab, at: now() });
      await publish({ kind: 'heartbeat', nodeId: tab.nodeId, at: now(), connections: [{ userId: user.id, connectionId: tab.connectionId }] });
      const closedAt = now();
      await publish({ kind: 'disconnected', ...tab, at: closedAt });
      await publish({ kind: 'disconnected', ...tab, at: closedAt });
      await onlineShown(accessToken, false);
      await lastSeenShown(accessToken, closedAt);
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(changesOf(user.id).map((change) => change.online)).toEqual([true, false]);
      const events = await (await app.infrastructure.eventStore()).readStream(userStreamId(user.id));
      expect(events.filter((event) => event.type === 'UserWentOffline')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('ignores a message that does not match the schema, and says so in the log', async () => {
    await feed.publish(PRESENCE_CONNECTIONS_TOPIC, { kind: 'connected', userId: 'no:colons' });
    await eventually(async () => (app.logs.text.some((line) => line.includes('ignored a presence message')) ? true : undefined), 'the warning');
  });

  it('keeps last seen through a rebuild of the user directory: it is in the log, not only in the view', async () => {
    const { user, accessToken } = await register();
    const tab = connection(user.id);
    await publish({ kind: 'connected', ...tab, at: now() });
    const closedAt = now();
    await publish({ kind: 'disconnected', ...tab, at: closedAt });
    await lastSeenShown(accessToken, closedAt);

    // What `admin rebuild user-directory` does: a new generation from the start of the log, then the switch.
    const model = findReadModel(USER_DIRECTORY)!;
    const store = await model.projectionStore(app.infrastructure);
    const eventStore = await app.infrastructure.eventStore();
    const next = (await liveGeneration(store.checkpoints, USER_DIRECTORY)) + 1;
    const processor = new ProjectionProcessor({ eventStore, store, projection: await model.projection(app.infrastructure, next), logger: app.infrastructure.logger });
    processor.start();
    await processor.waitUntilCaughtUp(await eventStore.headPosition());
    await processor.stop();
    // Registering set last seen too, earlier: the rebuilt row has the time of going offline from the log.
    const rebuiltRow = await userDirectoryRepository(await app.infrastructure.userViews(), next).get(user.id);
    expect(rebuiltRow?.lastSeenAt).toBe(closedAt);
    expect(Date.parse(closedAt)).toBeGreaterThan(Date.parse(rebuiltRow!.registeredAt));
    await switchLiveGeneration(store.checkpoints, USER_DIRECTORY, next);

    const rebuilt = await eventually(async () => {
      const profile = await me(accessToken);
      return profile.lastSeenAt === closedAt ? profile : undefined;
    }, 'the rebuilt profile');
    expect(rebuilt).toMatchObject({ id: user.id, online: false, lastSeenAt: closedAt });
  });
});
