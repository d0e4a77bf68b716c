// A projector killed with SIGKILL in the middle of a long catch-up, then restarted, must end with read
// models identical to a clean rebuild from the log: nothing lost, nothing applied twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_DATABASE_FILE, EMBEDDED_READ_MODELS_FILE, SqliteCheckpointStore, SqliteEventStore, SqliteStreamIndexRepository, openSqlite } from '@chat/platform';
import pino from 'pino';
import { ProjectionProcessor } from './processor/projection-processor';
import { SqliteProjectionStore } from './processor/projection-stores';
import { streamIndexProjection } from './projections/stream-index.projection';
import { eventually, killStartedProcesses, startProcess } from './testing/processes';
import { seedLog } from './testing/seed-log';

const LOG_SIZE = 150_000;

describe('projectors killed mid catch-up', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-crash-'));
  });
  afterAll(() => {
    killStartedProcesses();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes after SIGKILL and ends equal to a clean rebuild', async () => {
    const eventStore = SqliteEventStore.open(path.join(dataDir, EMBEDDED_DATABASE_FILE));
    await seedLog(eventStore, LOG_SIZE);
    const head = await eventStore.headPosition();
    const readModelsFile = path.join(dataDir, EMBEDDED_READ_MODELS_FILE);
    const db = openSqlite(readModelsFile);
    const checkpoints = new SqliteCheckpointStore(db);
    const checkpoint = async () => (await checkpoints.read('stream-index@1'))?.position ?? 0;
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };

    const first = startProcess('projectors/dist/main.js', [], env);
    const killedAt = await eventually(async () => {
      const position = await checkpoint();
      return position > head * 0.05 ? position : undefined;
    }, 'the projector to make progress', 120_000);
    first.child.kill('SIGKILL');
    const killed = await first.finished;
    expect(killed.signal).toBe('SIGKILL');
    expect(killedAt).toBeLessThan(head);
    const afterKill = await checkpoint();
    expect(afterKill).toBeLessThan(head);

    const second = startProcess('projectors/dist/main.js', [], env);
    await eventually(async () => ((await checkpoint()) === head ? true : undefined), 'the restarted projector to catch up', 120_000, 50);
    second.child.kill('SIGTERM');
    const stopped = await second.finished;
    expect(stopped.code).toBe(0);

    // A clean rebuild of the same log into another generation, in this process.
    const rebuildDb = openSqlite(readModelsFile);
    const rebuilt = new SqliteStreamIndexRepository(rebuildDb, 90);
    const processor = new ProjectionProcessor({
      eventStore,
      store: new SqliteProjectionStore(rebuildDb),
      projection: streamIndexProjection('stream-index@90', rebuilt),
      logger: pino({ level: 'silent' }),
      batchSize: 1000,
    });
    processor.start();
    await processor.waitUntilCaughtUp(head);
    await processor.stop();

    const live = await new SqliteStreamIndexRepository(db, 1).list({ limit: 100_000 });
    const clean = await rebuilt.list({ limit: 100_000 });
    expect(live.length).toBeGreaterThan(0);
    expect(live).toEqual(clean);
    expect(live.reduce((sum, s) => sum + s.eventCount, 0)).toBe(LOG_SIZE);

    rebuildDb.close();
    db.close();
    await eventStore.close();
  }, 180_000);
});
