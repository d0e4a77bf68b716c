// Several processes on one SQLite file: the embedded store must keep one writer at a time and never
// show a reader half an append. The processes run the compiled fixture (npm test builds first).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SqliteEventStore } from './sqlite-event-store';

const run = promisify(execFile);
const fixture = path.resolve(__dirname, '../../dist/event-store/testing/concurrent-writer.js');

describe('SQLite event store shared by several processes', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(fixture)) throw new Error(`${fixture} is missing: run \`npm run build\` first (npm test does)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-procs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets 8 concurrent writers each land or conflict, leaving a gapless stream that no reader sees half-written', async () => {
    const file = path.join(dir, 'events.db');
    SqliteEventStore.open(file).close();
    const stream = 'room-contended';
    // Every writer starts at the same instant, once all processes are up, and writes for a second (longer if it has
    // not landed yet: see the fixture).
    const startAt = String(Date.now() + 1500);
    const writers = Array.from({ length: 8 }, () => run(process.execPath, [fixture, 'writer', file, stream, startAt, '1000']));
    const readers = Array.from({ length: 2 }, () => run(process.execPath, [fixture, 'reader', file, stream, '3000']));
    const written = (await Promise.all(writers)).map(({ stdout }) => JSON.parse(stdout) as { landed: number; conflicts: number });
    const read = (await Promise.all(readers)).map(({ stdout }) => JSON.parse(stdout) as { reads: number; torn: number });

    const landed = written.reduce((sum, w) => sum + w.landed, 0);
    expect(written.every((w) => w.landed > 0)).toBe(true);
    expect(written.reduce((sum, w) => sum + w.conflicts, 0)).toBeGreaterThan(0);

    const store = SqliteEventStore.open(file);
    const events = await store.readStream(stream);
    await store.close();
    expect(events).toHaveLength(landed * 3);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    expect(read.every((r) => r.reads > 0 && r.torn === 0)).toBe(true);
  });
});
