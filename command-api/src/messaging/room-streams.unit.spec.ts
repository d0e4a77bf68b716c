// The room write path on the embedded event store: one turn per room at a time, waiting commands decided
// together and appended once, conflicts with another process decided again, failures kept to their caller.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DomainError, isDomainError, messageEventId, type RoomCommand, roomMessagesStreamId, roomStreamId, sentMessage } from '@chat/domain';
import { type EventStore, openSqlite, SqliteEventStore, type StreamAppend } from '@chat/platform';
import { RoomStreams } from './room-streams';

const at = '2026-03-01T10:00:00.000Z';
const roomId = randomUUID();
const [alice, bob] = [randomUUID(), randomUUID()];

/** Counts appends, and lets a test slip in another process's append just before one. */
class WatchedStore {
  readonly appends: string[] = [];
  beforeNextAppend?: () => Promise<void>;
  readonly store: EventStore;

  constructor(inner: SqliteEventStore) {
    const slipIn = async () => {
      const before = this.beforeNextAppend;
      this.beforeNextAppend = undefined;
      await before?.();
    };
    this.store = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        await slipIn();
        this.appends.push(`${args[0]} ×${args[1].length}`);
        return inner.appendToStream(...args);
      },
      appendToStreams: async (appends: readonly StreamAppend[]) => {
        await slipIn();
        this.appends.push(...appends.map((append) => `${append.streamId} ×${append.events.length}`));
        return inner.appendToStreams(appends);
      },
    });
  }
}

describe('RoomStreams', () => {
  let inner: SqliteEventStore;
  let watched: WatchedStore;
  let streams: RoomStreams;

  beforeEach(async () => {
    inner = new SqliteEventStore(openSqlite(':memory:'));
    watched = new WatchedStore(inner);
    streams = new RoomStreams(watched.store);
    await decide({ type: 'CreateGroupRoom', roomId, actorId: alice, name: 'Launch', memberIds: [bob], at });
    watched.appends.length = 0;
  });
  afterEach(() => inner.close());

  function decide(command: RoomCommand): Promise<number | DomainError> {
    return streams.decide(roomId, { command: () => command, metadata: { actorId: command.actorId }, answer: (room) => room.state.log.lastSeq });
  }
  const send = (actorId: string, clientMessageId: string, text = 'hello'): RoomCommand => ({ type: 'SendMessage', roomId, actorId, clientMessageId, text, blockedByOther: false, at });

  it('decides the commands waiting together on the state each leaves, and appends them once', async () => {
    const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(send(i % 2 ? alice : bob, `c${i}`))));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(watched.appends).toEqual([`${roomMessagesStreamId(roomId)} ×20`]);
  });

  it('appends to each stream in the order the commands came', async () => {
    const carol = randomUUID();
    const outcomes = await Promise.all([
      decide(send(alice, 'one')),
      decide({ type: 'AddMember', roomId, actorId: alice, userId: carol, at }),
      decide(send(carol, 'two')),
    ]);
    expect(outcomes).toEqual([1, 1, 2]);
    expect(watched.appends).toEqual([`${roomMessagesStreamId(roomId)} ×1`, `${roomStreamId(roomId)} ×1`, `${roomMessagesStreamId(roomId)} ×1`]);
  });

  it('answers a refused command with its error, and the others of its turn with theirs', async () => {
    const outcomes = await Promise.all([decide(send(alice, 'a')), decide(send(randomUUID(), 'b')), decide(send(bob, 'c'))]);
    expect(outcomes[0]).toBe(1);
    expect(isDomainError(outcomes[1]) && outcomes[1].code).toBe('ROOM_NOT_FOUND');
    expect(outcomes[2]).toBe(2);
  });

  it('keeps a failure to make a command to its caller', async () => {
    const failing = streams.decide(roomId, { command: () => Promise.reject(new Error('identity is down')), metadata: {}, answer: () => 0 });
    const fine = decide(send(alice, 'a'));
    await expect(failing).rejects.toThrow('identity is down');
    await expect(fine).resolves.toBe(1);
  });

  it('decides again, on the other process’s events, what met its append', async () => {
    await decide(send(alice, 'first'));
    watched.beforeNextAppend = async () => {
      const revision = await inner.streamRevision(roomMessagesStreamId(roomId));
      const messageId = messageEventId(bob, 'elsewhere');
      const data = { roomId, messageId, seq: 2, authorId: bob, clientMessageId: 'elsewhere', text: 'from another process', at };
      await inner.appendToStream(roomMessagesStreamId(roomId), [{ id: messageId, type: 'MessageSent', data }], { expectedRevision: revision! });
    };
    await expect(Promise.all([decide(send(alice, 'second')), decide(send(bob, 'third'))])).resolves.toEqual([3, 4]);
    const state = await streams.inspect(roomId, (room) => room.state);
    expect(sentMessage(state, bob, 'elsewhere')?.seq).toBe(2);
  });

  it('answers a repeated send with the message already sent, appending nothing', async () => {
    await decide(send(alice, 'once'));
    const answer = await streams.decide(roomId, {
      command: () => send(alice, 'once', 'again'),
      metadata: {},
      answer: (room, events) => ({ events: events.length, text: sentMessage(room.state, alice, 'once')?.text }),
    });
    expect(answer).toEqual({ events: 0, text: 'hello' });
    expect(watched.appends).toHaveLength(1);
  });
});

describe('RoomStreams on a store that knows what it wrote', () => {
  let dir: string;
  let ours: SqliteEventStore;
  let theirs: SqliteEventStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-room-streams-'));
    ours = SqliteEventStore.open(path.join(dir, 'chat.db'));
    theirs = SqliteEventStore.open(path.join(dir, 'chat.db'));
  });
  afterEach(async () => {
    await Promise.all([ours.close(), theirs.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skips the catch-up read while nobody else wrote, and reads again (seeing their change) once another process did', async () => {
    const streams = new RoomStreams(ours);
    const decideOn = (on: RoomStreams, command: RoomCommand) =>
      on.decide(roomId, { command: () => command, metadata: { actorId: command.actorId }, answer: (room) => room.state.log.lastSeq });
    const send = (actorId: string, clientMessageId: string): RoomCommand => ({ type: 'SendMessage', roomId, actorId, clientMessageId, text: 'hi', blockedByOther: false, at });
    await decideOn(streams, { type: 'CreateGroupRoom', roomId, actorId: alice, name: 'Launch', memberIds: [bob], at });
    await decideOn(streams, send(bob, 'first'));
    const reads = jest.spyOn(ours, 'readStream');

    await expect(decideOn(streams, send(bob, 'second'))).resolves.toBe(2);
    await expect(decideOn(streams, send(alice, 'third'))).resolves.toBe(3);
    expect(reads).not.toHaveBeenCalled();

    // Another process removes bob: the next turn here must read it rather than trust what it kept.
    await expect(decideOn(new RoomStreams(theirs), { type: 'RemoveMember', roomId, actorId: alice, userId: bob, at })).resolves.toBe(3);
    const refused = await decideOn(streams, send(bob, 'after removal'));
    expect(isDomainError(refused) && refused.code).toBe('ROOM_NOT_FOUND');
    expect(reads).toHaveBeenCalled();
  });
});
