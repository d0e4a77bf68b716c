// The gateway's rate limits, per real client address (infra/nginx/nginx.conf.template): a flood of
// login attempts from one address gets 429 with Retry-After and the contract's error body, while
// another address logs in and works as usual, and the flooding address can still use the rest of
// the API (its own zone). A forged X-Forwarded-For changes nothing: nginx keys on the TCP peer.
// The WebSocket connections of one address are limited too.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { type Answer, cluster, freshSourceAddress, GatewayClient } from './cluster';

const PASSWORD = 'correct horse battery staple';

describe('rate limits at the gateway', () => {
  // The flooder's address is new each run: the auth zone remembers an address for a minute.
  const flooder = new GatewayClient(freshSourceAddress());
  const bystander = new GatewayClient('127.0.0.2');
  let username: string;
  let token: string;

  beforeAll(async () => {
    username = `bystander_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const registrar = new GatewayClient(freshSourceAddress());
    const registered = await registrar.post<{ accessToken: string }>('/api/auth/register', { username, password: PASSWORD });
    registrar.close();
    expect(registered.status).toBe(201);
    token = registered.body.accessToken;
  });
  afterAll(() => {
    flooder.close();
    bystander.close();
  });

  it('answers a login flood from one address with 429, Retry-After and the contract body, and serves another address meanwhile', async () => {
    const attempts = 60;
    const flood = Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        flooder.post('/api/auth/login', { username: `guess_${i}`, password: 'hunter2hunter2' }, { headers: { 'x-forwarded-for': `10.9.${i}.1` } }),
      ),
    );
    // The other client, during the flood: logs in and reads.
    const login = await bystander.post<{ accessToken: string }>('/api/auth/login', { username, password: PASSWORD });
    const answers: Answer[] = await flood;

    expect(login.status).toBe(200);
    expect((await bystander.get('/api/users/me', { token: login.body.accessToken })).status).toBe(200);

    const limited = answers.filter((answer) => answer.status === 429);
    const refused = answers.filter((answer) => answer.status === 401);
    // The zone lets a burst of 10 (and the one the rate allows) through to command-api, which says 401.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(12);
    expect(limited.length + refused.length).toBe(attempts);
    for (const answer of limited) {
      expect(answer.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
      expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }

    // Still limited, with a forged address or without one.
    const forged = await flooder.post('/api/auth/login', { username: 'guess', password: 'hunter2hunter2' }, { headers: { 'x-forwarded-for': '10.200.0.1' } });
    expect(forged.status).toBe(429);
    // Authentication has its own zone: the flooding address can still read and send.
    expect((await flooder.get('/api/config')).status).toBe(200);
    expect((await bystander.get('/api/rooms', { token })).status).toBe(200);
  });

  it('limits the WebSockets one address may hold open (20), with 429', async () => {
    const url = `${cluster.gatewayUrl.replace(/^http/, 'ws')}/ws?token=${token}`;
    const open = (sourceAddress: string) =>
      new Promise<{ socket: WebSocket; status: number }>((resolve, reject) => {
        const socket = new WebSocket(url, { localAddress: sourceAddress });
        socket.once('open', () => resolve({ socket, status: 101 }));
        socket.once('unexpected-response', (request, response) => {
          request.destroy();
          resolve({ socket, status: response.statusCode ?? 0 });
        });
        socket.once('error', reject);
      });
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const { socket, status } = await open('127.0.0.4');
        sockets.push(socket);
        expect(status).toBe(101);
      }
      const refused = await open('127.0.0.4');
      expect(refused.status).toBe(429);
      const elsewhere = await open('127.0.0.5');
      sockets.push(elsewhere.socket);
      expect(elsewhere.status).toBe(101);
    } finally {
      for (const socket of sockets) socket.terminate();
    }
  });
});
