// query-api as a process of its own (the distributed deployment): the service shell and
// query-api's routes, listening where the configuration says, until SIGTERM.
import 'reflect-metadata';
import { clientConfigFromEnv, createHttpApp, createLogger, Infrastructure, loadConfig, registerWithEureka, runUntilSignal, ServiceRootModule } from '@chat/platform';
import { QueryApiModule } from './query-api.module';

async function main(): Promise<void> {
  const config = loadConfig('query-api');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const clientConfig = clientConfigFromEnv();
  // Opens the read stores query-api answers from as its modules ask; their checks decide `/health/ready`.
  const infrastructure = new Infrastructure(config, logger);
  const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, [
    QueryApiModule.register({ clientConfig, infrastructure }),
  ]);
  const app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
  const running = await runUntilSignal(app, { ...config.http, logger, onShutdown: () => infrastructure.close() });
  registerWithEureka(config, { port: running.port, logger });
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'query-api' }).fatal({ err: error }, 'query-api could not start');
  process.exit(1);
});
