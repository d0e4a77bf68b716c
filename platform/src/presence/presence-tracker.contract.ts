// How the presence tracker behaves on any key-value store: the in-process one (unit) and Redis (integration).
// Expiry is real time with short lifetimes, as in the key-value contract, so a store whose expiry is wrong fails here.
import type { KeyValueStore } from '../key-value/key-value-store';
import { type ConnectionReport, PresenceTracker, type PresenceTransition } from './presence-tracker';

export interface PresenceStoreFixture {
  readonly store: KeyValueStore;
  cleanup(): Promise<void>;
}

const TTL_MS = 300;
const PAST_TTL_MS = 700;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number) => new Date(ms).toISOString();
const offline = (userId: string, at: string): PresenceTransition => ({ userId, online: false, at });
const online = (userId: string, at: string): PresenceTransition => ({ userId, online: true, at });

export function presenceTrackerContract(makeStore: () => Promise<PresenceStoreFixture>): void {
  let fixture: PresenceStoreFixture;
  let tracker: PresenceTracker;
  let clock: number;
  /**
   * A time after every earlier one, like the `at` of successive messages; a minute ahead of the real clock, so
   * that a last-seen time taken from a message is always later than one the sweep derives from the real clock.
   */
  const tick = () => iso((clock += 1_000));
  const tab = (userId: string, connectionId: string, nodeId = 'node-a'): Omit<ConnectionReport, 'at'> => ({ userId, connectionId, nodeId });

  beforeEach(async () => {
    fixture = await makeStore();
    tracker = new PresenceTracker(fixture.store, { connectionTtlMs: TTL_MS });
    clock = Date.now() + 60_000;
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  it('reports a user online at their first connection, and answers so', async () => {
    expect(await tracker.isOnline('alice')).toBe(false);
    const at = tick();

    expect(await tracker.connected({ ...tab('alice', 'c1'), at })).toEqual([online('alice', at)]);

    expect(await tracker.isOnline('alice')).toBe(true);
    expect(await tracker.sweep()).toEqual([]);
  });

  it('keeps a user with three tabs online until the last one closes, then reports when they were last seen', async () => {
    const openedAt = tick();
    expect(await tracker.connected({ ...tab('alice', 'tab-1'), at: openedAt })).toEqual([online('alice', openedAt)]);
    expect(await tracker.connected({ ...tab('alice', 'tab-2', 'node-b'), at: tick() })).toEqual([]);
    expect(await tracker.connected({ ...tab('alice', 'tab-3'), at: tick() })).toEqual([]);

    await tracker.disconnected({ ...tab('alice', 'tab-1'), at: tick() });
    await tracker.disconnected({ ...tab('alice', 'tab-3'), at: tick() });
    expect(await tracker.sweep()).toEqual([]);
    expect(await tracker.isOnline('alice')).toBe(true);

    const lastClosedAt = tick();
    await tracker.disconnected({ ...tab('alice', 'tab-2', 'node-b'), at: lastClosedAt });
    expect(await tracker.isOnline('alice')).toBe(true);
    expect(await tracker.sweep()).toEqual([offline('alice', lastClosedAt)]);
    expect(await tracker.isOnline('alice')).toBe(false);
  });

  it('reports nothing when a tab reconnects before the sweep: a page reload is not going offline', async () => {
    await tracker.connected({ ...tab('alice', 'before-reload'), at: tick() });
    await tracker.disconnected({ ...tab('alice', 'before-reload'), at: tick() });
    expect(await tracker.connected({ ...tab('alice', 'after-reload'), at: tick() })).toEqual([]);

    expect(await tracker.sweep()).toEqual([]);
    expect(await tracker.isOnline('alice')).toBe(true);
  });

  it('answers which of many users are online with one call', async () => {
    await tracker.connected({ ...tab('alice', 'c1'), at: tick() });
    await tracker.connected({ ...tab('carol', 'c2'), at: tick() });

    const found = await tracker.onlineAmong(['bob', 'alice', 'carol', 'alice', 'nobody']);

    expect([...found].sort()).toEqual(['alice', 'carol']);
    expect(await tracker.onlineAmong([])).toEqual(new Set());
  });

  describe('repeated and late messages', () => {
    it('reports each going online and offline once, however often the messages come', async () => {
      const connection = tab('alice', 'c1');
      const openedAt = tick();
      const closedAt = tick();

      expect(await tracker.connected({ ...connection, at: openedAt })).toEqual([online('alice', openedAt)]);
      expect(await tracker.connected({ ...connection, at: openedAt })).toEqual([]);
      expect(await tracker.heartbeat({ nodeId: 'node-a', at: tick(), connections: [connection] })).toEqual([]);
      await tracker.disconnected({ ...connection, at: closedAt });
      await tracker.disconnected({ ...connection, at: closedAt });

      expect(await tracker.sweep()).toEqual([offline('alice', closedAt)]);
      expect(await tracker.sweep()).toEqual([]);
    });

    it('does not bring a connection back when its connected arrives after its disconnected', async () => {
      const connection = tab('alice', 'c1');
      await tracker.disconnected({ ...connection, at: tick() });

      expect(await tracker.connected({ ...connection, at: tick() })).toEqual([]);

      expect(await tracker.isOnline('alice')).toBe(false);
      expect(await tracker.sweep()).toEqual([]);
    });

    it('does not bring a closed connection back when a heartbeat sent before the close arrives after it', async () => {
      const connection = tab('alice', 'c1');
      await tracker.connected({ ...connection, at: tick() });
      const closedAt = tick();
      await tracker.disconnected({ ...connection, at: closedAt });

      expect(await tracker.heartbeat({ nodeId: 'node-a', at: tick(), connections: [connection] })).toEqual([]);

      expect(await tracker.sweep()).toEqual([offline('alice', closedAt)]);
    });

    it('takes a connection a heartbeat names but the store does not know as connected: its connected was lost', async () => {
      const at = tick();

      expect(await tracker.heartbeat({ nodeId: 'node-a', at, connections: [tab('alice', 'c1'), tab('alice', 'c2'), tab('bob', 'c3')] })).toEqual(
        expect.arrayContaining([online('alice', at), online('bob', at)]),
      );

      expect([...(await tracker.onlineAmong(['alice', 'bob']))].sort()).toEqual(['alice', 'bob']);
    });
  });

  describe('expiry', () => {
    it('takes a crashed node’s users offline once its connections expire, and keeps the users of a node that still beats', async () => {
      const connectedAt = Date.now();
      await tracker.connected({ ...tab('alice', 'a1', 'crashed'), at: iso(connectedAt) });
      await tracker.connected({ ...tab('bob', 'b1', 'alive'), at: iso(connectedAt) });
      await tracker.connected({ ...tab('carol', 'c-crashed', 'crashed'), at: iso(connectedAt) });
      await tracker.connected({ ...tab('carol', 'c-alive', 'alive'), at: iso(connectedAt) });
      const alive = { nodeId: 'alive', connections: [tab('bob', 'b1'), tab('carol', 'c-alive')] };

      for (let beat = 0; beat < 7; beat++) {
        await sleep(TTL_MS / 3);
        await tracker.heartbeat({ ...alive, at: iso(Date.now()) });
      }
      const sweptAt = Date.now();
      const transitions = await tracker.sweep();

      expect(transitions).toEqual([offline('alice', expect.any(String) as string)]);
      // The last renewal of an expired connection is at least one lifetime back.
      const lastSeen = Date.parse(transitions[0]!.at);
      expect(lastSeen).toBeGreaterThanOrEqual(connectedAt);
      expect(lastSeen).toBeLessThanOrEqual(sweptAt - TTL_MS + 50);
      expect([...(await tracker.onlineAmong(['alice', 'bob', 'carol']))].sort()).toEqual(['bob', 'carol']);
    });

    it('answers online until the sweep reports the user gone: reads agree with what was pushed', async () => {
      await tracker.connected({ ...tab('alice', 'c1'), at: iso(Date.now()) });
      await sleep(PAST_TTL_MS);

      expect(await tracker.isOnline('alice')).toBe(true);
      expect(await tracker.sweep()).toHaveLength(1);
      expect(await tracker.isOnline('alice')).toBe(false);
    });

    it('reports a user back online when a heartbeat names a connection that had expired', async () => {
      const connection = tab('alice', 'c1');
      await tracker.connected({ ...connection, at: iso(Date.now()) });
      await sleep(PAST_TTL_MS);
      await tracker.sweep();

      const at = iso(Date.now());
      expect(await tracker.heartbeat({ nodeId: 'node-a', at, connections: [connection] })).toEqual([online('alice', at)]);
      expect(await tracker.isOnline('alice')).toBe(true);
    });
  });

  describe('two consumers of the same messages', () => {
    let other: PresenceTracker;

    beforeEach(() => {
      other = new PresenceTracker(fixture.store, { connectionTtlMs: TTL_MS });
    });

    it('report each going online and offline once between them', async () => {
      const messages = [
        { ...tab('alice', 'tab-1'), at: tick() },
        { ...tab('alice', 'tab-2'), at: tick() },
        { ...tab('bob', 'tab-3'), at: tick() },
      ];
      const cameOnline = await Promise.all(messages.flatMap((message) => [tracker.connected(message), other.connected(message)]));
      expect(cameOnline.flat().map((transition) => transition.userId).sort()).toEqual(['alice', 'bob']);

      await Promise.all(messages.flatMap((message) => [tracker.disconnected(message), other.disconnected(message)]));
      const wentOffline = await Promise.all([tracker.sweep(), other.sweep(), tracker.sweep(), other.sweep()]);

      expect(wentOffline.flat().map((transition) => transition.userId).sort()).toEqual(['alice', 'bob']);
      expect(await tracker.onlineAmong(['alice', 'bob'])).toEqual(new Set());
    });

    it('do not lose a connection that opens while the other sweeps the user away', async () => {
      await tracker.connected({ ...tab('alice', 'old'), at: tick() });
      await tracker.disconnected({ ...tab('alice', 'old'), at: tick() });

      const [swept, reconnected] = await Promise.all([other.sweep(), tracker.connected({ ...tab('alice', 'new'), at: tick() })]);
      const settled = await tracker.sweep();

      // Whatever the interleaving, the reports end with alice online, and so does the store.
      const reports = [...swept, ...reconnected, ...settled].filter((transition) => transition.userId === 'alice');
      if (reports.length > 0) expect(reports.at(-1)?.online).toBe(true);
      expect(await tracker.isOnline('alice')).toBe(true);
    });
  });
}
