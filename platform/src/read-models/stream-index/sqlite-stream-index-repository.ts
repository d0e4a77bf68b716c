import type { SqliteDatabase } from '../../sqlite/sqlite-database';
import type { IndexedStream, StreamEventSeen, StreamIndexRepository, StreamListQuery } from './stream-index-repository';

interface Row {
  stream_id: string;
  category: string;
  event_count: number;
  last_revision: number;
  last_event_type: string;
  first_event_at: number;
  last_event_at: number;
  last_position: number;
}

export class SqliteStreamIndexRepository implements StreamIndexRepository {
  private readonly table: string;
  private statements;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(private readonly db: SqliteDatabase, generation: number) {
    this.table = `stream_index_g${generation}`;
    this.statements = this.createTable();
  }

  private createTable() {
    const { db } = this;
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        stream_id TEXT PRIMARY KEY, category TEXT NOT NULL, event_count INTEGER NOT NULL, last_revision INTEGER NOT NULL,
        last_event_type TEXT NOT NULL, first_event_at INTEGER NOT NULL, last_event_at INTEGER NOT NULL, last_position INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${this.table}_category ON ${this.table} (category, stream_id);
    `);
    return {
      upsert: db.prepare(`
        INSERT INTO ${this.table} VALUES (@streamId, @category, 1, @revision, @type, @at, @at, @position)
        ON CONFLICT (stream_id) DO UPDATE SET
          event_count = event_count + 1, last_revision = excluded.last_revision, last_event_type = excluded.last_event_type,
          last_event_at = excluded.last_event_at, last_position = excluded.last_position
        WHERE excluded.last_position > ${this.table}.last_position`),
      get: db.prepare<[string], Row>(`SELECT * FROM ${this.table} WHERE stream_id = ?`),
      list: db.prepare<[string, string | null, string | null, number], Row>(
        `SELECT * FROM ${this.table} WHERE stream_id > ? AND (? IS NULL OR category = ?) ORDER BY stream_id LIMIT ?`,
      ),
      counts: db.prepare<[], { category: string; streams: number }>(`SELECT category, count(*) AS streams FROM ${this.table} GROUP BY category`),
    };
  }

  async recordEvent(event: StreamEventSeen): Promise<void> {
    this.statements.upsert.run({
      streamId: event.streamId,
      category: event.category,
      revision: event.revision,
      type: event.type,
      at: event.createdAt.getTime(),
      position: event.position,
    });
  }

  async get(streamId: string): Promise<IndexedStream | undefined> {
    const row = this.statements.get.get(streamId);
    return row && toIndexedStream(row);
  }

  async list(query: StreamListQuery): Promise<IndexedStream[]> {
    const category = query.category ?? null;
    return this.statements.list.all(query.afterStreamId ?? '', category, category, query.limit).map(toIndexedStream);
  }

  async countByCategory(): Promise<Record<string, number>> {
    return Object.fromEntries(this.statements.counts.all().map((row) => [row.category, row.streams]));
  }

  /** Drops the table and starts an empty one, so this repository stays usable. */
  async drop(): Promise<void> {
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    this.statements = this.createTable();
  }
}

function toIndexedStream(row: Row): IndexedStream {
  return {
    streamId: row.stream_id,
    category: row.category,
    eventCount: row.event_count,
    lastRevision: row.last_revision,
    lastEventType: row.last_event_type,
    firstEventAt: new Date(row.first_event_at),
    lastEventAt: new Date(row.last_event_at),
    lastPosition: row.last_position,
  };
}
