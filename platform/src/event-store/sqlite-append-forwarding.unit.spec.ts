import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { forwardSqliteAppends, wakeOnForwardedAppends } from './sqlite-append-forwarding';
import { SqliteEventStore, sqliteAppendSignal } from './sqlite-event-store';

/** Long enough for a posted message to cross a MessageChannel. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('SQLite append forwarding', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let sending: MessagePort;
  let receiving: MessagePort;
  let forwarded: number;
  let stopForwarding: (() => void) | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-append-forwarding-'));
    file = path.join(dir, 'events.db');
    store = SqliteEventStore.open(file);
    ({ port1: sending, port2: receiving } = new MessageChannel());
    forwarded = 0;
    stopForwarding = undefined;
    receiving.on('message', () => forwarded++);
  });

  afterEach(async () => {
    stopForwarding?.();
    sending.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const append = (stream = 'room-1') => store.appendToStream(stream, [{ id: randomUUID(), type: 'MessageSent', data: {} }], { expectedRevision: 'any' });

  it('forwards each commit at once, as a message of its own', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);

    await Promise.all([append('room-1'), append('room-2'), append('room-3')]);
    await settle();

    expect(forwarded).toBe(3);
  });

  it('forwards a batch of appends, one commit, as one message', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);
    const event = () => [{ id: randomUUID(), type: 'MessageSent', data: {} }];

    await store.appendToStreams(['room-1', 'room-2', 'room-3'].map((streamId) => ({ streamId, events: event(), expectedRevision: 'any' as const })));
    await settle();

    expect(forwarded).toBe(1);
  });

  it('forwards nothing once stopped', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);

    stopForwarding();
    await append();
    await settle();

    expect(forwarded).toBe(0);
  });

  it('does not forward appends to another file', async () => {
    stopForwarding = forwardSqliteAppends(path.join(dir, 'other.db'), sending);

    await append();
    await settle();

    expect(forwarded).toBe(0);
  });

  it('wakes the receiving thread’s subscriptions to the file, once per forwarded message', async () => {
    const receivingFile = path.join(dir, 'followed.db');
    let woken = 0;
    const onAppend = () => woken++;
    sqliteAppendSignal(receivingFile).on('append', onAppend);
    wakeOnForwardedAppends(receivingFile, receiving);

    sending.postMessage(null);
    sending.postMessage(null);
    await settle();

    expect(woken).toBe(2);
    sqliteAppendSignal(receivingFile).off('append', onAppend);
  });
});
