// The newest stretch of the global log one SQLite store has read, shared by all of its subscriptions.
// Every projection processor of a process follows the log through its own subscription, and an append
// wakes them all at once: the first to ask reads the new events from the file (and parses them); the
// others are handed the same events from memory instead of each reading and parsing them again.
//
// What makes that safe is that a read of the log is complete: positions are handed out in commit
// order under SQLite's single write lock (see sqlite-event-store.ts), so `position > after ORDER BY
// position` returns every event there will ever be between `after` and the last position it returns.
// The stretch only ever grows by such a read starting exactly where it ends, so it never has a hole.
// A subscriber behind the stretch (catching up, rebuilding) reads the file as before, and what it reads
// is not kept.
import type { RecordedEvent } from './event-store';

export type ReadLog = (after: number, maxCount: number) => RecordedEvent[];

export class LogTail {
  /** Every event with a position in (`after`, last event's position], in order. */
  private events: RecordedEvent[] = [];
  /** Undefined until the first read: nothing is known yet. */
  private after: number | undefined;

  /**
   * @param capacity events kept at least (when more, the oldest beyond it are dropped), so that
   * subscribers a batch or two apart still share; few enough that they die young.
   */
  constructor(
    private readonly readLog: ReadLog,
    private readonly capacity = 1000,
  ) {}

  /**
   * The events after `after`, in order, from memory when the stretch holds them: up to `maxCount`, or
   * fewer when the stretch ends sooner (ask again from the last one), and none only when the log has none.
   */
  read(after: number, maxCount: number): RecordedEvent[] {
    const known = this.after;
    const last = this.events.at(-1)?.position ?? known;
    if (known !== undefined && last !== undefined && after >= known && after < last) {
      const from = this.indexAfter(after);
      return this.events.slice(from, from + maxCount);
    }
    const read = this.readLog(after, maxCount);
    // A full batch is a subscriber catching up on its own: keeping what it reads would only hold the
    // events in memory longer (and past the young generation). A short one reached the head, where the
    // others are.
    if (read.length === maxCount) return read;
    if (known === undefined || last === undefined || after > last) {
      // Nothing kept yet, or the log moved on through another process: start the stretch here.
      this.after = after;
      this.events = [...read];
    } else if (after === last) {
      for (const event of read) this.events.push(event);
    }
    this.trim();
    return read;
  }

  /**
   * Events this process has just appended and committed, in position order. Kept when they follow the
   * stretch's last event directly: SQLite gives a new row the highest position plus one, so nothing can
   * lie between. Otherwise (another process appended meanwhile) they are left for a read to find.
   */
  appended(events: readonly RecordedEvent[]): void {
    const first = events[0];
    const last = this.events.at(-1)?.position ?? this.after;
    if (first === undefined || last === undefined || first.position !== last + 1) return;
    for (const event of events) this.events.push(event);
    this.trim();
  }

  /** The index of the first kept event after `position` (which is within the stretch). */
  private indexAfter(position: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.position <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private trim(): void {
    // Dropped in bulk, not one event per append, so that keeping the stretch costs no copying per event.
    if (this.events.length <= 2 * this.capacity) return;
    const dropped = this.events.length - this.capacity;
    this.after = this.events[dropped - 1]!.position;
    this.events = this.events.slice(dropped);
  }
}
