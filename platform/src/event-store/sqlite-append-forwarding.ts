// A SQLite event store wakes the subscriptions of its own thread the moment something is appended (see
// `sqliteAppendSignal`); those of another thread on the same file would only find it at their next poll.
// These two carry the signal across a MessagePort: the embedded app appends on its main thread and
// follows the log on its worker thread.
import type { MessagePort } from 'node:worker_threads';
import { sqliteAppendSignal } from './sqlite-event-store';

/**
 * Posts on `port` after appends to `file` made in this thread: once per turn of the event loop however many
 * appends the turn made, at its end (setImmediate), when every one of them is committed. Returns a function
 * that stops forwarding.
 */
export function forwardSqliteAppends(file: string, port: MessagePort): () => void {
  const signal = sqliteAppendSignal(file);
  let pending: NodeJS.Immediate | undefined;
  const onAppend = (): void => {
    pending ??= setImmediate(() => {
      pending = undefined;
      port.postMessage(null);
    });
  };
  signal.on('append', onAppend);
  return () => {
    signal.off('append', onAppend);
    clearImmediate(pending);
    pending = undefined;
  };
}

/** Wakes this thread's subscriptions to `file` whenever the other end of `port` forwards appends. */
export function wakeOnForwardedAppends(file: string, port: MessagePort): void {
  const signal = sqliteAppendSignal(file);
  port.on('message', () => signal.emit('append'));
}
