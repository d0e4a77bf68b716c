import type { DataSource } from 'typeorm';
import type { ActivityPage, ActivityRecord, UserActivityRepository } from './user-activity-repository';
import { asNumber, MYSQL_TABLE_OPTIONS, type TableDefinition, UserViewTable } from './user-view-table';

const definition: TableDefinition = {
  mysql: [
    `CREATE TABLE IF NOT EXISTS {table} (
      position BIGINT NOT NULL PRIMARY KEY,
      user_id VARCHAR(64) NOT NULL,
      at VARCHAR(32) NOT NULL,
      kind VARCHAR(64) NOT NULL,
      detail TEXT NOT NULL,
      INDEX {table}_user (user_id, position)
    ) ${MYSQL_TABLE_OPTIONS}`,
  ],
  sqlite: [
    `CREATE TABLE IF NOT EXISTS {table} (
      position INTEGER NOT NULL PRIMARY KEY,
      user_id TEXT NOT NULL,
      at TEXT NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS {table}_user ON {table} (user_id, position)',
  ],
};

interface Row {
  position: number | string;
  at: string;
  kind: string;
  detail: string;
}

export class TypeormUserActivityRepository implements UserActivityRepository {
  private readonly table: UserViewTable;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(dataSource: DataSource, generation: number) {
    this.table = new UserViewTable(dataSource, 'user_activity', generation, definition);
  }

  async record(userId: string, entry: ActivityRecord): Promise<void> {
    await this.table.insertUnlessPresent(
      { position: entry.position, user_id: userId, at: entry.at, kind: entry.kind, detail: JSON.stringify(entry.detail) },
      ['position'],
    );
  }

  async list(userId: string, { before, limit }: ActivityPage): Promise<ActivityRecord[]> {
    const [condition, parameters] =
      before === undefined ? ['', []] : 'position' in before ? ['AND position < ?', [before.position]] : ['AND at < ?', [before.at]];
    const rows = await this.table.select<Row>(
      `SELECT position, at, kind, detail FROM {table} WHERE user_id = ? ${condition} ORDER BY position DESC LIMIT ?`,
      [userId, ...parameters, limit],
    );
    return rows.map((row) => ({ position: asNumber(row.position), at: row.at, kind: row.kind, detail: JSON.parse(row.detail) as ActivityRecord['detail'] }));
  }

  drop(): Promise<void> {
    return this.table.drop();
  }
}
