import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { openSqlite } from '../sqlite/sqlite-database';
import type { RecordedEvent } from './event-store';
import { LogTail } from './log-tail';
import { SqliteEventStore } from './sqlite-event-store';

/** A log in memory, read as the SQLite store reads it, counting the reads. */
function memoryLog() {
  const events: RecordedEvent[] = [];
  let reads = 0;
  return {
    append(count: number): RecordedEvent[] {
      const appended: RecordedEvent[] = [];
      for (let i = 0; i < count; i++) {
        const position = events.length + 1;
        const event = { id: `event-${position}`, streamId: 'room-1', type: 'Said', data: { position }, metadata: {}, revision: position - 1, position, createdAt: new Date(0) };
        events.push(event);
        appended.push(event);
      }
      return appended;
    },
    read: (after: number, maxCount: number) => {
      reads++;
      return events.filter((event) => event.position > after).slice(0, maxCount);
    },
    get reads() {
      return reads;
    },
    get head() {
      return events.length;
    },
  };
}

describe('LogTail', () => {
  it('reads new events from the log once for every subscriber at the head', () => {
    const log = memoryLog();
    const tail = new LogTail(log.read);
    log.append(3);
    for (let subscriber = 0; subscriber < 6; subscriber++) expect(tail.read(0, 500).map((e) => e.position)).toEqual([1, 2, 3]);
    log.append(2);
    for (let subscriber = 0; subscriber < 6; subscriber++) expect(tail.read(3, 500).map((e) => e.position)).toEqual([4, 5]);
    expect(log.reads).toBe(2);
  });

  it('answers a subscriber inside the stretch with what follows its position, up to its batch size', () => {
    const log = memoryLog();
    const tail = new LogTail(log.read);
    log.append(10);
    tail.read(0, 500);
    expect(tail.read(4, 3).map((e) => e.position)).toEqual([5, 6, 7]);
    expect(tail.read(9, 500).map((e) => e.position)).toEqual([10]);
    expect(log.reads).toBe(1);
  });

  it('sends a subscriber behind the stretch to the log, and lets one ahead of it start a new stretch', () => {
    const log = memoryLog();
    const tail = new LogTail(log.read, 2);
    log.append(10);
    tail.read(0, 500);
    log.append(10);
    expect(tail.read(10, 500)).toHaveLength(10);
    // Beyond twice its capacity the stretch was cut back to its two newest events (19 and 20).
    expect(tail.read(5, 2).map((e) => e.position)).toEqual([6, 7]);
    expect(log.reads).toBe(3);
    expect(tail.read(25, 500)).toEqual([]);
    log.append(1);
    expect(tail.read(20, 500).map((e) => e.position)).toEqual([21]);
  });

  it('keeps what this process appended when it follows the stretch, and leaves the rest for a read', () => {
    const log = memoryLog();
    const tail = new LogTail(log.read);
    tail.appended(log.append(2));
    expect(tail.read(0, 500).map((e) => e.position)).toEqual([1, 2]);
    tail.appended(log.append(3));
    expect(tail.read(2, 500).map((e) => e.position)).toEqual([3, 4, 5]);
    expect(log.reads).toBe(1);
    log.append(1); // another process's
    tail.appended(log.append(1));
    expect(tail.read(5, 500).map((e) => e.position)).toEqual([6, 7]);
    expect(log.reads).toBe(2);
  });

  it('gives every subscriber every event once, in order, however reads and appends (its own or another process’s) interleave', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 0, max: 7 }), ours: fc.boolean() }),
      fc.record({ kind: fc.constant('read' as const), subscriber: fc.integer({ min: 0, max: 3 }), maxCount: fc.integer({ min: 1, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat({ max: 10 }), { minLength: 4, maxLength: 4 }), (steps, capacity, starts) => {
        const log = memoryLog();
        log.append(10);
        const tail = new LogTail(log.read, capacity);
        const seen = starts.map((start) => ({ start, positions: [] as number[] }));
        const readOn = (subscriber: { start: number; positions: number[] }, maxCount: number) => {
          const after = subscriber.positions.at(-1) ?? subscriber.start;
          const read = tail.read(after, maxCount);
          // What the log holds next, perhaps fewer when the stretch ends sooner, but none only at the head.
          const next = log.read(after, maxCount);
          expect(read).toEqual(next.slice(0, read.length));
          expect(read.length === 0).toBe(next.length === 0);
          subscriber.positions.push(...read.map((event) => event.position));
        };
        for (const s of steps) {
          if (s.kind === 'append') {
            const appended = log.append(s.count);
            if (s.ours) tail.appended(appended);
          }
          else readOn(seen[s.subscriber]!, s.maxCount);
        }
        for (const subscriber of seen) {
          while ((subscriber.positions.at(-1) ?? subscriber.start) < log.head) readOn(subscriber, 5);
          expect(subscriber.positions).toEqual(Array.from({ length: log.head - subscriber.start }, (_, i) => subscriber.start + i + 1));
        }
      }),
    );
  });
});

describe('SqliteEventStore subscriptions sharing the log tail', () => {
  it('each see every event once, in order, whether following live or catching up from the start', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteEventStore(db, { pollIntervalMs: 5 });
    const append = (count: number) =>
      store.appendToStream(
        'room-1',
        Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'Said', data: { i, skipped: undefined }, ...(i % 2 ? { metadata: { actorId: 'alice' } } : {}) })),
        { expectedRevision: 'any' },
      );
    const follow = async (after: number, until: number) => {
      const subscription = store.subscribeToAll({ after, batchSize: 7 });
      const positions: number[] = [];
      for await (const event of subscription) {
        positions.push(event.position);
        if (event.position >= until) break;
      }
      return positions;
    };
    try {
      await append(20);
      const live = [follow(20, 300), follow(20, 300), follow(20, 300)];
      for (let i = 0; i < 40; i++) {
        await append(7);
        if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const late = follow(0, 300);
      const everything = Array.from({ length: 300 }, (_, i) => i + 1);
      for (const positions of await Promise.all(live)) expect(positions).toEqual(everything.slice(20));
      expect(await late).toEqual(everything);
      // What the tail kept of this store's own appends is what a read of the file gives.
      const kept: RecordedEvent[] = [];
      for await (const event of store.subscribeToAll({ after: 250 })) {
        kept.push(event);
        if (event.position >= 300) break;
      }
      expect(kept).toEqual(await store.readAll({ after: 250, maxCount: 50 }));
    } finally {
      await store.close();
      db.close();
    }
  });
});
