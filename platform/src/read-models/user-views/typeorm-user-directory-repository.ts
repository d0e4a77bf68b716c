import type { DataSource } from 'typeorm';
import { type ProfileFieldChanges, type UserDirectoryRepository, type UserProfileView, type UserSearch, searchKey } from './user-directory-repository';
import { MYSQL_TABLE_OPTIONS, startsWithPattern, type TableDefinition, UserViewTable } from './user-view-table';

// The search reads two indexes with a LIKE on a constant prefix. Both keys are lowercased when written:
// MySQL compares them bytewise (utf8mb4_bin), and SQLite's LIKE uses an index only on a NOCASE column.
const definition: TableDefinition = {
  mysql: [
    `CREATE TABLE IF NOT EXISTS {table} (
      user_id VARCHAR(64) NOT NULL PRIMARY KEY,
      username VARCHAR(64) NOT NULL,
      display_name VARCHAR(255) NOT NULL,
      display_name_key VARCHAR(255) NOT NULL,
      bio TEXT NOT NULL,
      status_text VARCHAR(600) NOT NULL,
      avatar_file_id VARCHAR(128) NULL,
      registered_at VARCHAR(32) NOT NULL,
      last_seen_at VARCHAR(32) NULL,
      last_position BIGINT NOT NULL,
      INDEX {table}_username (username),
      INDEX {table}_display_name (display_name_key)
    ) ${MYSQL_TABLE_OPTIONS}`,
  ],
  sqlite: [
    `CREATE TABLE IF NOT EXISTS {table} (
      user_id TEXT NOT NULL PRIMARY KEY,
      username TEXT NOT NULL COLLATE NOCASE,
      display_name TEXT NOT NULL,
      display_name_key TEXT NOT NULL COLLATE NOCASE,
      bio TEXT NOT NULL,
      status_text TEXT NOT NULL,
      avatar_file_id TEXT,
      registered_at TEXT NOT NULL,
      last_seen_at TEXT,
      last_position INTEGER NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS {table}_username ON {table} (username)',
    'CREATE INDEX IF NOT EXISTS {table}_display_name ON {table} (display_name_key)',
  ],
};

interface Row {
  user_id: string;
  username: string;
  display_name: string;
  bio: string;
  status_text: string;
  avatar_file_id: string | null;
  registered_at: string;
  last_seen_at: string | null;
}

const COLUMNS = 'user_id, username, display_name, bio, status_text, avatar_file_id, registered_at, last_seen_at';

export class TypeormUserDirectoryRepository implements UserDirectoryRepository {
  private readonly table: UserViewTable;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(dataSource: DataSource, generation: number) {
    this.table = new UserViewTable(dataSource, 'user_directory', generation, definition);
  }

  async recordRegistered(user: { userId: string; username: string; displayName: string; at: string }, position: number): Promise<void> {
    await this.table.insertUnlessPresent(
      {
        user_id: user.userId,
        username: user.username,
        display_name: user.displayName,
        display_name_key: searchKey(user.displayName),
        bio: '',
        status_text: '',
        avatar_file_id: null,
        registered_at: user.at,
        last_seen_at: user.at,
        last_position: position,
      },
      ['user_id'],
    );
  }

  async recordProfileChanged(userId: string, changes: ProfileFieldChanges, position: number): Promise<void> {
    const columns: [string, unknown][] = [];
    if (changes.displayName !== undefined) columns.push(['display_name', changes.displayName], ['display_name_key', searchKey(changes.displayName)]);
    if (changes.bio !== undefined) columns.push(['bio', changes.bio]);
    if (changes.statusText !== undefined) columns.push(['status_text', changes.statusText]);
    if (changes.avatarFileId !== undefined) columns.push(['avatar_file_id', changes.avatarFileId]);
    await this.updateAt(userId, position, columns);
  }

  async recordSeen(userId: string, at: string, position: number): Promise<void> {
    // ISO-8601 UTC strings of one width compare as the times do.
    await this.table.execute(
      'UPDATE {table} SET last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ? THEN ? ELSE last_seen_at END, last_position = ? WHERE user_id = ? AND last_position < ?',
      [at, at, position, userId, position],
    );
  }

  async get(userId: string): Promise<UserProfileView | undefined> {
    const [row] = await this.table.select<Row>(`SELECT ${COLUMNS} FROM {table} WHERE user_id = ?`, [userId]);
    return row && toView(row);
  }

  async getMany(userIds: readonly string[]): Promise<UserProfileView[]> {
    if (userIds.length === 0) return [];
    const rows = await this.table.select<Row>(`SELECT ${COLUMNS} FROM {table} WHERE user_id IN (${userIds.map(() => '?').join(', ')})`, userIds);
    const byId = new Map(rows.map((row) => [row.user_id, toView(row)]));
    return userIds.flatMap((id) => byId.get(id) ?? []);
  }

  async search({ prefix, limit }: UserSearch): Promise<UserProfileView[]> {
    const pattern = startsWithPattern(searchKey(prefix));
    const rows = await this.table.select<Row>(
      `SELECT ${COLUMNS} FROM {table} WHERE username LIKE ? ESCAPE '!' OR display_name_key LIKE ? ESCAPE '!' ORDER BY username LIMIT ?`,
      [pattern, pattern, limit],
    );
    return rows.map(toView);
  }

  drop(): Promise<void> {
    return this.table.drop();
  }

  /** Every change also moves the row's position, so applying the same event again matches no row. */
  private async updateAt(userId: string, position: number, columns: readonly [string, unknown][]): Promise<void> {
    const assignments = [...columns.map(([column]) => `${column} = ?`), 'last_position = ?'].join(', ');
    await this.table.execute(`UPDATE {table} SET ${assignments} WHERE user_id = ? AND last_position < ?`, [
      ...columns.map(([, value]) => value),
      position,
      userId,
      position,
    ]);
  }
}

function toView(row: Row): UserProfileView {
  return {
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    statusText: row.status_text,
    avatarFileId: row.avatar_file_id,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
  };
}
