import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { forwardSqliteAppends, wakeOnForwardedAppends } from './sqlite-append-forwarding';
import { SqliteEventStore, sqliteAppendSignal } from './sqlite-event-store';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
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

  it('forwards the appends of one turn of the event loop as one message, posted once they are all made', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);

    await Promise.all([append('room-1'), append('room-2'), append('room-3')]);
    await settle();

    expect(forwarded).toBe(1);
  });

  it('forwards again for appends of a later turn', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);

    await append();
    await nextTurn();
    await append();
    await settle();

    expect(forwarded).toBe(2);
  });

  it('forwards nothing once stopped, not even for an append of the turn it stopped in', async () => {
    stopForwarding = forwardSqliteAppends(file, sending);

    await append();
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
