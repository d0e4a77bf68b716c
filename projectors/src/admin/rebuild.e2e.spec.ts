// `admin rebuild` on a store of 200,000 events: it shows progress, builds a new generation beside the
// live one while the projectors service keeps running, switches, and ends with the read model the
// service had built live; the service then follows the log on the new generation.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Infrastructure, createLogger, loadConfig, streamIndexRepository } from '@chat/platform';
import { readModels } from '../catalogue';
import { ProjectorsService } from '../projectors-service';
import { eventually, killStartedProcesses, startProcess } from '../testing/processes';
import { seedLog } from '../testing/seed-log';

describe('admin rebuild', () => {
  let dataDir: string;
  let infrastructure: Infrastructure;
  let service: ProjectorsService;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-rebuild-'));
    const config = loadConfig('projectors', { DATA_DIR: dataDir });
    infrastructure = new Infrastructure(config, createLogger({ serviceName: 'projectors', level: 'warn' }));
  });
  afterAll(async () => {
    killStartedProcesses();
    await service?.stop();
    await infrastructure.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds 200,000 events beside the live read model, shows progress and switches to an equal copy', async () => {
    const eventStore = await infrastructure.eventStore();
    await seedLog(eventStore, 200_000);
    service = new ProjectorsService(infrastructure, readModels, { generationPollMs: 100 });
    await service.start();
    await service.waitUntilCaughtUp();
    const documents = await infrastructure.documents();
    const builtLive = await streamIndexRepository(documents, 1).list({ limit: 100_000 });
    expect(builtLive.reduce((sum, s) => sum + s.eventCount, 0)).toBe(200_000);

    const rebuild = startProcess('projectors/dist/admin/cli.js', ['rebuild', 'stream-index'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const finished = await rebuild.finished;
    expect(finished.stderr).toMatch(/\[[█░]+\]\s+\d+%\s+[\d,]+\/200,000 events\s+[\d,]+ events\/s\s+ETA/);
    expect(finished.stdout).toContain('stream-index now reads from generation 2');
    expect(finished.code).toBe(0);

    const rebuilt = await streamIndexRepository(documents, 2).list({ limit: 100_000 });
    expect(rebuilt).toEqual(builtLive);
    expect(await streamIndexRepository(documents, 1).list({ limit: 10 })).toEqual([]);

    // The running service moved to generation 2 and keeps it up to date.
    const streamId = `room-after-${randomUUID()}`;
    await eventStore.appendToStream(streamId, [{ id: randomUUID(), type: 'RoomCreated', data: {} }], { expectedRevision: 'no_stream' });
    const seen = await eventually(() => streamIndexRepository(documents, 2).get(streamId), 'the new event in generation 2', 10_000, 20);
    expect(seen.eventCount).toBe(1);

    const status = startProcess('projectors/dist/admin/cli.js', ['status', '--json'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const statusOutput = await status.finished;
    expect(JSON.parse(statusOutput.stdout)).toContainEqual(expect.objectContaining({ readModel: 'stream-index', generation: 2, state: 'caught up', lag: 0, otherGenerations: [] }));
  }, 180_000);
});
