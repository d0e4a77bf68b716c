// One table of one generation of a user-view read model, in the TypeORM user-views database (SQLite
// embedded, MySQL/MariaDB distributed).
//
// Why raw SQL through the DataSource rather than entities: a generation is a table of its own
// (`user_directory_g2` is built beside `user_directory_g1` by `admin rebuild`), and TypeORM fixes its
// entity metadata when the DataSource initializes, so per-generation tables cannot be entities of a
// shared DataSource. The statements keep to what both databases share (`?` parameters, LIKE, plain
// UPDATEs); only the DDL and "insert unless present" differ, and they are written per dialect here.
//
// Conventions of the user-view tables: times are the events' ISO-8601 UTC strings (fixed width, so they
// sort as they compare, in both databases); every row records `last_position`, the global position of
// the last event applied to it, and a write carries its event's position so a replayed event changes nothing.
import type { DataSource } from 'typeorm';

export type SqlDialect = 'mysql' | 'sqlite';

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  const type = dataSource.driver.options.type;
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(`The user views do not support the ${type} driver`);
}

/** DDL of a table, `{table}` standing for the generation's table name. */
export type TableDefinition = Readonly<Record<SqlDialect, readonly string[]>>;

/** MySQL tables: utf8mb4 for any character, binary collation because every compared value is normalized first. */
export const MYSQL_TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';

/** BIGINT comes back from mysql2 as a string; positions fit a JS number. */
export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A LIKE pattern matching what starts with `prefix`, with `!` as the escape character (the same in both dialects). */
export function startsWithPattern(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (character) => `!${character}`)}%`;
}

export class UserViewTable {
  readonly name: string;
  readonly dialect: SqlDialect;
  private created?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    baseName: string,
    generation: number,
    private readonly definition: TableDefinition,
  ) {
    if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError(`not a generation: ${generation}`);
    this.name = `${baseName}_g${generation}`;
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Rows of a SELECT; `{table}` in the statement is this table. */
  async select<Row>(sql: string, parameters: readonly unknown[] = []): Promise<Row[]> {
    await this.ensureCreated();
    return (await this.dataSource.query(this.named(sql), [...parameters])) as Row[];
  }

  async execute(sql: string, parameters: readonly unknown[] = []): Promise<void> {
    await this.ensureCreated();
    await this.dataSource.query(this.named(sql), [...parameters]);
  }

  /** Inserts the row unless one with the same key exists; an existing row is left as it is. */
  async insertUnlessPresent(row: Readonly<Record<string, unknown>>, key: readonly string[]): Promise<void> {
    const columns = Object.keys(row);
    const placeholders = columns.map(() => '?').join(', ');
    // MySQL's INSERT IGNORE would also turn real errors (a value too long) into warnings; a no-op update does not.
    const onDuplicate = this.dialect === 'mysql' ? `ON DUPLICATE KEY UPDATE ${key[0]} = ${key[0]}` : `ON CONFLICT (${key.join(', ')}) DO NOTHING`;
    await this.execute(`INSERT INTO {table} (${columns.join(', ')}) VALUES (${placeholders}) ${onDuplicate}`, Object.values(row));
  }

  /** Removes the generation's table; the next use creates it empty again. */
  async drop(): Promise<void> {
    await this.dataSource.query(`DROP TABLE IF EXISTS ${this.name}`);
    this.created = undefined;
  }

  private ensureCreated(): Promise<void> {
    this.created ??= (async () => {
      // IF NOT EXISTS everywhere: the projectors and query-api may both be first to use a generation.
      for (const statement of this.definition[this.dialect]) await this.dataSource.query(this.named(statement));
    })().catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    return this.created;
  }

  private named(sql: string): string {
    return sql.replaceAll('{table}', this.name);
  }
}
