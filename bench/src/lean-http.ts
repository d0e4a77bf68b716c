// The realtime bench's HTTP sender: keep-alive HTTP/1.1 POSTs to 127.0.0.1 over a pool of bare TCP
// sockets, answering each with its status only. node:http's client (agent, ClientRequest, IncomingMessage,
// their streams and events) cost the load generator most of its CPU at a few thousand sends a second,
// taken from the server under test; this writes one string per request and reads the answer's bytes.
import net from 'node:net';

/** Called once per request: with the answer's status, or with the error that left it unanswered. */
export type Answered = (status: number | undefined, error?: Error) => void;

interface PendingRequest {
  readonly text: string;
  readonly done: Answered;
}

interface HttpResponse {
  readonly status: number;
  readonly keepAlive: boolean;
}

type ReaderState = 'head' | 'length' | 'chunkSize' | 'chunkData' | 'trailer' | 'untilClose';

const HEAD_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');

/**
 * Reads the responses of one connection out of its byte stream, to the end of each body (by its
 * content-length, its chunks, or the connection's end), so the next one starts at the right byte.
 * A part of a head or of a chunk line waits for the rest; bodies are skipped, never kept.
 */
class ResponseReader {
  private state: ReaderState = 'head';
  private pending: Buffer | undefined;
  private status = 0;
  private keepAlive = true;
  /** Of the body (`length`) or of the chunk and the CRLF after it (`chunkData`). */
  private remaining = 0;

  /** Throws on bytes that are not an HTTP/1.x response. */
  push(chunk: Buffer, onResponse: (response: HttpResponse) => void): void {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (offset < buffer.length) {
      switch (this.state) {
        case 'head': {
          const end = buffer.indexOf(HEAD_END, offset);
          if (end < 0) return this.keep(buffer, offset);
          this.readHead(buffer.toString('latin1', offset, end), onResponse);
          offset = end + HEAD_END.length;
          break;
        }
        case 'length':
        case 'chunkData': {
          const taken = Math.min(this.remaining, buffer.length - offset);
          this.remaining -= taken;
          offset += taken;
          if (this.remaining > 0) break;
          if (this.state === 'length') this.complete(onResponse);
          else this.state = 'chunkSize';
          break;
        }
        case 'chunkSize': {
          const end = buffer.indexOf(LINE_END, offset);
          if (end < 0) return this.keep(buffer, offset);
          const line = buffer.toString('latin1', offset, end);
          const size = /^[0-9a-fA-F]+/.exec(line);
          if (!size) throw new Error(`not a chunk size: ${JSON.stringify(line)}`);
          const length = parseInt(size[0], 16);
          // The CRLF that ends a chunk's data is skipped with it.
          if (length > 0) {
            this.state = 'chunkData';
            this.remaining = length + LINE_END.length;
          } else this.state = 'trailer';
          offset = end + LINE_END.length;
          break;
        }
        case 'trailer': {
          const end = buffer.indexOf(LINE_END, offset);
          if (end < 0) return this.keep(buffer, offset);
          if (end === offset) this.complete(onResponse);
          offset = end + LINE_END.length;
          break;
        }
        case 'untilClose':
          return;
      }
    }
  }

  /** At the connection's end: the status of a response whose body the end completes, if one was being read. */
  end(): number | undefined {
    return this.state === 'untilClose' ? this.status : undefined;
  }

  /** Copied, so that the shared read buffer can take the next read. */
  private keep(buffer: Buffer, offset: number): void {
    this.pending = Buffer.from(buffer.subarray(offset));
  }

  private readHead(head: string, onResponse: (response: HttpResponse) => void): void {
    const lines = head.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
    const status = Number(statusLine[2]);
    // An interim answer (100 Continue and the like): the real one follows.
    if (status < 200) return;
    let contentLength: number | undefined;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') {
        contentLength = Number(value);
        if (!Number.isSafeInteger(contentLength) || contentLength < 0) throw new Error(`not a content-length: ${JSON.stringify(value)}`);
      } else if (name === 'transfer-encoding') chunked = value.split(',').some((coding) => coding.trim() === 'chunked');
      else if (name === 'connection') connection = value;
    }
    const tokens = connection.split(',').map((token) => token.trim());
    this.status = status;
    this.keepAlive = statusLine[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    // RFC 9112 §6.3: no body after 204 or 304 (to a POST); chunked before content-length; otherwise the
    // content-length, or else the body runs to the connection's end.
    if (status === 204 || status === 304) this.complete(onResponse);
    else if (chunked) this.state = 'chunkSize';
    else if (contentLength !== undefined) {
      this.state = 'length';
      this.remaining = contentLength;
      if (contentLength === 0) this.complete(onResponse);
    } else {
      this.state = 'untilClose';
      this.keepAlive = false;
    }
  }

  private complete(onResponse: (response: HttpResponse) => void): void {
    this.state = 'head';
    onResponse({ status: this.status, keepAlive: this.keepAlive });
  }
}

/** One socket of the pool, with at most one request outstanding. */
class Connection {
  private readonly reader = new ResponseReader();
  private request: PendingRequest | undefined;
  private error: Error | undefined;
  private readonly socket: net.Socket;

  constructor(
    port: number,
    readBuffer: Buffer,
    private readonly onAnswered: (connection: Connection, keepAlive: boolean) => void,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    // `onread` hands each read to the callback in one buffer the whole pool shares, without a stream's
    // buffering and events; the reader is done with it (or has copied what it keeps) when it returns.
    this.socket = net.connect({ host: '127.0.0.1', port, onread: { buffer: readBuffer, callback: (bytes) => this.onRead(readBuffer.subarray(0, bytes)) } });
    this.socket.setNoDelay(true);
    this.socket.on('error', (error) => {
      this.error ??= error;
    });
    this.socket.on('close', () => this.onClose());
  }

  send(request: PendingRequest): void {
    this.request = request;
    this.socket.write(request.text);
  }

  destroy(error: Error): void {
    this.error ??= error;
    this.socket.destroy();
  }

  private onRead(chunk: Buffer): boolean {
    if (this.socket.destroyed) return false;
    try {
      this.reader.push(chunk, (response) => this.onResponse(response));
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    return !this.socket.destroyed;
  }

  private onResponse(response: HttpResponse): void {
    if (this.socket.destroyed) return;
    const request = this.request;
    if (!request) return this.destroy(new Error(`an answer (status ${response.status}) to no request`));
    this.request = undefined;
    if (!response.keepAlive) this.socket.destroy();
    this.onAnswered(this, response.keepAlive);
    request.done(response.status);
  }

  private onClose(): void {
    this.onClosed(this);
    const request = this.request;
    if (!request) return;
    this.request = undefined;
    // A body that runs to the connection's end is whole only if the connection ended without an error.
    const status = this.reader.end();
    if (status !== undefined && !this.error) request.done(status);
    else request.done(undefined, this.error ?? new Error('the server closed the connection before it answered'));
  }
}

/**
 * A pool of up to `maxConnections` keep-alive connections to 127.0.0.1:`port`, opened as requests need
 * them. Each carries one request at a time: a server answers pipelined requests in order only, so a slow
 * answer would hold up the ones behind it and show as their latency. A request waits for a free connection.
 */
export class LeanHttpClient {
  private readonly host: string;
  private readonly connections = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly waiting: PendingRequest[] = [];
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly maxConnections: number,
  ) {
    this.host = `127.0.0.1:${port}`;
  }

  /** POSTs `body` as JSON, with `Authorization: Bearer <token>` when there is a token. */
  post(path: string, body: string, token: string | undefined, done: Answered): void {
    if (this.closed) return done(undefined, new Error('the client was closed'));
    const authorization = token === undefined ? '' : `Authorization: Bearer ${token}\r\n`;
    const request = {
      text: `POST ${path} HTTP/1.1\r\nHost: ${this.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${authorization}\r\n${body}`,
      done,
    };
    // The most recently used connection first, so that a low rate keeps only a few of them busy.
    const connection = this.idle.pop() ?? (this.connections.size < this.maxConnections ? this.open() : undefined);
    if (connection) connection.send(request);
    else this.waiting.push(request);
  }

  /** Ends every connection; a request not answered yet is answered with an error. */
  close(): void {
    this.closed = true;
    const waiting = this.waiting.splice(0);
    const closing = new Error('the client was closed');
    for (const connection of this.connections) connection.destroy(closing);
    for (const request of waiting) request.done(undefined, closing);
  }

  private open(): Connection {
    const connection = new Connection(
      this.port,
      this.readBuffer,
      (answered, keepAlive) => (keepAlive ? this.release(answered) : this.remove(answered)),
      (closed) => this.remove(closed),
    );
    this.connections.add(connection);
    return connection;
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.send(next);
    else this.idle.push(connection);
  }

  /** A connection that is closing leaves the pool; a request waiting gets a new one in its place. */
  private remove(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.open().send(next);
  }
}
