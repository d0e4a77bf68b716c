// A WebSocket client for the tests of the `/ws` endpoint: it keeps every frame it receives and can wait for
// the next one matching a test.
import WebSocket from 'ws';

export interface Frame {
  readonly type: string;
  readonly roomId?: string;
  readonly seq?: number;
  readonly data?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
}

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly opened: Promise<void>;
  private waiters: { test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  constructor(readonly socket: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(test: (frame: Frame) => boolean, timeoutMs = 2000): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.waiters.push({ test, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
    });
  }

  /** A ping answered means every frame sent before it was handled (and, once authenticated, the rooms joined). */
  async roundTrip(): Promise<void> {
    const pongsBefore = this.frames.filter((frame) => frame.type === 'pong').length;
    this.send({ type: 'ping' });
    await this.next(() => this.frames.filter((frame) => frame.type === 'pong').length > pongsBefore);
  }

  close(): void {
    this.socket.close();
  }
}
