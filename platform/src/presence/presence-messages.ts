// The presence messages on the change feed, between the realtime nodes (which hold the WebSocket connections)
// and command-api (which keeps the presence tracker and records last seen):
//
//   realtime ── `presence.connections` ──► command-api    a connection opened or closed; every node's heartbeat
//   realtime ◄── `presence.changes` ────── command-api    a user came online or went offline
//
// Realtime publishes, for each WebSocket that authenticated:
// - `connected` once authenticated, `disconnected` when the socket closes (for any reason, also on a clean
//   shutdown of the node when it can);
// - every PRESENCE_HEARTBEAT_INTERVAL_MS, a `heartbeat` listing every connection it holds, split over several
//   messages of at most PRESENCE_HEARTBEAT_MAX_CONNECTIONS when it has more. A connection that no heartbeat
//   renews for PRESENCE_CONNECTION_TTL_MS is taken as gone: that is how a crashed node's users go offline.
// Delivery is at-most-once and may be late or repeated (two command-api instances each receive every message);
// the tracker is built for that, so realtime needs no acknowledgement and no retry: the next heartbeat repairs
// what a lost message left behind.
//
// `presence.changes` tells realtime whom to push a `presence` frame about. Changes about one user may come from
// two command-api instances, so two can arrive out of order: keep, per user, the one with the later `lastSeenAt`.
import { z } from 'zod';

export const PRESENCE_CONNECTIONS_TOPIC = 'presence.connections';
export const PRESENCE_CHANGES_TOPIC = 'presence.changes';

/** How often each realtime node sends its heartbeat. */
export const PRESENCE_HEARTBEAT_INTERVAL_MS = 20_000;
/** A connection no heartbeat renewed for this long is gone (three heartbeats missed): its node crashed or lost the bus. */
export const PRESENCE_CONNECTION_TTL_MS = 60_000;
/** The most connections one heartbeat message lists; a node with more sends several in the same round. */
export const PRESENCE_HEARTBEAT_MAX_CONNECTIONS = 1_000;

const isoTime = z.iso.datetime().meta({ description: 'ISO-8601 UTC, by the sender’s clock', example: '2026-03-01T10:00:00.000Z' });
// The tracker keeps a connection under `<userId>:<connectionId>`, so a user id must not hold a colon (UUIDs do not).
const userId = z.string().min(1).max(128).regex(/^[^:]+$/, 'a user id holds no ":"').meta({ description: 'The user the access token named' });
const connectionId = z.string().min(1).max(128).meta({ description: 'Unique among all connections of all nodes (a UUID per WebSocket)' });
const nodeId = z.string().min(1).max(128).meta({ description: 'The realtime node holding the connection (its instance id)' });

export const connectionOpenedSchema = z
  .object({ kind: z.literal('connected'), userId, connectionId, nodeId, at: isoTime })
  .meta({ id: 'PresenceConnected', description: 'A WebSocket authenticated' });

export const connectionClosedSchema = z
  .object({ kind: z.literal('disconnected'), userId, connectionId, nodeId, at: isoTime })
  .meta({ id: 'PresenceDisconnected', description: 'A WebSocket closed; `at` is when the user was last seen on it' });

export const presenceHeartbeatSchema = z
  .object({
    kind: z.literal('heartbeat'),
    nodeId,
    at: isoTime,
    connections: z.array(z.object({ userId, connectionId })).max(PRESENCE_HEARTBEAT_MAX_CONNECTIONS),
  })
  .meta({ id: 'PresenceHeartbeat', description: 'Connections the node still holds (all of them, or one part of them)' });

/** What realtime publishes on `presence.connections`. */
export const presenceConnectionMessageSchema = z.discriminatedUnion('kind', [connectionOpenedSchema, connectionClosedSchema, presenceHeartbeatSchema]);

/** What command-api publishes on `presence.changes`. */
export const presenceChangeSchema = z
  .object({
    userId,
    online: z.boolean(),
    lastSeenAt: isoTime.meta({
      description: 'Online: when the user came online. Offline: when they were last seen (their last connection closed, or was last known to be open)',
    }),
  })
  .meta({ id: 'PresenceChange' });

export type ConnectionOpened = z.infer<typeof connectionOpenedSchema>;
export type ConnectionClosed = z.infer<typeof connectionClosedSchema>;
export type PresenceHeartbeat = z.infer<typeof presenceHeartbeatSchema>;
export type PresenceConnectionMessage = z.infer<typeof presenceConnectionMessageSchema>;
export type PresenceChange = z.infer<typeof presenceChangeSchema>;
