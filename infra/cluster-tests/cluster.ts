// What the cluster tests know about the running cluster (scripts/cluster.sh, `eval "$(scripts/cluster.sh env)"`):
// where the gateway, the registry and Prometheus answer, and the cluster's folder with its pid files,
// logs and the rendered upstreams. Plus a JSON client that picks its own source address, because
// the gateway keys its rate limits on the real client address (127.0.0.0/8 is all loopback on Linux).
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the cluster tests with "scripts/cluster.sh test"`);
  return value;
}

export const cluster = {
  gatewayUrl: required('CLUSTER_URL').replace(/\/+$/, ''),
  eurekaUrl: required('CLUSTER_EUREKA_URL').replace(/\/+$/, ''),
  prometheusUrl: required('CLUSTER_PROMETHEUS_URL').replace(/\/+$/, ''),
  dir: required('CLUSTER_DIR'),
  servicePortBase: Number(required('CLUSTER_SERVICE_PORT_BASE')),
  script: path.resolve(__dirname, '../../scripts/cluster.sh'),
};

/** Every request of one test run carries an id with this prefix, so the gateway's log can be read back for it. */
export const RUN_ID = `ct${Date.now().toString(36)}`;
let requestCounter = 0;
export const nextRequestId = (label: string): string => `${RUN_ID}-${label}-${++requestCounter}`;

export interface Answer<Body = unknown> {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Body;
  readonly requestId: string;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

export interface CallOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** What the request id says about the request (the default: the method). */
  readonly label?: string;
  readonly timeoutMs?: number;
}

/**
 * JSON over HTTP through the gateway, from one loopback source address. Keeps its connections open
 * like a browser would, unless told not to. A network error rejects; any HTTP status resolves.
 */
export class GatewayClient {
  private readonly agent: http.Agent;

  constructor(
    readonly sourceAddress = '127.0.0.1',
    private readonly baseUrl = cluster.gatewayUrl,
    { keepAlive = true }: { keepAlive?: boolean } = {},
  ) {
    this.agent = new http.Agent({ keepAlive, maxSockets: 8 });
  }

  get<Body = unknown>(path: string, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('GET', path, undefined, options);
  }
  post<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('POST', path, body, options);
  }
  put<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('PUT', path, body, options);
  }
  patch<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('PATCH', path, body, options);
  }
  delete<Body = unknown>(path: string, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('DELETE', path, undefined, options);
  }

  call<Body>(method: string, path: string, body: unknown, options: CallOptions = {}): Promise<Answer<Body>> {
    const requestId = nextRequestId(options.label ?? method.toLowerCase());
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'x-request-id': requestId, accept: 'application/json', ...options.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const request = http.request(
        `${this.baseUrl}${path}`,
        { method, headers, agent: this.agent, localAddress: this.sourceAddress, timeout: options.timeoutMs ?? 15_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            if (text && String(response.headers['content-type']).includes('json')) {
              try {
                parsed = JSON.parse(text);
              } catch {
                // Left as text: the assertion on the body says what came back.
              }
            }
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: (text ? parsed : undefined) as Body, requestId });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * A loopback address of its own (a new client as far as every rate limit knows), for a test that
 * registers users: command-api allows 10 registrations per address in 10 minutes.
 */
export const freshSourceAddress = (): string => `127.${randomInt(10, 250)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` gives a value that is not undefined; fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

// --- the registry, the gateway's pools, the processes -------------------------------------------

/** The instance ids (`host:port`) of `app` the registry lists, with their status. */
export async function registeredInstances(app: string): Promise<Map<string, string>> {
  const response = await fetch(`${cluster.eurekaUrl}/apps`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`GET ${cluster.eurekaUrl}/apps answered ${response.status}`);
  const body = (await response.json()) as { applications: { application?: unknown } };
  const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  type Instance = { instanceId: string; status: string };
  const found = list(body.applications.application as { name: string; instance: Instance | Instance[] }[] | undefined).find(
    (application) => application.name.toLowerCase() === app,
  );
  return new Map(list(found?.instance).map((instance) => [instance.instanceId, instance.status]));
}

/** The servers (`host:port`) of one upstream block of the gateway's rendered upstreams.conf. */
export function upstreamServers(upstream: string): string[] {
  const text = readFileSync(path.join(cluster.dir, 'nginx', 'upstreams.conf'), 'utf8');
  const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(text)?.[1] ?? '';
  return [...block.matchAll(/server (\S+) max_fails/g)].map((match) => match[1] as string);
}

/**
 * Where an instance listens (scripts/cluster.sh: command-api-1 at base+1, -2 at base+2, query-api
 * at base+11…, realtime at base+21…, projectors at base+31), as `host:port` like the registry says.
 */
export function instanceAddress(instance: string): string {
  const match = /^(command-api|query-api|realtime|projectors)-(\d)$/.exec(instance);
  if (!match) throw new Error(`not an instance of the cluster: ${instance}`);
  const offset = { 'command-api': 0, 'query-api': 10, realtime: 20, projectors: 30 }[match[1] as string] as number;
  return `127.0.0.1:${cluster.servicePortBase + offset + Number(match[2])}`;
}

/** The lines of an instance's log (scripts/cluster.sh keeps one per instance) that mention `text`. */
export function instanceLogLines(instance: string, text: string): string[] {
  return readFileSync(path.join(cluster.dir, 'logs', `${instance}.log`), 'utf8')
    .split('\n')
    .filter((line) => line.includes(text));
}

export function pidOf(instance: string): number {
  return Number(readFileSync(path.join(cluster.dir, 'pids', `${instance}.pid`), 'utf8').trim());
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `scripts/cluster.sh start`: starts what is not running, as an operator would after an instance died. */
export async function startCluster(): Promise<void> {
  await promisify(execFile)(cluster.script, ['start'], { env: process.env, timeout: 180_000 });
}

// --- the gateway's access log -------------------------------------------------------------------

export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Every upstream server tried, in order (`a:1, b:2`; `a:1 : b:2` across pools). */
  readonly upstream: string;
  readonly remoteAddr: string;
}

/** The gateway's access log lines of this test run (one JSON object per line, see nginx.conf.template). */
export function accessLog(): AccessLogEntry[] {
  const text = readFileSync(path.join(cluster.dir, 'logs', 'gateway-access.log'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.includes(RUN_ID))
    .map((line) => JSON.parse(line) as AccessLogEntry);
}

/** The upstream servers an access-log entry names, in the order nginx tried them. */
export const upstreamsTried = (entry: AccessLogEntry): string[] =>
  entry.upstream
    .split(/\s*,\s*|\s+:\s+/)
    .map((part) => part.trim())
    .filter((part) => /:\d+$/.test(part));
