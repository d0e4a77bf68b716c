// Opens the embedded SQLite database: WAL so readers never block the writer nor see half an append,
// a busy timeout so several processes on one machine take turns at the single write lock.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** `normal` survives a crashed process; `full` also a crashed machine, at the cost of an fsync per commit. */
  readonly synchronous?: 'normal' | 'full';
  readonly readonly?: boolean;
}

export function openSqlite(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 10000');
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Runs `work` in a write transaction taken at once (BEGIN IMMEDIATE), so two processes never both
 * read a stream's revision and then race to write. better-sqlite3 is synchronous: `work` must be too.
 */
export function writeTransaction<T>(db: SqliteDatabase, work: () => T): T {
  return db.transaction(work).immediate();
}
