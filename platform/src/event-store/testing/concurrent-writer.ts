// A separate process for the multi-process tests of the SQLite event store.
//   writer <file> <stream> <appends> : appends batches of 3 events at the revision it last read,
//                                      printing {"landed": n, "conflicts": n} at the end.
//   reader <file> <stream> <ms>      : reads the stream repeatedly, printing {"reads": n, "torn": n}
//                                      where torn counts reads whose length was not a multiple of 3.
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevision } from '../event-store';
import { SqliteEventStore } from '../sqlite-event-store';

async function writer(store: SqliteEventStore, stream: string, appends: number): Promise<object> {
  let landed = 0;
  let conflicts = 0;
  while (landed + conflicts < appends) {
    const revision = await store.streamRevision(stream);
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
  const [role, file, stream, amount] = process.argv.slice(2);
  if (!file || !stream || !amount || (role !== 'writer' && role !== 'reader')) throw new Error('usage: writer|reader <file> <stream> <n>');
  const store = SqliteEventStore.open(file);
  const result = role === 'writer' ? await writer(store, stream, Number(amount)) : await reader(store, stream, Number(amount));
  await store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
