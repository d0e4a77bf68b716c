// The `/ws` endpoint of the suites that drive it over real connections: a uWS app on a free port, the
// in-process change feed and key-value store, and access tokens signed with a key made for the suite.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AccessTokenIssuer,
  AccessTokenVerifier,
  createLogger,
  InProcessChangeFeed,
  InProcessKeyValueStore,
  loadPublicKeySet,
  loadSigningKey,
  SessionRegistry,
} from '@chat/platform';
import { createRealtimeHttpApp, listenRealtime } from '../http-endpoints';
import { attachWebSocketEndpoint, type WebSocketEndpointOptions } from '../websocket-server';

export type TestEndpointOptions = Omit<WebSocketEndpointOptions, 'changeFeed' | 'verifier' | 'sessions' | 'logger'>;

export interface TestEndpoint {
  readonly port: number;
  readonly changeFeed: InProcessChangeFeed;
  readonly sessions: SessionRegistry;
  /** An access token of the session, marked live in the registry unless `live` is false. */
  tokenFor(user: { userId: string; sessionId: string }, options?: { live?: boolean; issuedAt?: Date }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestEndpoint(options: TestEndpointOptions): Promise<TestEndpoint> {
  const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'realtime-keys-'));
  const keys = { kind: 'directory', dir: keyDir, generateIfMissing: true } as const;
  const issuer = new AccessTokenIssuer(await loadSigningKey(keys));
  const changeFeed = new InProcessChangeFeed();
  const keyValue = new InProcessKeyValueStore();
  const sessions = new SessionRegistry(keyValue);
  const app = createRealtimeHttpApp({ serviceName: 'realtime', readinessChecks: [] });
  const endpoint = await attachWebSocketEndpoint(app, {
    ...options,
    changeFeed,
    verifier: new AccessTokenVerifier(await loadPublicKeySet(keys)),
    sessions,
    logger: createLogger({ serviceName: 'realtime', level: 'silent' }),
  });
  const listening = await listenRealtime(app, '127.0.0.1', 0);
  return {
    port: listening.port,
    changeFeed,
    sessions,
    tokenFor: async (user, { live = true, issuedAt } = {}) => {
      if (live) await sessions.markLive(user);
      return (await issuer.issue(user, issuedAt)).accessToken;
    },
    close: async () => {
      await endpoint.close();
      listening.stopListening();
      listening.closeConnections();
      await changeFeed.close();
      await keyValue.close();
      await fs.rm(keyDir, { recursive: true, force: true });
    },
  };
}
