import type { DataSource } from 'typeorm';
import type { SessionStartedView, UserSessionsRepository, UserSessionView } from './user-sessions-repository';
import { MYSQL_TABLE_OPTIONS, type TableDefinition, UserViewTable } from './user-view-table';

const definition: TableDefinition = {
  mysql: [
    `CREATE TABLE IF NOT EXISTS {table} (
      session_id VARCHAR(64) NOT NULL PRIMARY KEY,
      user_id VARCHAR(64) NOT NULL,
      created_at VARCHAR(32) NOT NULL,
      last_used_at VARCHAR(32) NOT NULL,
      expires_at VARCHAR(32) NOT NULL,
      user_agent VARCHAR(512) NOT NULL,
      ip VARCHAR(64) NOT NULL,
      revoked_at VARCHAR(32) NULL,
      last_position BIGINT NOT NULL,
      INDEX {table}_user (user_id)
    ) ${MYSQL_TABLE_OPTIONS}`,
  ],
  sqlite: [
    `CREATE TABLE IF NOT EXISTS {table} (
      session_id TEXT NOT NULL PRIMARY KEY,
      user_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      user_agent TEXT NOT NULL,
      ip TEXT NOT NULL,
      revoked_at TEXT,
      last_position INTEGER NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS {table}_user ON {table} (user_id)',
  ],
};

interface Row {
  session_id: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent: string;
  ip: string;
  revoked_at: string | null;
}

/** The user agent column holds this many characters; a longer header is cut. */
const USER_AGENT_MAX_LENGTH = 512;

export class TypeormUserSessionsRepository implements UserSessionsRepository {
  private readonly table: UserViewTable;

  /** `generation` names the table, so a rebuild can fill a new one beside the live one. */
  constructor(dataSource: DataSource, generation: number) {
    this.table = new UserViewTable(dataSource, 'user_sessions', generation, definition);
  }

  async recordStarted(session: SessionStartedView, position: number): Promise<void> {
    await this.table.insertUnlessPresent(
      {
        session_id: session.sessionId,
        user_id: session.userId,
        created_at: session.at,
        last_used_at: session.at,
        expires_at: session.expiresAt,
        user_agent: [...session.userAgent].slice(0, USER_AGENT_MAX_LENGTH).join(''),
        ip: session.ip,
        revoked_at: null,
        last_position: position,
      },
      ['session_id'],
    );
  }

  async recordRefreshed(sessionId: string, refresh: { at: string; expiresAt: string }, position: number): Promise<void> {
    await this.table.execute('UPDATE {table} SET last_used_at = ?, expires_at = ?, last_position = ? WHERE session_id = ? AND last_position < ?', [
      refresh.at,
      refresh.expiresAt,
      position,
      sessionId,
      position,
    ]);
  }

  async recordRevoked(sessionId: string, at: string, position: number): Promise<void> {
    await this.table.execute('UPDATE {table} SET revoked_at = ?, last_position = ? WHERE session_id = ? AND last_position < ?', [at, position, sessionId, position]);
  }

  async liveSessions(userId: string, now: string): Promise<UserSessionView[]> {
    const rows = await this.table.select<Row>(
      'SELECT * FROM {table} WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY last_used_at DESC, session_id',
      [userId, now],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      userId: row.user_id,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
      userAgent: row.user_agent,
      ip: row.ip,
      revokedAt: row.revoked_at,
    }));
  }

  drop(): Promise<void> {
    return this.table.drop();
  }
}
