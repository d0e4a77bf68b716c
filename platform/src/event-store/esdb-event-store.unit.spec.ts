// The EventStoreDB adapter's translations, checked without a server: the adapter itself runs the
// shared contract suite in esdb-event-store.int.spec.ts when EVENTSTORE_URL is set.
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { WrongExpectedRevision } from './event-store';
import {
  collectRead,
  fromEsdbExpectedRevision,
  fromEsdbPosition,
  isSystemEvent,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toEventData,
  toRecordedEvent,
  toSafeNumber,
  toWrongExpectedRevision,
} from './esdb-event-store';

const created = new Date('2024-05-01T10:00:00.000Z');

function jsonEvent(overrides: { type?: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> | Uint8Array | string; position?: bigint } = {}): AllStreamResolvedEvent {
  const position = overrides.position ?? 4_096n;
  return {
    event: {
      streamId: 'room-7',
      id: '5f0c5e1e-1f6b-4a55-9a43-0d6a4e2c1b11',
      isJson: true,
      revision: 3n,
      type: overrides.type ?? 'MessagePosted',
      created,
      data: overrides.data ?? { text: 'salut 👋', seq: 4 },
      metadata: overrides.metadata,
      position: { commit: position, prepare: position },
    },
  };
}

async function* reading<E>(events: E[], failure?: Error): AsyncGenerator<E> {
  yield* events;
  if (failure) throw failure;
}

describe('expected revisions', () => {
  it.each([
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    ['any', ANY],
  ] as const)('maps %s to the client constant and back', (ours, theirs) => {
    expect(toEsdbExpectedRevision(ours)).toBe(theirs);
    expect(fromEsdbExpectedRevision(theirs)).toBe(ours);
  });

  it('maps a revision number to a bigint and back', () => {
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(fromEsdbExpectedRevision(41n)).toBe(41);
  });
});

describe('bigint to number', () => {
  it('keeps every value up to Number.MAX_SAFE_INTEGER exactly', () => {
    expect(toSafeNumber(0n)).toBe(0);
    expect(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a value a number cannot hold exactly rather than rounding it', () => {
    expect(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(() => toSafeNumber(2n ** 64n - 1n)).toThrow(RangeError);
  });

  it('refuses a negative value, which no revision or position can be', () => {
    expect(() => toSafeNumber(-1n)).toThrow(RangeError);
  });

  it('refuses an expected revision beyond Number.MAX_SAFE_INTEGER', () => {
    expect(() => fromEsdbExpectedRevision(2n ** 60n)).toThrow(RangeError);
  });
});

describe('positions', () => {
  it('sends a position as both the commit and the prepare offset', () => {
    expect(toEsdbPosition(1_234)).toEqual({ commit: 1_234n, prepare: 1_234n });
  });

  it('reads a position back from the commit offset', () => {
    expect(fromEsdbPosition({ commit: 1_234n, prepare: 1_234n })).toBe(1_234);
    expect(fromEsdbPosition(toEsdbPosition(987_654_321))).toBe(987_654_321);
  });

  it('refuses a commit offset beyond Number.MAX_SAFE_INTEGER', () => {
    expect(() => fromEsdbPosition({ commit: 2n ** 53n, prepare: 2n ** 53n })).toThrow(RangeError);
  });
});

describe('events to append', () => {
  it('sends the data and metadata as JSON under the event id and type', () => {
    const event = { id: 'e-1', type: 'RoomCreated', data: { name: 'général' }, metadata: { actorId: 'u1' } };
    expect(toEventData(event)).toEqual({ id: 'e-1', contentType: 'application/json', type: 'RoomCreated', data: { name: 'général' }, metadata: { actorId: 'u1' } });
  });

  it('sends missing data as null, which JSON can carry', () => {
    expect(toEventData({ id: 'e-2', type: 'Pinged', data: undefined }).data).toBeNull();
  });
});

describe('recorded events', () => {
  it('maps a JSON event with its revision, position and creation time', () => {
    expect(toRecordedEvent(jsonEvent({ metadata: { actorId: 'u1', correlationId: 'c1' } }))).toEqual({
      id: '5f0c5e1e-1f6b-4a55-9a43-0d6a4e2c1b11',
      streamId: 'room-7',
      type: 'MessagePosted',
      data: { text: 'salut 👋', seq: 4 },
      metadata: { actorId: 'u1', correlationId: 'c1' },
      revision: 3,
      position: 4_096,
      createdAt: created,
    });
  });

  it('gives an event stored without metadata empty metadata', () => {
    expect(toRecordedEvent(jsonEvent()).metadata).toEqual({});
  });

  it('refuses metadata that is not a JSON object', () => {
    expect(() => toRecordedEvent(jsonEvent({ metadata: new Uint8Array([1, 2]) }))).toThrow(/metadata/);
    expect(() => toRecordedEvent(jsonEvent({ metadata: 'plain text' }))).toThrow(/metadata/);
  });

  it('refuses an event whose data is not JSON', () => {
    const binary: ResolvedEvent = {
      event: { streamId: 'room-7', id: 'e-3', isJson: false, revision: 0n, type: 'Blob', created, data: new Uint8Array([0]), metadata: undefined, position: { commit: 10n, prepare: 10n } },
    };
    expect(() => toRecordedEvent(binary)).toThrow(/not JSON/);
  });

  it('refuses an event with no log position, which servers before 22.6 leave off stream reads', () => {
    const withoutPosition: ResolvedEvent = {
      event: { streamId: 'room-7', id: 'e-4', isJson: true, revision: 0n, type: 'RoomCreated', created, data: {}, metadata: undefined },
    };
    expect(() => toRecordedEvent(withoutPosition)).toThrow(/22\.6/);
  });

  it('refuses a revision beyond Number.MAX_SAFE_INTEGER', () => {
    const event = jsonEvent();
    expect(() => toRecordedEvent({ event: { ...event.event!, revision: 2n ** 53n } })).toThrow(RangeError);
  });

  it('tells system events by the $ that starts their type', () => {
    expect(isSystemEvent(jsonEvent({ type: '$>' }))).toBe(true);
    expect(isSystemEvent(jsonEvent({ type: '$metadata' }))).toBe(true);
    expect(isSystemEvent(jsonEvent({ type: 'MessagePosted' }))).toBe(false);
  });
});

describe('errors', () => {
  it('turns a conflict on an existing stream into WrongExpectedRevision with its revision', () => {
    const error = toWrongExpectedRevision(new WrongExpectedVersionError(undefined, { streamName: 'room-7', expected: 2n, current: 3n }));
    expect(error).toBeInstanceOf(WrongExpectedRevision);
    expect(error).toMatchObject({ streamId: 'room-7', expected: 2, actual: 3 });
  });

  it('turns a conflict on a missing stream into WrongExpectedRevision with no actual revision', () => {
    const error = toWrongExpectedRevision(new WrongExpectedVersionError(undefined, { streamName: 'room-8', expected: STREAM_EXISTS, current: NO_STREAM }));
    expect(error).toMatchObject({ streamId: 'room-8', expected: 'stream_exists', actual: undefined });
  });

  it('keeps the expected no_stream of a conflict on an existing stream', () => {
    const error = toWrongExpectedRevision(new WrongExpectedVersionError(undefined, { streamName: 'room-9', expected: NO_STREAM, current: 1n }));
    expect(error).toMatchObject({ expected: 'no_stream', actual: 1 });
  });

  it('reads a stream that does not exist as empty', async () => {
    await expect(collectRead(reading([], new StreamNotFoundError(undefined, 'room-404')))).resolves.toEqual([]);
  });

  it('collects every event of a read in order', async () => {
    await expect(collectRead(reading([1, 2, 3]))).resolves.toEqual([1, 2, 3]);
  });

  it('passes any other read failure on', async () => {
    const unavailable = new UnavailableError(undefined, 'server unreachable');
    await expect(collectRead(reading([1], unavailable))).rejects.toBe(unavailable);
  });
});
