// Checkpoints a SQLite file's WAL from a thread of its own. SQLite otherwise checkpoints inside the
// commit that pushes the WAL past `wal_autocheckpoint` pages: that commit copies the whole WAL into the
// database file, tens of milliseconds during which the event loop of the process that committed does
// nothing else (measured in the realtime bench: appends of 40–50 ms every second or so at 1,000
// messages/s, which is what its p99 was made of). A PASSIVE checkpoint from another connection runs
// beside the writer and the readers without blocking either, so the thread takes that copy off the
// event loop, one every `intervalMs` (half a second: a page written many times meanwhile is copied
// once, and at a few thousand commits a second the WAL stays a few MB). The connections' own
// `wal_autocheckpoint` stays as the fallback should this thread fall behind.
import { Worker } from 'node:worker_threads';

export interface BackgroundCheckpointsOptions {
  readonly intervalMs?: number;
  /** Told when the thread fails (it stops then; the connections' own autocheckpoint goes on). */
  readonly onError?: (error: Error) => void;
}

export interface BackgroundCheckpoints {
  /** Checkpoints once more, then ends the thread. */
  stop(): Promise<void>;
}

interface ThreadData {
  readonly file: string;
  readonly driver: string;
  readonly intervalMs: number;
}

/**
 * The thread's code, run from its source text (`eval`), so it needs no file of its own beside the
 * compiled one; it may only use what it requires itself.
 */
function checkpointThread(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- an eval'd thread has no imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { file, driver, intervalMs } = workerData as ThreadData;
  const Database = require(driver) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const timer = setInterval(() => checkpoint.get(), intervalMs);
  parentPort!.on('message', () => {
    clearInterval(timer);
    checkpoint.get();
    db.close();
    parentPort!.close();
  });
}

export function checkpointInBackground(file: string, options: BackgroundCheckpointsOptions = {}): BackgroundCheckpoints {
  const workerData: ThreadData = { file, driver: require.resolve('better-sqlite3'), intervalMs: options.intervalMs ?? 500 };
  const worker = new Worker(`(${checkpointThread.toString()})()`, { eval: true, workerData });
  // The process's life is its connections' and servers': this thread must not keep it alive alone.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => options.onError?.(error));
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        // Waited for now: a process stopping with nothing else left would otherwise exit before its thread ends.
        worker.ref();
        worker.postMessage('stop');
        await exited;
      })()),
  };
}
