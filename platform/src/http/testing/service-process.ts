// Runs a built service entry point (`<workspace>/dist/main.js`) as a real process on a free port,
// to check what only a real process shows: its JSON logs, and how it stops on a real SIGTERM.
// `npm test` builds before it tests; run `npm run build` first when running such a spec alone.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

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
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...environment },
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

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
