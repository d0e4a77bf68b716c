// realtime as one piece: its uWS app (health, metrics and the `/ws` endpoint) over the stores of an
// Infrastructure, listening on a port of its own. The realtime process and the embedded app both start it.
import { AccessTokenVerifier, type Infrastructure, loadPublicKeySet, type Logger, type PublicKeySet, SessionRegistry } from '@chat/platform';
import { createRealtimeHttpApp, listenRealtime } from './http-endpoints';
import { ReadModelRooms } from './room-membership';
import { attachWebSocketEndpoint, type WebSocketLimits } from './websocket-server';

export interface StartRealtimeOptions {
  readonly infrastructure: Infrastructure;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  readonly limits?: Partial<WebSocketLimits>;
  /** The keys that verify access tokens, when the caller has them already; loaded from the configuration otherwise. */
  readonly publicKeys?: PublicKeySet;
}

export interface RunningRealtime {
  readonly port: number;
  /** Stops listening and closes every connection; the infrastructure stays open (its owner closes it). */
  stop(): Promise<void>;
}

export async function startRealtime(options: StartRealtimeOptions): Promise<RunningRealtime> {
  const { infrastructure, logger } = options;
  const { config } = infrastructure;
  const app = createRealtimeHttpApp({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() });
  const rooms = new ReadModelRooms(await infrastructure.documents());
  const endpoint = await attachWebSocketEndpoint(app, {
    changeFeed: await infrastructure.changeFeed(),
    verifier: new AccessTokenVerifier(options.publicKeys ?? (await loadPublicKeySet(config.auth.keys))),
    sessions: new SessionRegistry(await infrastructure.keyValue()),
    membership: rooms,
    missedMessages: rooms,
    logger,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const listening = await listenRealtime(app, options.host, options.port);
  return {
    port: listening.port,
    stop: async () => {
      listening.stopListening();
      await endpoint.close();
      listening.closeConnections();
    },
  };
}
