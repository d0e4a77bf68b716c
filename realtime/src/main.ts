// realtime as a process of its own: health, metrics and the `/ws` endpoint on uWebSockets.js,
// listening where the configuration says, until SIGTERM.
import { createLogger, Infrastructure, loadConfig, onShutdownSignal, registerWithEureka } from '@chat/platform';
import { isNativeUws } from './http-endpoints';
import { startRealtime } from './start-realtime';

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
  const realtime = await startRealtime({ infrastructure, host: config.http.host, port: config.http.port, logger });
  logger.info({ host: config.http.host, port: realtime.port }, 'Listening');
  registerWithEureka(config, { port: realtime.port, logger });

  const removeSignalListeners = onShutdownSignal(
    () => {
      logger.info('Stopping: refusing new connections, closing WebSockets');
      realtime
        .stop()
        .then(() => infrastructure.close())
        .catch((error: unknown) => {
          process.exitCode = 1;
          logger.error({ err: error }, 'Stopping failed');
        })
        .finally(() => {
          removeSignalListeners();
          logger.info('Stopped');
          // Everything of ours is closed; a handle left open by a library must not keep the process (and a deploy) waiting.
          setTimeout(() => {
            logger.warn({ resources: process.getActiveResourcesInfo() }, 'Still running 5 s after stopping: exiting');
            process.exit();
          }, 5_000).unref();
        });
    },
    { logger },
  );
}

main().catch((error: unknown) => {
  createLogger({ serviceName: 'realtime' }).fatal({ err: error }, 'realtime could not start');
  process.exit(1);
});
