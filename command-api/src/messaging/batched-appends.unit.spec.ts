import { randomUUID } from 'node:crypto';
import { type EventStore, openSqlite, SqliteEventStore, type StreamAppend, WrongExpectedRevision } from '@chat/platform';
import { BatchedAppends, MAX_BATCH } from './batched-appends';

describe('BatchedAppends', () => {
  let store: SqliteEventStore;
  let calls: (readonly StreamAppend[])[];
  let batched: BatchedAppends;
  const event = () => ({ id: randomUUID(), type: 'Noted', data: {} });
  /** As the rooms' turns do: each in an immediate of its own. */
  const inTurnsOfTheirOwn = <T>(work: (() => Promise<T>)[]) =>
    Promise.all(work.map((append) => new Promise<T>((resolve, reject) => setImmediate(() => append().then(resolve, reject)))));

  beforeEach(() => {
    store = new SqliteEventStore(openSqlite(':memory:'));
    calls = [];
    const watched = Object.assign(Object.create(store) as EventStore, {
      appendToStreams: (appends: readonly StreamAppend[]) => {
        calls.push(appends);
        return store.appendToStreams(appends);
      },
    });
    batched = new BatchedAppends(watched);
  });
  afterEach(() => store.close());

  it('writes the appends asked for in one turn of the event loop together, each answered with its own outcome', async () => {
    const outcomes = await inTurnsOfTheirOwn([
      () => batched.append('a', [event()], 'no_stream'),
      () => batched.append('b', [event(), event()], 'no_stream'),
      () => batched.append('c', [event()], 5).catch((error: unknown) => error),
    ]);
    expect(calls.map((call) => call.map((append) => append.streamId))).toEqual([['a', 'b', 'c']]);
    expect(outcomes[0]).toMatchObject({ nextExpectedRevision: 0 });
    expect(outcomes[1]).toMatchObject({ nextExpectedRevision: 1 });
    expect(outcomes[2]).toBeInstanceOf(WrongExpectedRevision);

    await batched.append('a', [event()], 0);
    expect(calls).toHaveLength(2);
    expect(await store.streamRevision('a')).toBe(1);
  });

  it('writes a turn with more than MAX_BATCH appends as it goes, MAX_BATCH at a time, and the rest at its end', async () => {
    const count = MAX_BATCH * 2 + 3;
    const flushedBeforeTheTurnEnded: number[] = [];
    const appends = Array.from({ length: count }, (_, n) => batched.append(`s-${n}`, [event()], 'no_stream'));
    // Still in the turn that asked: the two full batches have been handed to the store.
    flushedBeforeTheTurnEnded.push(...calls.map((call) => call.length));

    const outcomes = await Promise.all(appends);

    expect(flushedBeforeTheTurnEnded).toEqual([MAX_BATCH, MAX_BATCH]);
    expect(calls.map((call) => call.length)).toEqual([MAX_BATCH, MAX_BATCH, 3]);
    expect(outcomes.every((outcome) => outcome.nextExpectedRevision === 0)).toBe(true);
  });

  it('fails every append of a batch the store could not write', async () => {
    const failing = new BatchedAppends(Object.assign(Object.create(store) as EventStore, { appendToStreams: () => Promise.reject(new Error('disk I/O error')) }));
    const outcomes = await inTurnsOfTheirOwn([() => failing.append('a', [event()], 'any'), () => failing.append('b', [event()], 'any')].map((append) => () => append().catch((error: unknown) => error)));
    expect(outcomes.map((outcome) => (outcome as Error).message)).toEqual(['disk I/O error', 'disk I/O error']);
    expect(await store.streamRevision('a')).toBeUndefined();
  });

  it('hands each append straight to a store that cannot write several together', async () => {
    const single: string[] = [];
    const plain: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStreams: undefined,
      appendToStream: (...args: Parameters<EventStore['appendToStream']>) => {
        single.push(args[0]);
        return store.appendToStream(...args);
      },
    });
    const direct = new BatchedAppends(plain);
    await inTurnsOfTheirOwn([() => direct.append('a', [event()], 'no_stream'), () => direct.append('b', [event()], 'no_stream')]);
    expect(single).toEqual(['a', 'b']);
  });
});
