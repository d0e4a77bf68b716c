// The room details in the embedded SQLite database: one row per room holding its document as JSON.
import type { SqliteDatabase } from '../../sqlite/sqlite-database';
import { RoomDetailsDocuments, type RoomDetailsRecord, type StoredRoomDetails } from './room-details-repository';

interface RoomRow {
  document: string;
  deleted: number;
  last_position: number;
}

export class SqliteRoomDetailsRepository extends RoomDetailsDocuments {
  private readonly table: string;
  private statements;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(private readonly db: SqliteDatabase, generation: number) {
    super();
    this.table = `room_details_g${generation}`;
    this.statements = this.createTable();
  }

  private createTable() {
    const { db, table } = this;
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (room_id TEXT PRIMARY KEY, document TEXT NOT NULL, deleted INTEGER NOT NULL, last_position INTEGER NOT NULL)`);
    return {
      load: db.prepare<[string], RoomRow>(`SELECT document, deleted, last_position FROM ${table} WHERE room_id = ?`),
      insert: db.prepare<[string, string, number]>(`INSERT INTO ${table} VALUES (?, ?, 0, ?) ON CONFLICT DO NOTHING`),
      replace: db.prepare<[string, number, number, string, number]>(
        `UPDATE ${table} SET document = ?, deleted = ?, last_position = ? WHERE room_id = ? AND last_position = ?`,
      ),
    };
  }

  protected async load(roomId: string): Promise<StoredRoomDetails | undefined> {
    const row = this.statements.load.get(roomId);
    return row && { details: JSON.parse(row.document) as RoomDetailsRecord, deleted: row.deleted === 1, lastPosition: row.last_position };
  }

  protected async insert(room: StoredRoomDetails): Promise<void> {
    this.statements.insert.run(room.details.roomId, JSON.stringify(room.details), room.lastPosition);
  }

  protected async replace(room: StoredRoomDetails, readAtPosition: number): Promise<void> {
    this.statements.replace.run(JSON.stringify(room.details), room.deleted ? 1 : 0, room.lastPosition, room.details.roomId, readAtPosition);
  }

  /** Drops the table and starts an empty one, so this repository stays usable. */
  async drop(): Promise<void> {
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    this.statements = this.createTable();
  }
}
