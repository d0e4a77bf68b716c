// The projectors service: follows the event log into every read model (see read-models/catalogue.ts)
// and publishes what changed to the change feed. It serves only the shell's endpoints (health,
// metrics); on SIGTERM it finishes the batches in hand, stores their checkpoints and closes its stores.
import 'reflect-metadata';
import { Infrastructure, ServiceRootModule, createHttpApp, createLogger, loadConfig, registerWithEureka, runUntilSignal } from '@chat/platform';
import { ProjectorsService } from './projectors-service';
import { readModels } from './catalogue';

async function main(): Promise<void> {
  const config = loadConfig('projectors');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const infrastructure = new Infrastructure(config, logger);
  const projectors = new ProjectorsService(infrastructure, readModels);
  const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, []);
  const app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
  const running = await runUntilSignal(app, {
    ...config.http,
    logger,
    onShutdown: async () => {
      await projectors.stop();
      await infrastructure.close();
    },
  });
  registerWithEureka(config, { port: running.port, logger });
  // Started once the shell listens, so a stop signal from then on always finds its handler.
  await projectors.start();
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'projectors' }).fatal({ err: error }, 'projectors could not start');
  process.exit(1);
});
