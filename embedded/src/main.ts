// `npm start`: the whole product in one process on the embedded stores (SQLite files in DATA_DIR,
// in-process change feed and key-value store). The same modules and services as the distributed
// deployment, wired together: command-api and query-api share one HTTP port, the projectors and
// command-api's presence consumer run beside them.
import 'reflect-metadata';
import { CommandApiModule, PresenceConsumer } from '@chat/command-api';
import { Infrastructure, ServiceRootModule, clientConfigFromEnv, createHttpApp, createLogger, loadConfig, runUntilSignal } from '@chat/platform';
import { ProjectorsService, readModels } from '@chat/projectors';
import { QueryApiModule } from '@chat/query-api';

async function main(): Promise<void> {
  const config = loadConfig('chat');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const infrastructure = new Infrastructure(config, logger);
  await infrastructure.eventStore();
  await infrastructure.documents();
  const projectors = new ProjectorsService(infrastructure, readModels);
  const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, [
    CommandApiModule.register({ infrastructure }),
    QueryApiModule.register({ clientConfig: clientConfigFromEnv(), infrastructure }),
  ]);
  const app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
  const presence = await PresenceConsumer.start(infrastructure);
  const running = await runUntilSignal(app, {
    ...config.http,
    logger,
    onShutdown: async () => {
      await presence.stop();
      await projectors.stop();
      await infrastructure.close();
    },
  });
  await projectors.start();
  logger.info({ url: running.url, dataDir: config.dataDir }, 'chat is running (embedded)');
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'chat' }).fatal({ err: error }, 'chat could not start');
  process.exit(1);
});
