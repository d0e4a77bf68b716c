// Turns the first SIGTERM/SIGINT into one orderly stop. A second signal while stopping means the
// operator gave up waiting: the process exits at once, with a failure code.
import type { Logger } from '../observability/logger';

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Calls `stop` on the first of `signals`; returns a function that removes the listeners. */
export function onShutdownSignal(
  stop: (signal: NodeJS.Signals) => void,
  { logger, signals = SHUTDOWN_SIGNALS }: { logger: Logger; signals?: readonly NodeJS.Signals[] },
): () => void {
  let received: NodeJS.Signals | undefined;
  const listener = (signal: NodeJS.Signals): void => {
    if (received) {
      logger.warn({ signal, first: received }, 'Second shutdown signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    received = signal;
    logger.info({ signal }, 'Shutdown signal received');
    stop(signal);
  };
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}
