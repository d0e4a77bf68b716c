// `npm start`: the whole product in one process on the embedded stores (SQLite files in DATA_DIR,
// in-process change feeds and key-value store). The same modules and services as the distributed
// deployment, wired together: command-api and query-api share one HTTP port on the main thread, with
// command-api's presence consumer beside them; the projectors and realtime run on a worker thread of their
// own (changes-worker.ts), where realtime's WebSocket endpoint listens on a port of its own (REALTIME_PORT,
// PORT + 1 by default), which `GET /api/config` advertises as `wsUrl`. The same HTTP port serves the built
// web client (web/dist).
import 'reflect-metadata';
import { CommandApiModule, PresenceConsumer } from '@chat/command-api';
import { Infrastructure, type RunningHttpApp, ServiceRootModule, clientConfigFromEnv, createHttpApp, createLogger, loadConfig, loadPublicKeySet, runUntilSignal } from '@chat/platform';
import { QueryApiModule } from '@chat/query-api';
import { ChangesWorker } from './changes-worker';
import { serveWebClient } from './web-client';

async function main(): Promise<void> {
  const config = loadConfig('chat');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const infrastructure = new Infrastructure(config, logger);
  await infrastructure.eventStore();
  await infrastructure.documents();
  // Loaded here, where the signing key is generated on a first start, and handed to the thread, which only verifies.
  const publicKeys = await loadPublicKeySet(config.auth.keys);
  // Before the thread starts: the connections realtime reports from the start are turned into presence.
  const presence = await PresenceConsumer.start(infrastructure);
  let running: RunningHttpApp | undefined = undefined;
  const changes = new ChangesWorker(infrastructure, {
    publicKeys,
    realtime: { host: config.http.host, port: config.realtimePort },
    // The process stops rather than restart the thread: a projection that fails on an event stops there by
    // itself (recorded; `admin retry` resumes it), so a thread that dies met something none of them handles, a
    // store gone or a bug, which a restart in place would likely meet again behind a log line while the read
    // models and the pushes go stale. A process that stops with a failure is restarted whole by its
    // supervisor, and its WebSocket clients resume from the read models.
    onDied: (error) => {
      logger.fatal({ err: error }, 'the changes thread died: stopping');
      process.exitCode = 1;
      if (running) void running.stop('the changes thread died');
      else process.exit(1);
    },
  });
  const { realtimePort } = await changes.start();
  const clientConfig = clientConfigFromEnv({ PUBLIC_WS_URL: `ws://localhost:${realtimePort}/ws`, ...process.env });
  const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, [
    CommandApiModule.register({ infrastructure }),
    QueryApiModule.register({ clientConfig, infrastructure }),
  ]);
  const app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
  serveWebClient(app.getHttpAdapter().getInstance(), logger);
  running = await runUntilSignal(app, {
    ...config.http,
    logger,
    onShutdown: async () => {
      await changes.stop();
      await presence.stop();
      await infrastructure.close();
    },
  });
  logger.info({ url: running.url, wsUrl: clientConfig.wsUrl, dataDir: config.dataDir }, 'chat is running (embedded)');
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'chat' }).fatal({ err: error }, 'chat could not start');
  process.exit(1);
});
