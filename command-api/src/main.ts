// command-api as a process of its own (the distributed deployment): the service shell and
// command-api's routes, listening where the configuration says, and the presence consumer, until SIGTERM.
import 'reflect-metadata';
import { createHttpApp, createLogger, Infrastructure, loadConfig, registerWithEureka, runUntilSignal, ServiceRootModule } from '@chat/platform';
import { CommandApiModule } from './command-api.module';
import { PresenceConsumer } from './identity/presence-consumer';

async function main(): Promise<void> {
  const config = loadConfig('command-api');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  // Opens the stores command-api writes to and reads from as its modules ask; their checks decide `/health/ready`.
  const infrastructure = new Infrastructure(config, logger);
  const rootModule = ServiceRootModule.forService({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() }, [
    CommandApiModule.register({ infrastructure }),
  ]);
  const app = await createHttpApp(rootModule, { serviceName: config.serviceName, logger });
  const presence = await PresenceConsumer.start(infrastructure);
  const running = await runUntilSignal(app, {
    ...config.http,
    logger,
    onShutdown: async () => {
      await presence.stop();
      await infrastructure.close();
    },
  });
  registerWithEureka(config, { port: running.port, logger });
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'command-api' }).fatal({ err: error }, 'command-api could not start');
  process.exit(1);
});
