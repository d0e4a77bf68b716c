import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventStoreContract } from './event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

describe('SQLite event store', () => {
  eventStoreContract(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-es-'));
    const store = SqliteEventStore.open(path.join(dir, 'events.db'));
    return {
      store,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
