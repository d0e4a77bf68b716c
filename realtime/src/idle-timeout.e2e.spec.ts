// Heartbeats and the idle timeout over real connections: uWS pings every connection before its idle timeout, a
// client that answers (as browsers and `ws` do by themselves) stays, one that has gone silent is closed.
import { promises as fs } from 'node:fs';
import net from 'node:net';
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
import WebSocket from 'ws';
import { createRealtimeHttpApp, type ListeningRealtimeApp, listenRealtime } from './http-endpoints';
import { TestClient } from './testing/websocket-test-client';
import { attachWebSocketEndpoint, type WebSocketEndpoint } from './websocket-server';

/** The smallest idle timeout uWS takes. */
const IDLE_TIMEOUT_SECONDS = 8;

describe('realtime heartbeats and idle timeout', () => {
  let keyDir: string;
  let listening: ListeningRealtimeApp;
  let endpoint: WebSocketEndpoint;
  let issuer: AccessTokenIssuer;
  let sessions: SessionRegistry;
  const changeFeed = new InProcessChangeFeed();
  const keyValue = new InProcessKeyValueStore();

  beforeAll(async () => {
    keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'realtime-keys-'));
    const keys = { kind: 'directory', dir: keyDir, generateIfMissing: true } as const;
    issuer = new AccessTokenIssuer(await loadSigningKey(keys));
    sessions = new SessionRegistry(keyValue);
    const app = createRealtimeHttpApp({ serviceName: 'realtime', readinessChecks: [] });
    endpoint = await attachWebSocketEndpoint(app, {
      changeFeed,
      verifier: new AccessTokenVerifier(await loadPublicKeySet(keys)),
      sessions,
      membership: { roomsOf: async () => [] },
      missedMessages: { after: async () => [] },
      logger: createLogger({ serviceName: 'realtime', level: 'silent' }),
      limits: { idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS },
    });
    listening = await listenRealtime(app, '127.0.0.1', 0);
  });

  afterAll(async () => {
    await endpoint.close();
    listening.stopListening();
    listening.closeConnections();
    await changeFeed.close();
    await keyValue.close();
    await fs.rm(keyDir, { recursive: true, force: true });
  });

  async function tokenFor(userId: string): Promise<string> {
    const user = { userId, sessionId: `${userId}-session` };
    await sessions.markLive(user);
    return (await issuer.issue(user)).accessToken;
  }

  /** A WebSocket handshake by hand, after which the client never sends a byte (not even a pong). */
  async function silentClient(token: string): Promise<{ received: () => string; closed: Promise<void> }> {
    const socket = net.connect(listening.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      [`GET /ws?token=${token} HTTP/1.1`, 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
    );
    return { received: () => received, closed };
  }

  it('closes a connection that stops answering, and keeps one that answers the pings', async () => {
    const silent = await silentClient(await tokenFor('ann'));
    const answering = new TestClient(new WebSocket(`ws://127.0.0.1:${listening.port}/ws?token=${await tokenFor('bob')}`));
    await answering.open();
    await answering.next((frame) => frame.type === 'authenticated');
    await silent.closed;
    expect(silent.received()).toContain('101 Switching Protocols');
    // Connected as long as the silent one, idle but for the pongs `ws` sends by itself.
    await answering.roundTrip();
    answering.close();
  }, (IDLE_TIMEOUT_SECONDS * 2 + 10) * 1000);
});
