// The embedded app's projectors, on the worker thread that projectors-worker.ts starts: what the projectors
// service (projectors/src/main.ts) runs, less its HTTP shell, on stores of the thread's own opened from the
// app's configuration. What the processors publish goes to the main thread's change feed; the main thread
// asks here for the readiness of these stores and for this thread's metrics, and says when to stop.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { Infrastructure, MessagePortChangeFeed, createLogger, metricsRegistry, runReadinessChecks, wakeOnForwardedAppends } from '@chat/platform';
import { ProjectorsService, readModels } from '@chat/projectors';
import type { FromProjectorsThread, ProjectorsThreadData, ProjectorsThreadQuestion, ToProjectorsThread } from './projectors-worker';

if (!parentPort) throw new Error('projectors-thread.js runs as a worker thread of the embedded app (see projectors-worker.ts)');
const mainThread = parentPort;
const { config, changes, appends } = workerData as ProjectorsThreadData;
const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel }).child({ thread: 'projectors' });
const infrastructure = new Infrastructure(config, logger, { changeFeed: new MessagePortChangeFeed(changes) });
const projectors = new ProjectorsService(infrastructure, readModels);
if (appends && config.eventStore.kind === 'sqlite') wakeOnForwardedAppends(config.eventStore.file, appends);

const post = (message: FromProjectorsThread): void => mainThread.postMessage(message);

mainThread.on('message', (message: ToProjectorsThread) => {
  switch (message.kind) {
    case 'stop':
      void stop();
      return;
    case 'ask':
      void answer(message.id, message.question);
      return;
    default:
      message satisfies never;
  }
});

async function stop(): Promise<void> {
  try {
    await projectors.stop();
    await infrastructure.close();
  } catch (error) {
    logger.error({ err: error }, 'stopping the projectors failed');
    process.exitCode = 1;
  }
  appends?.close();
  // Nothing is left for the thread to do: it ends, and the main thread sees it exit.
  mainThread.close();
}

async function answer(id: number, question: ProjectorsThreadQuestion): Promise<void> {
  try {
    const answered = question === 'metrics' ? await metricsRegistry.getMetricsAsJSON() : await runReadinessChecks(infrastructure.readinessChecks());
    post({ kind: 'answer', id, answer: answered });
  } catch (error) {
    post({ kind: 'refusal', id, error: error instanceof Error ? error.message : String(error) });
  }
}

// A failure to start is thrown out of the thread: the main thread receives it as the thread's error.
void projectors.start().then(() => post({ kind: 'started' }));
