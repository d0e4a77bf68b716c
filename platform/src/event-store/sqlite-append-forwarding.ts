// A SQLite event store wakes the subscriptions of its own thread the moment something is appended (see
// `sqliteAppendSignal`); those of another thread on the same file would only find it at their next poll.
// These two carry the signal across a MessagePort: the embedded app appends on its main thread and
// follows the log on its worker thread.
import type { MessagePort } from 'node:worker_threads';
import { sqliteAppendSignal } from './sqlite-event-store';

/**
 * Posts on `port` after each commit of appends to `file` made in this thread (a batch of the rooms' appends is
 * one), at once: the other thread starts projecting while this one goes on answering. Returns a function that
 * stops forwarding.
 */
export function forwardSqliteAppends(file: string, port: MessagePort): () => void {
  const signal = sqliteAppendSignal(file);
  const onAppend = (): void => port.postMessage(null);
  signal.on('append', onAppend);
  return () => void signal.off('append', onAppend);
}

/** Wakes this thread's subscriptions to `file` whenever the other end of `port` forwards appends. */
export function wakeOnForwardedAppends(file: string, port: MessagePort): void {
  const signal = sqliteAppendSignal(file);
  port.on('message', () => signal.emit('append'));
}
