import type { DataSource } from 'typeorm';
import type { BlockedUserView, UserBlocksRepository } from './user-blocks-repository';
import { MYSQL_TABLE_OPTIONS, type TableDefinition, UserViewTable } from './user-view-table';

// An unblock keeps the row (blocked = 0) rather than deleting it: the row's position is what makes a
// replayed block, arriving after the unblock was applied, change nothing.
const definition: TableDefinition = {
  mysql: [
    `CREATE TABLE IF NOT EXISTS {table} (
      user_id VARCHAR(64) NOT NULL,
      blocked_user_id VARCHAR(64) NOT NULL,
      blocked TINYINT NOT NULL,
      changed_at VARCHAR(32) NOT NULL,
      last_position BIGINT NOT NULL,
      PRIMARY KEY (user_id, blocked_user_id)
    ) ${MYSQL_TABLE_OPTIONS}`,
  ],
  sqlite: [
    `CREATE TABLE IF NOT EXISTS {table} (
      user_id TEXT NOT NULL,
      blocked_user_id TEXT NOT NULL,
      blocked INTEGER NOT NULL,
      changed_at TEXT NOT NULL,
      last_position INTEGER NOT NULL,
      PRIMARY KEY (user_id, blocked_user_id)
    )`,
  ],
};

export class TypeormUserBlocksRepository implements UserBlocksRepository {
  private readonly table: UserViewTable;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(dataSource: DataSource, generation: number) {
    this.table = new UserViewTable(dataSource, 'user_blocks', generation, definition);
  }

  recordBlocked(userId: string, blockedUserId: string, at: string, position: number): Promise<void> {
    return this.record(userId, blockedUserId, true, at, position);
  }

  recordUnblocked(userId: string, blockedUserId: string, at: string, position: number): Promise<void> {
    return this.record(userId, blockedUserId, false, at, position);
  }

  async blockedBy(userId: string): Promise<BlockedUserView[]> {
    const rows = await this.table.select<{ blocked_user_id: string; changed_at: string }>(
      'SELECT blocked_user_id, changed_at FROM {table} WHERE user_id = ? AND blocked = 1 ORDER BY last_position',
      [userId],
    );
    return rows.map((row) => ({ blockedUserId: row.blocked_user_id, blockedAt: row.changed_at }));
  }

  drop(): Promise<void> {
    return this.table.drop();
  }

  /** Insert when new; otherwise update, unless the row already applied this position or a later one. */
  private async record(userId: string, blockedUserId: string, blocked: boolean, at: string, position: number): Promise<void> {
    const flag = blocked ? 1 : 0;
    await this.table.insertUnlessPresent(
      { user_id: userId, blocked_user_id: blockedUserId, blocked: flag, changed_at: at, last_position: position },
      ['user_id', 'blocked_user_id'],
    );
    await this.table.execute('UPDATE {table} SET blocked = ?, changed_at = ?, last_position = ? WHERE user_id = ? AND blocked_user_id = ? AND last_position < ?', [
      flag,
      at,
      position,
      userId,
      blockedUserId,
      position,
    ]);
  }
}
