import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { LeanHttpClient } from './lean-http';

interface Answer {
  readonly status: number | undefined;
  readonly error?: Error;
}

interface ReceivedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface TestServer {
  readonly port: number;
  /** How many TCP connections the server accepted. */
  connections(): number;
  /** How many of them have closed. */
  closedConnections(): number;
}

const toClose: (() => void)[] = [];

afterEach(() => {
  for (const close of toClose.splice(0)) close();
});

function client(port: number, maxConnections: number): LeanHttpClient {
  const lean = new LeanHttpClient(port, maxConnections);
  toClose.push(() => lean.close());
  return lean;
}

function post(lean: LeanHttpClient, path = '/api/rooms/r/messages', body = '{"text":"hi"}', token?: string): Promise<Answer> {
  return new Promise((resolve) => lean.post(path, body, token, (status, error) => resolve({ status, ...(error ? { error } : {}) })));
}

async function listen(server: net.Server): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let closedConnections = 0;
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => (closedConnections += 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  toClose.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, connections: () => sockets.size, closedConnections: () => closedConnections };
}

/** A node:http server; `answer` sees each request with its body read. */
function httpServer(answer: (request: ReceivedRequest, response: http.ServerResponse) => void): Promise<TestServer> {
  return listen(
    http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => answer({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() }, response));
    }),
  );
}

/** A bare TCP server that writes `answers[i]` (raw bytes, by `write`) once the i-th request on a connection is in whole. */
function rawServer(answers: readonly string[], write: (socket: net.Socket, answer: string) => void): Promise<TestServer> {
  return listen(
    net.createServer((socket) => {
      socket.setNoDelay(true);
      let received = '';
      let answered = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        for (;;) {
          const headEnd = received.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(received.slice(0, headEnd))?.[1] ?? 0);
          if (received.length < headEnd + 4 + length) return;
          received = received.slice(headEnd + 4 + length);
          const answer = answers[answered++];
          if (answer !== undefined) write(socket, answer);
        }
      });
    }),
  );
}

function writeByteByByte(socket: net.Socket, answer: string): void {
  const bytes = Buffer.from(answer, 'latin1');
  let next = 0;
  const writeNext = () => {
    if (next === bytes.length || socket.destroyed) return;
    socket.write(bytes.subarray(next, ++next));
    setTimeout(writeNext, 1);
  };
  writeNext();
}

describe('LeanHttpClient', () => {
  it('posts the body as JSON with its byte length and the bearer token, and answers the status', async () => {
    const received: ReceivedRequest[] = [];
    const server = await httpServer((request, response) => {
      received.push(request);
      response.writeHead(201, { 'content-type': 'application/json', 'content-length': 11 }).end('{"seq":417}');
    });
    const body = JSON.stringify({ clientMessageId: 'c-1', text: 'héllo ✓' });

    const answer = await post(client(server.port, 4), '/api/rooms/room-7/messages', body, 'token-abc');

    expect(answer).toEqual({ status: 201 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/api/rooms/room-7/messages', body });
    expect(received[0]!.headers).toMatchObject({
      host: `127.0.0.1:${server.port}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      authorization: 'Bearer token-abc',
    });
  });

  it('sends no authorization header without a token', async () => {
    const received: ReceivedRequest[] = [];
    const server = await httpServer((request, response) => {
      received.push(request);
      response.writeHead(201).end();
    });

    expect(await post(client(server.port, 1), '/x', '{}', undefined)).toEqual({ status: 201 });
    expect(received[0]!.headers.authorization).toBeUndefined();
  });

  it('reads chunked answers to their end, so each next answer on the connection reads right', async () => {
    let count = 0;
    const server = await httpServer((_request, response) => {
      // No content-length: node:http sends the body in chunks.
      response.writeHead(200 + ++count);
      response.write('first part, ');
      response.write('x'.repeat(5_000));
      response.end(' and the last');
    });
    const lean = client(server.port, 1);

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(lean)).status);

    expect(statuses).toEqual([201, 202, 203]);
    expect(server.connections()).toBe(1);
  });

  it('answers a 4xx with its status, no error, and reads the next answer on the connection right', async () => {
    let count = 0;
    const server = await httpServer((_request, response) => {
      const body = ++count === 1 ? '{"error":"NotAMember","message":"not a member of this room"}' : '{}';
      response.writeHead(count === 1 ? 403 : 201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    const lean = client(server.port, 1);

    expect(await post(lean)).toEqual({ status: 403 });
    expect(await post(lean)).toEqual({ status: 201 });
    expect(server.connections()).toBe(1);
  });

  it('reads answers that arrive one byte at a time, chunked with a trailer and by content-length', async () => {
    const server = await rawServer(
      [
        'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n',
        'HTTP/1.1 202 Accepted\r\ncOnTeNt-LeNgTh: 12\r\n\r\n{"seq":4242}',
      ],
      writeByteByByte,
    );
    const lean = client(server.port, 1);

    expect(await post(lean)).toEqual({ status: 201 });
    expect(await post(lean)).toEqual({ status: 202 });
    expect(server.connections()).toBe(1);
  });

  it('reads an answer after an interim 100 Continue', async () => {
    const server = await rawServer(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}'], (socket, answer) => socket.write(answer));

    expect(await post(client(server.port, 1))).toEqual({ status: 201 });
  });

  it('reads an answer whose body runs to the end of the connection', async () => {
    const server = await rawServer(['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe whole body'], (socket, answer) => socket.end(answer));

    expect(await post(client(server.port, 1))).toEqual({ status: 200 });
  });

  it('fails a request whose answer is not HTTP', async () => {
    const server = await rawServer(['SSH-2.0-OpenSSH_9.6\r\n\r\n'], (socket, answer) => socket.write(answer));

    const answer = await post(client(server.port, 1));

    expect(answer.status).toBeUndefined();
    expect(answer.error?.message).toMatch(/not an HTTP\/1\.x status line/);
  });

  it('uses one connection for requests one after another', async () => {
    const server = await httpServer((_request, response) => response.writeHead(201, { 'content-length': 2 }).end('{}'));
    const lean = client(server.port, 8);

    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await post(lean)).status);

    expect(statuses).toEqual(Array(20).fill(201));
    expect(server.connections()).toBe(1);
  });

  it('queues the requests beyond maxConnections, never sends two on one connection at once, and answers them all', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const server = await httpServer((_request, response) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(201, { 'content-length': 2 }).end('{}');
      }, 10);
    });
    const lean = client(server.port, 4);

    const answers = await Promise.all(Array.from({ length: 60 }, () => post(lean)));

    expect(answers).toEqual(Array(60).fill({ status: 201 }));
    expect(server.connections()).toBe(4);
    expect(mostInFlight).toBe(4);
  });

  it('opens a new connection after an answer with connection: close', async () => {
    let count = 0;
    const server = await httpServer((_request, response) => {
      if (++count === 1) response.setHeader('connection', 'close');
      response.writeHead(201, { 'content-length': 2 }).end('{}');
    });
    const lean = client(server.port, 1);

    expect(await post(lean)).toEqual({ status: 201 });
    expect(await post(lean)).toEqual({ status: 201 });
    expect(server.connections()).toBe(2);
  });

  it.each([
    ['HTTP/1.1 with connection: close', 'HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}'],
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 201 Created\r\nContent-Length: 2\r\n\r\n{}'],
  ])('closes the connection itself after an answer in %s', async (_kind, answer) => {
    // The server leaves each connection open: only the client ends it.
    const server = await rawServer([answer], (socket, text) => socket.write(text));
    const lean = client(server.port, 1);

    expect(await post(lean)).toEqual({ status: 201 });
    expect(await post(lean)).toEqual({ status: 201 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.connections()).toBe(2);
    expect(server.closedConnections()).toBe(2);
  });

  it('opens a new connection in place of an idle one the server closed', async () => {
    // As a keep-alive timeout does (node:http's is a second at the least).
    const server = await rawServer(['HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}'], (socket, answer) => {
      socket.write(answer);
      setTimeout(() => socket.end(), 20);
    });
    const lean = client(server.port, 1);

    expect(await post(lean)).toEqual({ status: 201 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await post(lean)).toEqual({ status: 201 });
    expect(server.connections()).toBe(2);
  });

  it('fails the request whose connection the server destroys mid-answer, and answers the ones after it', async () => {
    const server = await httpServer((request, response) => {
      if (request.url === '/break') {
        response.writeHead(201, { 'content-length': 100 });
        response.write('{"seq":', () => response.socket?.destroy());
      } else response.writeHead(201, { 'content-length': 2 }).end('{}');
    });
    const lean = client(server.port, 2);

    const broken = await post(lean, '/break');
    const after = await Promise.all([post(lean), post(lean), post(lean)]);

    expect(broken.status).toBeUndefined();
    expect(broken.error).toBeInstanceOf(Error);
    expect(after).toEqual([{ status: 201 }, { status: 201 }, { status: 201 }]);
  });

  it('fails a request it cannot connect for with the socket error', async () => {
    const server = await listen(net.createServer());
    toClose.pop()!();
    const lean = client(server.port, 2);

    const answers = await Promise.all([post(lean), post(lean), post(lean)]);

    for (const answer of answers) {
      expect(answer.status).toBeUndefined();
      expect(answer.error?.message).toMatch(/ECONNREFUSED/);
    }
  });

  it('when closed, fails the requests sent and waiting, and any request after', async () => {
    const server = await rawServer([], () => undefined);
    const lean = new LeanHttpClient(server.port, 1);
    const unanswered = [post(lean), post(lean), post(lean)];
    await new Promise((resolve) => setTimeout(resolve, 20));

    lean.close();
    const answers = [...(await Promise.all(unanswered)), await post(lean)];

    for (const answer of answers) {
      expect(answer.status).toBeUndefined();
      expect(answer.error?.message).toMatch(/closed/);
    }
  });
});
