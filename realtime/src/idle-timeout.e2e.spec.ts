// Heartbeats and the idle timeout over real connections: uWS pings every connection before its idle timeout, a
// client that answers (as browsers and `ws` do by themselves) stays, one that has gone silent is closed.
import net from 'node:net';
import WebSocket from 'ws';
import { startTestEndpoint, type TestEndpoint } from './testing/test-endpoint';
import { TestClient } from './testing/websocket-test-client';

/** The smallest idle timeout uWS takes. */
const IDLE_TIMEOUT_SECONDS = 8;

describe('realtime heartbeats and idle timeout', () => {
  let realtime: TestEndpoint;

  beforeAll(async () => {
    realtime = await startTestEndpoint({
      membership: { roomsOf: async () => [] },
      missedMessages: { after: async () => [] },
      limits: { idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS },
    });
  });

  afterAll(() => realtime.close());

  const tokenFor = (userId: string) => realtime.tokenFor({ userId, sessionId: `${userId}-session` });

  /** A WebSocket handshake by hand, after which the client never sends a byte (not even a pong). */
  async function silentClient(token: string): Promise<{ received: () => string; closed: Promise<void> }> {
    const socket = net.connect(realtime.port, '127.0.0.1');
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
    const answering = new TestClient(new WebSocket(`ws://127.0.0.1:${realtime.port}/ws?token=${await tokenFor('bob')}`));
    await answering.open();
    await answering.next((frame) => frame.type === 'authenticated');
    await silent.closed;
    expect(silent.received()).toContain('101 Switching Protocols');
    // Connected as long as the silent one, idle but for the pongs `ws` sends by itself.
    await answering.roundTrip();
    answering.close();
  }, (IDLE_TIMEOUT_SECONDS * 2 + 10) * 1000);
});
