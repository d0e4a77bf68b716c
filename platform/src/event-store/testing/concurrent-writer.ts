// A separate process for the multi-process tests of the SQLite event store.
//   writer <file> <stream> <startAt> <ms> : from the instant startAt (ms since the epoch, the same for
//                                      every writer) for ms milliseconds, reads the stream's revision,
//                                      pauses a millisecond (so writers overlap), then appends a batch of
//                                      3 events at that revision; prints {"landed": n, "conflicts": n}.
//                                      On a loaded machine a writer may lose every race of its window: it
//                                      then goes on until it lands once (at most 15 s more), so that "every
//                                      writer lands" tests that none is starved, not the scheduler's luck.
//   reader <file> <stream> <ms>      : reads the stream repeatedly, printing {"reads": n, "torn": n}
//                                      where torn counts reads whose length was not a multiple of 3.
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevision } from '../event-store';
import { SqliteEventStore } from '../sqlite-event-store';

async function writer(store: SqliteEventStore, stream: string, startAt: number, ms: number): Promise<object> {
  let landed = 0;
  let conflicts = 0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const giveUpAt = startAt + ms + 15_000;
  while (Date.now() < startAt + ms || (landed === 0 && Date.now() < giveUpAt)) {
    const revision = await store.streamRevision(stream);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const batch = [0, 1, 2].map((i) => ({ id: randomUUID(), type: 'Written', data: { pid: process.pid, i } }));
    try {
      await store.appendToStream(stream, batch, { expectedRevision: revision ?? 'no_stream' });
      landed++;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      conflicts++;
    }
  }
  return { landed, conflicts };
}

async function reader(store: SqliteEventStore, stream: string, ms: number): Promise<object> {
  let reads = 0;
  let torn = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const events = await store.readStream(stream);
    reads++;
    if (events.length % 3 !== 0) torn++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { reads, torn };
}

async function main(): Promise<void> {
  const [role, file, stream, first, second] = process.argv.slice(2);
  if (!file || !stream || !first || (role !== 'writer' && role !== 'reader')) throw new Error('usage: writer <file> <stream> <startAt> <ms> | reader <file> <stream> <ms>');
  const store = SqliteEventStore.open(file);
  const result = role === 'writer' ? await writer(store, stream, Number(first), Number(second)) : await reader(store, stream, Number(first));
  await store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
