// Who is online, from what the realtime nodes report about their connections (see presence-messages.ts), kept
// in the key-value store: every command-api and query-api instance sees the same answer, and a crashed node's
// connections expire by themselves.
//
// Keys, all strings:
// - `presence:connection:<userId>:<connectionId>` → node id, living PRESENCE_CONNECTION_TTL_MS, renewed by heartbeats.
//   One per open connection: the truth. A user is connected while one of theirs lives (three tabs, three keys).
// - `presence:online:<userId>` → when they came online; no expiry. The user as last reported. Reports are made
//   by whoever creates it (SET NX) or deletes it (DEL answers 1 to one caller only), so when two consumers apply
//   the same message, or a sweep races a connection, each going online or offline is reported exactly once.
//   Reads (`isOnline`, `onlineAmong`) look only at these: one MGET, and the same answer as the last push.
// - `presence:closed:<userId>:<connectionId>`: written on `disconnected`, living as long as a connection would, so
//   that a `connected` or heartbeat arriving after it (late, repeated, or handled concurrently elsewhere) cannot
//   bring the connection back.
// - `presence:left:<userId>` → the latest `disconnected` time, which becomes the last-seen time.
//
// Coming online is reported at once, by `connected` (or a heartbeat naming a connection the store lost). Going
// offline is reported only by `sweep`, which compares the users reported online with those holding a live
// connection. Callers run it shortly after a `disconnected` (a grace during which a page reload reconnects, so
// the user does not flicker offline and back and no last-seen event is recorded for it) and every few seconds
// for connections that expired. Deciding at each `disconnected` whether it was the user's last connection would
// list the user's keys, and in Redis `keysWithPrefix` is a SCAN of the whole keyspace: a sweep scans it at most
// three times however many users went offline, so the cost follows the sweep rate, not the traffic.
import type { KeyValueStore } from '../key-value/key-value-store';
import { PRESENCE_CONNECTION_TTL_MS } from './presence-messages';

/** A user came online, or went offline; `at` is when they came online, or when they were last seen. */
export interface PresenceTransition {
  readonly userId: string;
  readonly online: boolean;
  readonly at: string;
}

/** One connection, as `connected` and `disconnected` report it. */
export interface ConnectionReport {
  readonly userId: string;
  readonly connectionId: string;
  readonly nodeId: string;
  readonly at: string;
}

export interface HeartbeatReport {
  readonly nodeId: string;
  readonly at: string;
  readonly connections: readonly { readonly userId: string; readonly connectionId: string }[];
}

export interface PresenceTrackerOptions {
  /** How long a connection lives without a heartbeat; tests shorten it. */
  readonly connectionTtlMs?: number;
  /** The clock, in milliseconds, for the last-seen time of connections that expired. */
  readonly now?: () => number;
}

const CONNECTION = 'presence:connection:';
const ONLINE = 'presence:online:';
const CLOSED = 'presence:closed:';
const LEFT = 'presence:left:';

const connectionKey = (userId: string, connectionId: string) => `${CONNECTION}${userId}:${connectionId}`;
const closedKey = (userId: string, connectionId: string) => `${CLOSED}${userId}:${connectionId}`;
const onlineKey = (userId: string) => `${ONLINE}${userId}`;
const leftKey = (userId: string) => `${LEFT}${userId}`;

export class PresenceTracker {
  private readonly connectionTtlMs: number;
  private readonly now: () => number;
  private sweeping?: Promise<PresenceTransition[]>;
  private nextSweep?: Promise<PresenceTransition[]>;

  constructor(
    private readonly store: KeyValueStore,
    options: PresenceTrackerOptions = {},
  ) {
    this.connectionTtlMs = options.connectionTtlMs ?? PRESENCE_CONNECTION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await this.store.get(onlineKey(userId))) !== undefined;
  }

  /** Which of these users are online, with one read. */
  async onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    const unique = [...new Set(userIds)];
    const reported = await this.store.getMany(unique.map(onlineKey));
    return new Set(unique.filter((_, index) => reported[index] !== undefined));
  }

  /** A connection opened (or is still open); reports the user coming online when it is their first. Repeating it changes nothing. */
  async connected(connection: ConnectionReport): Promise<PresenceTransition[]> {
    const { userId, connectionId, nodeId, at } = connection;
    assertUserId(userId);
    const closed = closedKey(userId, connectionId);
    if ((await this.store.get(closed)) !== undefined) return [];
    await this.store.set(connectionKey(userId, connectionId), nodeId, { ttlMs: this.connectionTtlMs });
    // A `disconnected` handled meanwhile (here or by another consumer) may have deleted the key before we wrote
    // it; its mark is written before that delete, so looking again now is enough to undo the write.
    if ((await this.store.get(closed)) !== undefined) {
      await this.store.delete(connectionKey(userId, connectionId));
      return [];
    }
    return (await this.store.setIfAbsent(onlineKey(userId), at)) ? [{ userId, online: true, at }] : [];
  }

  /**
   * A connection closed. Whether it was the user's last one is left to the next `sweep` (see the top of the file).
   * Repeating it, or receiving it before its `connected`, changes nothing more.
   */
  async disconnected(connection: ConnectionReport): Promise<void> {
    const { userId, connectionId, at } = connection;
    assertUserId(userId);
    await this.store.set(closedKey(userId, connectionId), '1', { ttlMs: this.connectionTtlMs });
    await this.store.delete(connectionKey(userId, connectionId));
    // Kept only until the sweep after the grace has used it. Two disconnects of one user racing here may keep
    // the earlier time: the last-seen time is then off by the gap between two closing tabs.
    const left = await this.store.get(leftKey(userId));
    if (left === undefined || Date.parse(left) < Date.parse(at)) await this.store.set(leftKey(userId), at, { ttlMs: this.connectionTtlMs });
  }

  /**
   * Renews every connection the node lists; one it does not know (its `connected` was lost, or it expired while
   * the node could not report) counts as connected now, unless it was closed.
   */
  async heartbeat(heartbeat: HeartbeatReport): Promise<PresenceTransition[]> {
    const { nodeId, at } = heartbeat;
    const transitions = await Promise.all(
      heartbeat.connections.map(async ({ userId, connectionId }) => {
        assertUserId(userId);
        const renewed = await this.store.expire(connectionKey(userId, connectionId), this.connectionTtlMs);
        return renewed ? [] : this.connected({ userId, connectionId, nodeId, at });
      }),
    );
    return transitions.flat();
  }

  /**
   * Reports every user reported online who holds no live connection any more as gone offline (last seen: their
   * last `disconnected`, or for connections that expired the latest time one could have been renewed), and every
   * user holding one but not reported online (a `connected` cut short between its writes) as come online.
   * A call while a sweep runs is served by the next one, so it sees everything that happened before it.
   */
  sweep(): Promise<PresenceTransition[]> {
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce().finally(() => (this.sweeping = undefined));
      return this.sweeping;
    }
    this.nextSweep ??= this.sweeping
      .catch(() => undefined)
      .then(() => {
        this.nextSweep = undefined;
        return this.sweep();
      });
    return this.nextSweep;
  }

  private async sweepOnce(): Promise<PresenceTransition[]> {
    const [reported, connected] = await Promise.all([this.usersUnder(ONLINE), this.usersUnder(CONNECTION)]);
    const now = new Date(this.now()).toISOString();
    const cameOnline = await Promise.all(
      [...connected].filter((userId) => !reported.has(userId)).map(async (userId) => ((await this.store.setIfAbsent(onlineKey(userId), now)) ? [userId] : [])),
    );
    const transitions: PresenceTransition[] = cameOnline.flat().map((userId) => ({ userId, online: true, at: now }));

    const gone = [...reported].filter((userId) => !connected.has(userId));
    if (gone.length === 0) return transitions;
    // When each came online and when they last left, read before the reports are taken away.
    const times = await this.store.getMany([...gone.map(onlineKey), ...gone.map(leftKey)]);
    const taken = await Promise.all(
      gone.map(async (userId, index) => {
        const knownTimes = [times[index], times[gone.length + index]].flatMap((time) => (time === undefined ? [] : [Date.parse(time)]));
        return (await this.store.delete(onlineKey(userId))) ? [{ userId, knownTimes }] : [];
      }),
    );
    if (taken.flat().length === 0) return transitions;
    // A connection that opened after the first look found the user still reported online and said nothing: look
    // again, and put those users back without a report (nobody was told they had gone).
    const reconnected = await this.usersUnder(CONNECTION);
    // A connection that expired was renewed last at least one lifetime ago, and not before the user came online.
    const lastRenewal = this.now() - this.connectionTtlMs;
    for (const { userId, knownTimes } of taken.flat()) {
      if (reconnected.has(userId)) {
        await this.store.setIfAbsent(onlineKey(userId), now);
        continue;
      }
      const lastSeen = Math.max(lastRenewal, ...knownTimes);
      transitions.push({ userId, online: false, at: new Date(lastSeen).toISOString() });
    }
    return transitions;
  }

  /** The user ids in the keys under `prefix` (`presence:online:<userId>`, `presence:connection:<userId>:<connectionId>`). */
  private async usersUnder(prefix: string): Promise<Set<string>> {
    const keys = await this.store.keysWithPrefix(prefix);
    return new Set(keys.map((key) => key.slice(prefix.length).split(':', 1)[0] ?? ''));
  }
}

function assertUserId(userId: string): void {
  if (userId.length === 0 || userId.includes(':')) throw new RangeError(`Not a user id the presence tracker can key: ${JSON.stringify(userId)}`);
}
