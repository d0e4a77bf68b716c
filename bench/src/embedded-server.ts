// The system under test of the end-to-end benches: `npm start`'s process (embedded/dist/main.js) in a
// process of its own, on a data folder of the bench's, and a JSON client for its HTTP API.
// The server logs at `warn` so that its request log lines do not end up measured through a pipe; its output
// goes to `server.log` in the data folder. BENCH_SERVER_NODE_ARGS is passed to the server's node
// (`BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles it).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export interface Person {
  readonly id: string;
  readonly token: string;
}

export interface EmbeddedServer {
  readonly client: JsonClient;
  readonly port: number;
  readonly realtimePort: number;
  readonly pid: number;
  /** User and system CPU time the server has used so far (Linux only). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Added to the server's environment (rate limits, for one). */
  readonly env?: Readonly<Record<string, string>>;
  /** Sockets the JSON client keeps open at most. */
  readonly maxSockets?: number;
  /**
   * A shell raises the open-files limit to its hard limit before it runs the server: one socket per
   * WebSocket connection. Without it the server keeps the limit the bench was started with.
   */
  readonly raiseFileLimit?: boolean;
  /** Node options for the server (`--cpu-prof`, say); BENCH_SERVER_NODE_ARGS when not given. */
  readonly nodeOptions?: readonly string[];
}

export async function startEmbeddedServer(dataDir: string, options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const [port, realtimePort] = [await freePort(), await freePort()];
  const entry = path.resolve(__dirname, '../../embedded/dist/main.js');
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    REALTIME_PORT: String(realtimePort),
    LOG_LEVEL: 'warn',
    TRUSTED_PROXY_HOPS: '1',
    RATE_LIMIT_REGISTER_PER_IP: '1000/60',
    ...options.env,
  };
  const nodeOptions = options.nodeOptions ?? process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const nodeArgs = [...nodeOptions, entry];
  const serverLog = fs.openSync(path.join(dataDir, 'server.log'), 'a');
  const stdio: ['ignore', number, 'inherit'] = ['ignore', serverLog, 'inherit'];
  const child: ChildProcess = options.raiseFileLimit
    ? spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', process.execPath, ...nodeArgs], { env, stdio })
    : spawn(process.execPath, nodeArgs, { env, stdio });
  fs.closeSync(serverLog);
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`the embedded server exited (code ${code}, signal ${signal}) before the bench stopped it\n`);
      resolve();
    }),
  );
  const client = new JsonClient(port, options.maxSockets ?? 100);
  const deadline = Date.now() + 30_000;
  while (!(await client.ready())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the embedded server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    client,
    port,
    realtimePort,
    pid: child.pid!,
    cpuSeconds: () => {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in clock ticks (100 per second on Linux).
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      stopping = true;
      client.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** JSON over keep-alive connections, one per concurrent caller. */
export class JsonClient {
  private agent: http.Agent;
  private registered = 0;

  constructor(
    readonly port: number,
    private readonly maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  async ready(): Promise<boolean> {
    try {
      await this.request('GET', '/health/ready');
      return true;
    } catch {
      return false;
    }
  }

  async register(): Promise<Person> {
    const username = `bench_${process.pid}_${++this.registered}`;
    const answer = await this.request<{ user: { id: string }; accessToken: string }>('POST', '/api/auth/register', { username, password: 'correct horse battery staple' }, undefined, 201);
    return { id: answer.user.id, token: answer.accessToken };
  }

  call<T = unknown>(method: string, urlPath: string, as: Person | undefined, body?: unknown, expected = method === 'POST' ? 201 : 200): Promise<T> {
    return this.request<T>(method, urlPath, body, as?.token, expected);
  }

  /** The answer's body as text, whatever its type (`/metrics`). */
  text(urlPath: string): Promise<string> {
    return this.request<string>('GET', urlPath, undefined, undefined, 200, false);
  }

  close(): void {
    this.agent.destroy();
  }

  /** Starts over with new connections, for when the old ones may have been closed unnoticed. */
  dropIdleConnections(): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
  }

  private request<T>(method: string, urlPath: string, body?: unknown, token?: string, expected = 200, json = true): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: urlPath,
          agent: this.agent,
          headers: {
            'x-forwarded-for': '192.0.2.1',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== expected) reject(new Error(`${method} ${urlPath}: ${response.statusCode} ${text}`));
            else resolve((json ? (text ? JSON.parse(text) : undefined) : text) as T);
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }
}
