// The embedded app's changes, on the worker thread that changes-worker.ts starts: what the projectors service
// (projectors/src/main.ts) and the realtime service (realtime/src/main.ts) run, less the projectors' HTTP shell,
// on stores of the thread's own opened from the app's configuration. The projectors publish to this thread's
// change feed, where realtime subscribes, so a change is pushed without leaving the thread. With the hot state in
// memory, the presence topics are bridged to the main thread's feed and the hot state is the main thread's,
// reached over a port. The main thread asks here for the readiness of these stores and for this thread's
// metrics, and says when to stop.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import {
  Infrastructure,
  MessagePortKeyValueStore,
  bridgeChangeFeeds,
  createLogger,
  metricsRegistry,
  runReadinessChecks,
  wakeOnForwardedAppends,
} from '@chat/platform';
import { ProjectorsService, readModels } from '@chat/projectors';
import { type RunningRealtime, startRealtime } from '@chat/realtime';
import { type ChangesThreadData, type ChangesThreadQuestion, type FromChangesThread, TOPICS_SENT_BY_CHANGES_THREAD, type ToChangesThread } from './changes-worker';

if (!parentPort) throw new Error('changes-thread.js runs as a worker thread of the embedded app (see changes-worker.ts)');
const mainThread = parentPort;
const { config, publicKeys, realtime: listen, inProcessHotState, appends } = workerData as ChangesThreadData;
const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel }).child({ thread: 'changes' });
const infrastructure = new Infrastructure(config, logger, inProcessHotState ? { keyValue: new MessagePortKeyValueStore(inProcessHotState.keyValue) } : {});
const projectors = new ProjectorsService(infrastructure, readModels);
if (appends && config.eventStore.kind === 'sqlite') wakeOnForwardedAppends(config.eventStore.file, appends);
let realtime: RunningRealtime | undefined;
let unbridge: (() => Promise<void>) | undefined;

const post = (message: FromChangesThread): void => mainThread.postMessage(message);

mainThread.on('message', (message: ToChangesThread) => {
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

async function start(): Promise<void> {
  if (inProcessHotState) unbridge = await bridgeChangeFeeds(inProcessHotState.changes, await infrastructure.changeFeed(), { send: TOPICS_SENT_BY_CHANGES_THREAD, logger });
  await projectors.start();
  realtime = await startRealtime({ infrastructure, host: listen.host, port: listen.port, logger, publicKeys });
  post({ kind: 'started', realtimePort: realtime.port });
}

async function stop(): Promise<void> {
  try {
    // The WebSockets close first: their clients resume from the read models, which the projectors finish here.
    await realtime?.stop();
    await projectors.stop();
    await unbridge?.();
    await infrastructure.close();
  } catch (error) {
    logger.error({ err: error }, 'stopping the changes thread failed');
    process.exitCode = 1;
  }
  appends?.close();
  // Nothing is left for the thread to do: it ends, and the main thread sees it exit.
  mainThread.close();
}

async function answer(id: number, question: ChangesThreadQuestion): Promise<void> {
  try {
    const answered = question === 'metrics' ? await metricsRegistry.getMetricsAsJSON() : await runReadinessChecks(infrastructure.readinessChecks());
    post({ kind: 'answer', id, answer: answered });
  } catch (error) {
    post({ kind: 'refusal', id, error: error instanceof Error ? error.message : String(error) });
  }
}

// A failure to start is thrown out of the thread: the main thread receives it as the thread's error.
void start();
