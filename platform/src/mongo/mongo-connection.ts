// Opens the MongoDB client the document read models share (one pool per process), and answers the
// readiness probe. Works against MongoDB and FerretDB alike.
import { MongoClient, type Db } from 'mongodb';

export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

export interface ConnectMongoOptions {
  /** Shown in the server's logs and `currentOp`, so a slow query can be traced to its service. */
  readonly appName: string;
  /** Overrides the database named in the URL's path (tests use one database per run). */
  readonly dbName?: string;
  readonly maxPoolSize?: number;
}

/** The database named in a `mongodb://` or `mongodb+srv://` URL, or undefined when the path is empty. */
export function databaseNameFromMongoUrl(url: string): string | undefined {
  // Not `new URL`: a seed list (`host1:27017,host2:27017`) is not a valid WHATWG URL authority.
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name === '' ? undefined : name;
}

export async function connectMongo(url: string, options: ConnectMongoOptions): Promise<MongoConnection> {
  const dbName = options.dbName ?? databaseNameFromMongoUrl(url);
  // The driver would silently fall back to a database called `test`; a missing name is a configuration mistake.
  if (!dbName) throw new Error(`MONGODB_URL names no database: add one as its path, e.g. mongodb://host:27017/chat`);
  const client = new MongoClient(url, {
    appName: options.appName,
    maxPoolSize: options.maxPoolSize ?? 20,
    minPoolSize: 0,
    // Give idle sockets back after a quiet minute rather than holding the pool open for ever.
    maxIdleTimeMS: 60_000,
    // Fail a start-up or a request within seconds when the server is gone, instead of the driver's 30 s.
    serverSelectionTimeoutMS: 10_000,
    connectTimeoutMS: 10_000,
  });
  await client.connect();
  return { client, db: client.db(dbName), close: () => client.close() };
}

/** Readiness: resolves when the server answers, rejects otherwise. */
export async function pingMongo(db: Db): Promise<void> {
  await db.command({ ping: 1 });
}
