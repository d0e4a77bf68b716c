import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../event-store/sqlite-event-store';
import { checkpointInBackground } from './background-checkpoints';

describe('background checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-checkpoints-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Appends enough for hundreds of WAL pages, far below the connection's own autocheckpoint (10,000 pages). */
  const fill = async (store: SqliteEventStore) => {
    for (let i = 0; i < 300; i++) {
      await store.appendToStream(`stream-${i % 7}`, [{ id: randomUUID(), type: 'Filled', data: { text: 'x'.repeat(500) } }], { expectedRevision: 'any' });
    }
  };
  const databaseBytes = (file: string) => fs.statSync(file).size;
  const eventually = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return condition();
  };

  it('copies the WAL into the database file while the writer goes on, which the writer alone would not do yet', async () => {
    const withThread = path.join(dir, 'with-thread.db');
    const without = path.join(dir, 'without.db');
    const checkpointed = SqliteEventStore.open(withThread, { checkpointInBackground: { intervalMs: 20 } });
    const alone = SqliteEventStore.open(without);
    const [before, beforeAlone] = [databaseBytes(withThread), databaseBytes(without)];
    await Promise.all([fill(checkpointed), fill(alone)]);

    expect(await eventually(() => databaseBytes(withThread) > before + 150_000)).toBe(true);
    expect(databaseBytes(without)).toBe(beforeAlone);
    // What was checkpointed reads back whole.
    expect(await checkpointed.readAll({ maxCount: 1000 })).toHaveLength(300);
    await Promise.all([checkpointed.close(), alone.close()]);
  });

  it('stops after a last checkpoint, and a stop after the thread failed still resolves', async () => {
    const file = path.join(dir, 'stopped.db');
    const store = SqliteEventStore.open(file);
    const checkpoints = checkpointInBackground(file, { intervalMs: 60_000 });
    const before = databaseBytes(file);
    await fill(store);
    await checkpoints.stop();
    expect(databaseBytes(file)).toBeGreaterThan(before + 150_000);
    await store.close();

    const errors: Error[] = [];
    const failing = checkpointInBackground(path.join(dir, 'missing-folder', 'nothing.db'), { onError: (error) => errors.push(error) });
    await failing.stop();
    expect(errors).toHaveLength(1);
  });
});
