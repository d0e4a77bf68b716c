// Runs a built service entry point (`<workspace>/dist/main.js`) as a real process on a free port,
// to check what only a real process shows: its JSON logs, and how it stops on a real SIGTERM.
// `npm test` builds before it tests; run `npm run build` first when running such a spec alone.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SERVER_VARIABLES = ['EVENTSTORE_URL', 'MONGODB_URL', 'MYSQL_URL', 'REDIS_URL', 'EUREKA_URL'];

/**
 * The environment for a service or CLI a test starts: the test's own, less the server URLs (CI sets
 * them for the integration suites; a child must use only the stores its test names), with `overrides`.
 */
export function childEnvironment(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVER_VARIABLES) delete environment[name];
  return { ...environment, ...overrides };
}

export interface ServiceProcess {
  readonly port: number;
  readonly url: string;
  /** Every JSON line the process wrote to stdout so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startServiceProcess(entry: string, environment: Record<string, string> = {}, startTimeoutMs = 20_000): Promise<ServiceProcess> {
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  const port = await freePort();
  // Its own data folder unless the test names one, so a service never writes into the repository.
  const dataDir = environment.DATA_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'chat-service-'));
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: childEnvironment({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...(dataDir ? { DATA_DIR: dataDir } : {}), ...environment }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );

  const deadline = Date.now() + startTimeoutMs;
  while (!logs.some((line) => line.msg === 'Listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not start listening:\n${stderr}\n${logs.map((line) => JSON.stringify(line)).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    async stop(signal = 'SIGTERM') {
      const sentAt = Date.now();
      child.kill(signal);
      const ended = await exited;
      return { ...ended, afterMs: Date.now() - sentAt };
    },
  };
}
