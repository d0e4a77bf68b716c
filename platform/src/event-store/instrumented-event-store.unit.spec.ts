import { randomUUID } from 'node:crypto';
import { openSqlite } from '../sqlite/sqlite-database';
import type { EventStore } from './event-store';
import { InstrumentedEventStore } from './instrumented-event-store';
import { SqliteEventStore } from './sqlite-event-store';

describe('InstrumentedEventStore', () => {
  it('offers appendToStreams only when the adapter does: without it, callers append one by one', async () => {
    const sqlite = new SqliteEventStore(openSqlite(':memory:'));
    const together = new InstrumentedEventStore(sqlite, 'sqlite');
    const outcomes = await together.appendToStreams!([{ streamId: 'a', events: [{ id: randomUUID(), type: 'Noted', data: {} }], expectedRevision: 'no_stream' }]);
    expect(outcomes).toEqual([{ status: 'fulfilled', value: { nextExpectedRevision: 0, position: 1 } }]);

    const oneByOne: EventStore = Object.assign(Object.create(sqlite) as EventStore, { appendToStreams: undefined });
    expect(new InstrumentedEventStore(oneByOne, 'esdb').appendToStreams).toBeUndefined();
    await sqlite.close();
  });
});
