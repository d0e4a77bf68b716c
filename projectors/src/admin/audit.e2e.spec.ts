// `admin replay` and `admin audit` read the log itself: every event with its time, type, actor and
// data, as a table or JSON lines, with hashes of secrets left out.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '@chat/platform';
import { killStartedProcesses, startProcess } from '../testing/processes';

describe('admin replay and audit', () => {
  let dataDir: string;
  const userId = randomUUID();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-audit-'));
    const store = SqliteEventStore.open(path.join(dataDir, 'chat.db'));
    await store.appendToStream(`user-${userId}`, [
      { id: randomUUID(), type: 'UserRegistered', data: { userId, username: 'zoë', passwordHash: '$argon2id$secret' }, metadata: { actorId: userId } },
      { id: randomUUID(), type: 'ProfileUpdated', data: { userId, displayName: 'Zoë 🌟' }, metadata: { actorId: userId } },
    ], { expectedRevision: 'no_stream' });
    await store.appendToStream(`room-${randomUUID()}`, [{ id: randomUUID(), type: 'GroupRoomCreated', data: { name: 'général' }, metadata: { actorId: userId } }], { expectedRevision: 'no_stream' });
    await store.close();
  });
  afterAll(() => {
    killStartedProcesses();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = async (...args: string[]) => startProcess('projectors/dist/admin/cli.js', args, { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }).finished;

  it('replays one stream in order as a table, without secret hashes', async () => {
    const { code, stdout } = await admin('replay', `user-${userId}`);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REV\s+TIME\s+TYPE\s+ACTOR\s+DATA$/);
    expect(lines[1]).toMatch(new RegExp(`^0\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+UserRegistered\\s+${userId}\\s+.*"passwordHash":"\\[redacted\\]"`));
    expect(lines[2]).toContain('Zoë 🌟');
    expect(stdout).not.toContain('$argon2id$secret');
  });

  it('lists every event since a time as JSON lines', async () => {
    const { code, stdout } = await admin('audit', '--since', '2000-01-01T00:00:00Z', '--json');
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: string; position: number });
    expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'ProfileUpdated', 'GroupRoomCreated']);
    expect(events.every((e) => e.actor === userId)).toBe(true);
    expect((await admin('audit', '--since', '2999-01-01T00:00:00Z', '--json')).stdout.trim()).toBe('');
  });

  it('answers a clear error for an unknown stream or a bad time', async () => {
    expect(await admin('replay', 'room-none')).toMatchObject({ code: 1, stderr: expect.stringContaining('stream room-none has no events') });
    expect(await admin('audit', '--since', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a time') });
  });
});
