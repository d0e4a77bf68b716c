// realtime as a process of its own: for now its HTTP side (health and metrics) on uWebSockets.js,
// listening where the configuration says, until SIGTERM.
import { createLogger, Infrastructure, loadConfig, onShutdownSignal, registerWithEureka } from '@chat/platform';
import { createRealtimeHttpApp, isNativeUws, listenRealtime } from './http-endpoints';

async function main(): Promise<void> {
  const config = loadConfig('realtime');
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  if (isNativeUws()) {
    logger.info({ node: process.version, abi: process.versions.modules }, 'uWebSockets.js native binary loaded');
  } else {
    logger.error(
      { node: process.version, abi: process.versions.modules },
      'uWebSockets.js has no native binary for this Node version and runs on its slow JavaScript fallback: use Node 20',
    );
  }

  // Opens the stores realtime uses (change feed, sessions, presence) as its handlers ask; their checks decide `/health/ready`.
  const infrastructure = new Infrastructure(config, logger);
  const app = createRealtimeHttpApp({ serviceName: config.serviceName, readinessChecks: infrastructure.readinessChecks() });
  const listening = await listenRealtime(app, config.http.host, config.http.port);
  logger.info({ host: config.http.host, port: listening.port }, 'Listening');
  registerWithEureka(config, { port: listening.port, logger });

  const removeSignalListeners = onShutdownSignal(
    () => {
      logger.info('Stopping: refusing new connections');
      listening.stopListening();
      infrastructure
        .close()
        .catch((error: unknown) => {
          process.exitCode = 1;
          logger.error({ err: error }, 'Closing the stores failed');
        })
        .finally(() => {
          listening.closeConnections();
          removeSignalListeners();
          logger.info('Stopped');
        });
    },
    { logger },
  );
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'realtime' }).fatal({ err: error }, 'realtime could not start');
  process.exit(1);
});
