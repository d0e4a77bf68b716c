// One process of the realtime bench's load generator, forked by realtime.bench.ts. It holds WebSocket
// clients (ours through `ws`, Socket.IO's through socket.io-client), each bound to one of several
// 127.0.0.x source addresses so that 20,000 of them do not run out of ephemeral ports; counts the
// message frames they receive and their send→deliver latency; and sends messages over HTTP at the rate
// it is told, open loop (a slow answer never delays the next send, so queueing shows as latency),
// through the keep-alive client of lean-http.ts, which costs a fraction of node:http's CPU per send.
import net from 'node:net';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import WebSocket from 'ws';
import { LatencyHistogram, type LatencyHistogramData } from './latency-histogram';
import { LeanHttpClient } from './lean-http';
import { clientFrame, FrameReader, OPCODES, stampOf } from './websocket-frames';

export type Protocol = 'chat' | 'socketio';
/** `lean`: the frame reader of websocket-frames.ts; `library`: `ws` for ours, socket.io-client for Socket.IO. */
export type ClientKind = 'lean' | 'library';

/** One client: ours authenticates with `token` and is in the rooms of its user; Socket.IO's joins `rooms`. */
export interface ClientSpec {
  readonly token?: string;
  readonly rooms?: readonly string[];
}

/** A message goes to `roomId` as the user of `token` (a member). */
export interface SendTarget {
  readonly roomId: string;
  readonly token: string;
}

export interface CpuWindow {
  readonly cpuMs: number;
  readonly wallMs: number;
}

export type WorkerCommand =
  | { readonly kind: 'connect'; readonly protocol: Protocol; readonly client: ClientKind; readonly url: string; readonly clients: readonly ClientSpec[]; readonly localAddresses: readonly string[]; readonly concurrency: number }
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'send'; readonly step: number; readonly rate: number; readonly durationMs: number; readonly httpPort: number; readonly targets: readonly SendTarget[] }
  | { readonly kind: 'collect'; readonly step: number }
  | { readonly kind: 'exit' };

export type WorkerReply =
  | { readonly kind: 'connected'; readonly connected: number; readonly failed: number; readonly firstError?: string; readonly cpu: CpuWindow }
  | { readonly kind: 'disconnected' }
  | { readonly kind: 'sent'; readonly step: number; readonly sent: number; readonly failed: number; readonly firstError?: string; readonly answers: LatencyHistogramData; readonly cpu: CpuWindow }
  | { readonly kind: 'collected'; readonly step: number; readonly deliveries: number; readonly latency: LatencyHistogramData; readonly unexpectedCloses: Readonly<Record<string, number>> }
  | { readonly kind: 'failed'; readonly error: string };

/** The stamp a message's text carries: `rt <step> <sent at, ms>`. */
export const stampText = (step: number, sentAtMs: number) => `rt ${step} ${sentAtMs.toFixed(3)}`;

/** Milliseconds on the system's monotonic clock, which every process of the machine shares. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

const CONNECT_TIMEOUT_MS = 60_000;
const MAX_OUTSTANDING_SENDS = 2_000;
const MAX_SEND_CONNECTIONS = 256;
/** Sends due are sent every few milliseconds: finer ticks only wake the process more often. */
const SEND_TICK_MS = 5;
/** Every lean client reads into this one buffer and is done with it before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

interface Client {
  close(): void;
}

interface StepDeliveries {
  count: number;
  readonly latency: LatencyHistogram;
}

const deliveriesByStep = new Map<number, StepDeliveries>();
const unexpectedCloses: Record<string, number> = {};
let clients: Client[] = [];
let disconnecting = false;

function onDelivery(step: number, sentAtMs: number, receivedAt: number): void {
  let deliveries = deliveriesByStep.get(step);
  if (!deliveries) {
    deliveries = { count: 0, latency: new LatencyHistogram() };
    deliveriesByStep.set(step, deliveries);
  }
  deliveries.count += 1;
  deliveries.latency.record(receivedAt - sentAtMs);
}

function onDeliveredText(text: unknown, receivedAt: number): void {
  if (typeof text !== 'string' || !text.startsWith('rt ')) return;
  const [, step, sentAt] = text.split(' ');
  onDelivery(Number(step), Number(sentAt), receivedAt);
}

function onUnexpectedClose(reason: string): void {
  if (disconnecting) return;
  unexpectedCloses[reason] = (unexpectedCloses[reason] ?? 0) + 1;
}

/** Ours: authenticated by the token in the URL; the `pong` to a first `ping` says the server has joined it to its rooms. */
function connectChat(url: string, spec: ClientSpec, localAddress: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(spec.token ?? '')}`, { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
    let ready = false;
    const timer = setTimeout(() => fail(new Error('no pong in time')), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    socket.on('open', () => socket.send('{"type":"ping"}'));
    socket.on('message', (data: Buffer) => {
      const receivedAt = monotonicMs();
      const frame = JSON.parse(data.toString()) as { type: string; data?: { text?: unknown } };
      if (frame.type === 'message.created') onDeliveredText(frame.data?.text, receivedAt);
      else if (frame.type === 'pong' && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ close: () => socket.terminate() });
      }
    });
    socket.on('error', (error) => (ready ? onUnexpectedClose(`error ${error.message}`) : fail(error)));
    socket.on('close', (code) => (ready ? onUnexpectedClose(`close ${code}`) : fail(new Error(`closed with ${code} before it was ready`))));
  });
}

function connectSocketIo(url: string, spec: ClientSpec, localAddress: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      query: { rooms: (spec.rooms ?? []).join(',') },
      localAddress,
    };
    const socket: Socket = io(url, options);
    let ready = false;
    socket.on('message.created', (message: { text?: unknown }) => onDeliveredText(message.text, monotonicMs()));
    socket.on('connect', () => {
      ready = true;
      resolve({ close: () => socket.disconnect() });
    });
    socket.on('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
    socket.on('disconnect', (reason) => {
      if (ready) onUnexpectedClose(`disconnect ${reason}`);
    });
  });
}

/**
 * Either protocol over a bare TCP socket: the HTTP upgrade, then frames read by FrameReader. Ours is
 * ready at the `pong` to a first `ping`; Socket.IO's (Engine.IO 4) once the server accepted the `40`
 * that joins the default namespace, and it answers the server's `2` pings with `3`, as its client does.
 */
function connectLean(protocol: Protocol, url: string, spec: ClientSpec, localAddress: string): Promise<Client> {
  const { hostname, port } = new URL(url);
  const requestPath =
    protocol === 'chat'
      ? `/ws?token=${encodeURIComponent(spec.token ?? '')}`
      : `/socket.io/?EIO=4&transport=websocket&rooms=${encodeURIComponent((spec.rooms ?? []).join(','))}`;
  return new Promise((resolve, reject) => {
    // `onread` hands each read to the callback in one shared buffer, without a stream's buffering and
    // events: per frame received, the cost is then about the read itself.
    const socket = net.connect({ host: hostname, port: Number(port), localAddress, onread: { buffer: READ_BUFFER, callback: (bytes) => onRead(READ_BUFFER.subarray(0, bytes)) } });
    socket.setNoDelay(true);
    const reader = new FrameReader();
    let head: Buffer | undefined = Buffer.alloc(0);
    let ready = false;
    let closeCode = 'none';
    const timer = setTimeout(() => fail(new Error('not ready in time')), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const becomeReady = () => {
      ready = true;
      clearTimeout(timer);
      resolve({ close: () => socket.destroy() });
    };
    const sendText = (text: string) => socket.write(clientFrame(OPCODES.text, text));
    socket.on('connect', () => {
      const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('base64');
      socket.write(`GET ${requestPath} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    const onRead = (chunk: Buffer): boolean => {
      const receivedAt = monotonicMs();
      if (head) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return true;
        const status = head.toString('latin1', 0, head.indexOf('\r\n'));
        if (!/^HTTP\/1\.1 101/.test(status)) {
          fail(new Error(`upgrade refused: ${status}`));
          return false;
        }
        chunk = head.subarray(end + 4);
        head = undefined;
        if (protocol === 'chat') sendText('{"type":"ping"}');
      }
      reader.push(chunk, (frame) => {
        switch (frame.opcode) {
          case OPCODES.text: {
            if (ready) {
              const stamp = stampOf(frame.payload);
              if (stamp) onDelivery(stamp.step, stamp.sentAtMs, receivedAt);
              else if (protocol === 'socketio' && frame.payload.length === 1 && frame.payload[0] === 0x32) sendText('3');
              return;
            }
            const text = frame.payload.toString();
            if (protocol === 'chat') {
              if (text.includes('"pong"')) becomeReady();
            } else if (text.startsWith('0')) sendText('40');
            else if (text.startsWith('40')) becomeReady();
            else if (text.startsWith('44')) fail(new Error(`namespace refused: ${text}`));
            return;
          }
          case OPCODES.ping:
            socket.write(clientFrame(OPCODES.pong, frame.payload));
            return;
          case OPCODES.close:
            closeCode = frame.payload.length >= 2 ? String(frame.payload.readUInt16BE(0)) : 'no code';
            socket.end();
            return;
          default:
            return;
        }
      });
      return true;
    };
    socket.on('error', (error) => (ready ? onUnexpectedClose(`error ${error.message}`) : fail(error)));
    socket.on('close', () => (ready ? onUnexpectedClose(`close ${closeCode}`) : fail(new Error(`closed (${closeCode}) before it was ready`))));
  });
}

function cpuWindow(startCpu: NodeJS.CpuUsage, startWall: number): CpuWindow {
  const cpu = process.cpuUsage(startCpu);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: monotonicMs() - startWall };
}

async function connect(command: Extract<WorkerCommand, { kind: 'connect' }>): Promise<WorkerReply> {
  const startCpu = process.cpuUsage();
  const startWall = monotonicMs();
  disconnecting = false;
  const opened: Client[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const open =
    command.client === 'lean'
      ? (url: string, spec: ClientSpec, localAddress: string) => connectLean(command.protocol, url, spec, localAddress)
      : command.protocol === 'chat'
        ? connectChat
        : connectSocketIo;
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (next < command.clients.length) {
        const index = next++;
        try {
          opened.push(await open(command.url, command.clients[index]!, command.localAddresses[index % command.localAddresses.length]!));
        } catch (error) {
          failed += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  clients.push(...opened);
  return { kind: 'connected', connected: opened.length, failed, ...(firstError ? { firstError } : {}), cpu: cpuWindow(startCpu, startWall) };
}

function disconnect(): WorkerReply {
  disconnecting = true;
  for (const client of clients) client.close();
  clients = [];
  deliveriesByStep.clear();
  for (const reason of Object.keys(unexpectedCloses)) delete unexpectedCloses[reason];
  return { kind: 'disconnected' };
}

/** Sends `rate × duration` messages, each at its time; answers once the last answer is in. */
function send(command: Extract<WorkerCommand, { kind: 'send' }>): Promise<WorkerReply> {
  const client = new LeanHttpClient(command.httpPort, MAX_SEND_CONNECTIONS);
  const answers = new LatencyHistogram();
  const total = Math.round((command.rate * command.durationMs) / 1000);
  const startCpu = process.cpuUsage();
  const startedAt = monotonicMs();
  let issued = 0;
  let outstanding = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  let counter = 0;

  const post = (target: SendTarget) => {
    const sentAt = monotonicMs();
    const body = JSON.stringify({ clientMessageId: `rt-${process.pid}-${command.step}-${++counter}`, text: stampText(command.step, sentAt) });
    outstanding += 1;
    client.post(`/api/rooms/${target.roomId}/messages`, body, target.token, (status, error) => {
      outstanding -= 1;
      if (status === 201) {
        sent += 1;
        answers.record(monotonicMs() - sentAt);
      } else {
        failed += 1;
        firstError ??= error?.message ?? `status ${status}`;
      }
    });
  };

  return new Promise((resolve) => {
    const finish = () => {
      const reply: WorkerReply = { kind: 'sent', step: command.step, sent, failed, ...(firstError ? { firstError } : {}), answers: answers.toJSON(), cpu: cpuWindow(startCpu, startedAt) };
      // Taken before closing, which fails what the wait gave up on: those count as not sent, not as failed.
      client.close();
      resolve(reply);
    };
    const tick = () => {
      const elapsed = monotonicMs() - startedAt;
      const due = Math.min(total, Math.floor((elapsed * command.rate) / 1000));
      // Past this many unanswered the step has failed already; sending more would only bury the next one.
      while (issued < due && outstanding < MAX_OUTSTANDING_SENDS) post(command.targets[issued++ % command.targets.length]!);
      if (elapsed < command.durationMs) {
        setTimeout(tick, SEND_TICK_MS);
        return;
      }
      const waitForAnswers = () => (outstanding === 0 || monotonicMs() - startedAt > command.durationMs + 30_000 ? finish() : setTimeout(waitForAnswers, 5));
      waitForAnswers();
    };
    tick();
  });
}

function collect(step: number): WorkerReply {
  const deliveries = deliveriesByStep.get(step);
  return { kind: 'collected', step, deliveries: deliveries?.count ?? 0, latency: (deliveries?.latency ?? new LatencyHistogram()).toJSON(), unexpectedCloses: { ...unexpectedCloses } };
}

async function handle(command: WorkerCommand): Promise<WorkerReply | undefined> {
  switch (command.kind) {
    case 'connect':
      return connect(command);
    case 'disconnect':
      return disconnect();
    case 'send':
      return send(command);
    case 'collect':
      return collect(command.step);
    case 'exit':
      disconnect();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100);
      return undefined;
  }
}

if (require.main === module) {
  process.on('message', (command: WorkerCommand) => {
    handle(command)
      .then((reply) => reply && process.send?.(reply))
      .catch((error: unknown) => process.send?.({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply));
  });
}
