// The main thread's side of the changes thread, against stand-in threads that play the thread's part of
// the protocol (see changes-thread.ts) and fail on cue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Infrastructure, createLogger, loadConfig, renderMetrics, runReadinessChecks } from '@chat/platform';
import { ChangesWorker } from './changes-worker';

/** The thread's end of the protocol in plain JavaScript, with `behaviour` run once it is set up. */
const standIn = (behaviour: string) => `
const { parentPort } = require('node:worker_threads');
const post = (message) => parentPort.postMessage(message);
const answers = {
  metrics: [{ name: 'projection_lag_events', help: 'Lag', type: 'gauge', aggregator: 'sum', values: [{ value: 3, labels: { projection: 'rooms@1' } }] }],
  readiness: { ready: false, checks: [{ name: 'event store', ok: true }, { name: 'documents (projections)', ok: false, error: 'disk gone' }] },
};
parentPort.on('message', (message) => {
  if (message.kind === 'ask') post({ kind: 'answer', id: message.id, answer: answers[message.question] });
  if (message.kind === 'stop') onStop();
});
let onStop = () => parentPort.close();
${behaviour}
`;

describe('ChangesWorker', () => {
  let dir: string;
  let infrastructure: Infrastructure;
  const died: Error[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-changes-worker-'));
    infrastructure = new Infrastructure(loadConfig('chat', { DATA_DIR: dir }), createLogger({ serviceName: 'chat', level: 'silent' }));
    died.length = 0;
  });

  afterEach(async () => {
    await infrastructure.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function workerRunning(behaviour: string): ChangesWorker {
    const entry = path.join(dir, `stand-in-${Math.random().toString(36).slice(2)}.js`);
    fs.writeFileSync(entry, standIn(behaviour));
    return new ChangesWorker(infrastructure, { entry, publicKeys: { keys: [] }, realtime: { host: '127.0.0.1', port: 0 }, onDied: (error) => died.push(error) });
  }

  it('starts the thread with the port its WebSocket endpoint listens on, stops it when asked, and waits until it has ended', async () => {
    const worker = workerRunning(`post({ kind: 'started', realtimePort: 4242 });`);
    expect(await worker.start()).toEqual({ realtimePort: 4242 });

    await worker.stop();

    expect(died).toEqual([]);
  });

  it('reports a thread that dies after it started, with what it threw', async () => {
    const worker = workerRunning(`post({ kind: 'started', realtimePort: 4242 }); setTimeout(() => { throw new Error('the read models are gone'); }, 20);`);
    await worker.start();

    for (const deadline = Date.now() + 5_000; died.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(died.map((error) => error.message)).toEqual(['the read models are gone']);
    await worker.stop();
  });

  it('fails to start with what the thread threw before it had started, and reports no death', async () => {
    const worker = workerRunning(`throw new Error('no such file: read-models.db');`);

    await expect(worker.start()).rejects.toThrow('no such file: read-models.db');
    expect(died).toEqual([]);
  });

  it('fails to stop when the thread ends with a failure code', async () => {
    const worker = workerRunning(`post({ kind: 'started', realtimePort: 4242 }); onStop = () => { process.exitCode = 1; parentPort.close(); };`);
    await worker.start();

    await expect(worker.stop()).rejects.toThrow('code 1');
  });

  it('merges the thread’s metrics into the process’s while it runs', async () => {
    const worker = workerRunning(`post({ kind: 'started', realtimePort: 4242 });`);
    await worker.start();

    const running = (await renderMetrics()).body;
    await worker.stop();
    const stopped = (await renderMetrics()).body;

    expect(running).toMatch(/^projection_lag_events\{projection="rooms@1"\} 3$/m);
    expect(stopped).not.toMatch(/^projection_lag_events\{/m);
  });

  it('adds a readiness check that names the thread’s stores that do not answer', async () => {
    const worker = workerRunning(`post({ kind: 'started', realtimePort: 4242 });`);
    await worker.start();

    const report = await runReadinessChecks(infrastructure.readinessChecks());
    await worker.stop();
    const afterStop = await runReadinessChecks(infrastructure.readinessChecks());

    expect(report.checks).toContainEqual({ name: 'changes thread', ok: false, error: 'documents (projections): disk gone' });
    expect(afterStop.checks).toContainEqual({ name: 'changes thread', ok: false, error: 'The changes thread is not running' });
  });
});
