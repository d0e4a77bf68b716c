import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SqliteDatabase, openSqlite } from '@chat/platform';
import { SqliteProjectionStore } from './projection-stores';

describe('SQLite projection store', () => {
  let dir: string;
  let db: SqliteDatabase;
  let reader: SqliteDatabase;
  let store: SqliteProjectionStore;
  const seen: string[] = [];
  const texts = (connection: SqliteDatabase) => connection.prepare('SELECT text FROM rows ORDER BY text').pluck().all() as string[];
  const writing = (text: string, then?: () => void) => async () => {
    db.prepare('INSERT INTO rows VALUES (?)').run(text);
    seen.push(`applied ${text}`);
    then?.();
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-projection-store-'));
    db = openSqlite(path.join(dir, 'read.db'));
    db.exec('CREATE TABLE rows (text TEXT PRIMARY KEY)');
    reader = openSqlite(path.join(dir, 'read.db'));
    store = new SqliteProjectionStore(db);
    seen.length = 0;
  });
  afterEach(() => {
    reader.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the batches waiting together in one transaction, settling none before it commits, and rolls a failing one back alone', async () => {
    const visibleDuringB: string[][] = [];
    const a = store.commit('a', 1, writing('a'));
    const failing = store.commit('failing', 2, async () => {
      db.prepare('INSERT INTO rows VALUES (?)').run('failed');
      throw new Error('cannot apply');
    });
    const b = store.commit('b', 3, writing('b', () => visibleDuringB.push(texts(reader))));
    void a.then(() => seen.push('a settled'));

    await expect(failing).rejects.toThrow('cannot apply');
    await Promise.all([a, b]);

    // Another connection saw nothing of the first batch while the last one was written: one transaction.
    expect(visibleDuringB).toEqual([[]]);
    expect(seen).toEqual(['applied a', 'applied b', 'a settled']);
    expect(texts(reader)).toEqual(['a', 'b']);
    expect((await store.checkpoints.list()).map(({ projection, position }) => [projection, position])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('writes a batch asked for while a transaction runs in the next one', async () => {
    let later: Promise<void> | undefined;
    const first = store.commit('a', 1, writing('first', () => (later = store.commit('a', 2, writing('later')))));
    await first;
    expect(texts(reader)).toEqual(['first']);
    await later;
    expect(texts(reader)).toEqual(['first', 'later']);
    expect((await store.checkpoints.read('a'))?.position).toBe(2);
  });

  it('fails every batch of a transaction that cannot commit, writing none of them, and writes the next ones', async () => {
    db.exec('CREATE TABLE parents (id TEXT PRIMARY KEY)');
    db.exec('CREATE TABLE children (parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)');
    const fine = store.commit('a', 1, writing('fine'));
    const orphan = store.commit('b', 2, async () => void db.prepare('INSERT INTO children VALUES (?)').run('nobody'));

    await expect(fine).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(texts(reader)).toEqual([]);
    expect(await store.checkpoints.list()).toEqual([]);

    await store.commit('a', 3, writing('after'));
    expect(texts(reader)).toEqual(['after']);
  });
});
