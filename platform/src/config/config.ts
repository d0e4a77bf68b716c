// The one typed entry point for configuration. Everything the services read from the environment is
// parsed and validated here, at start-up, and the adapters to use are decided here: an embedded one
// when no server URL is given, the real server's when it is.
import path from 'node:path';
import { z } from 'zod';

// 0 asks the system for any free port (tests run several services side by side).
const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    })
    .optional();

const environmentSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  EVENTSTORE_URL: optionalUrl(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kdb', 'kdb+discover']),
  MONGODB_URL: optionalUrl(['mongodb', 'mongodb+srv']),
  MYSQL_URL: optionalUrl(['mysql', 'mariadb']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  EUREKA_URL: optionalUrl(['http', 'https']),
});

export type EventStoreConfig = { kind: 'sqlite'; file: string; synchronous: 'normal' | 'full' } | { kind: 'eventstoredb'; url: string };
export type DocumentStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'mongodb'; url: string };
export type UserViewStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };
export type HotStateConfig = { kind: 'in-process' } | { kind: 'redis'; url: string };

export interface Config {
  readonly serviceName: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly eventStore: EventStoreConfig;
  /** Messages, rooms and unread read models. */
  readonly documents: DocumentStoreConfig;
  readonly userViews: UserViewStoreConfig;
  /** Change feed, sessions, presence, typing, rate limits. */
  readonly hotState: HotStateConfig;
  readonly eurekaUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The SQLite file shared by the embedded event store and the embedded document read models. */
export const EMBEDDED_DATABASE_FILE = 'chat.db';
/** TypeORM keeps the embedded user views in a file of its own. */
export const EMBEDDED_USER_VIEWS_FILE = 'users.db';

export function loadConfig(serviceName: string, environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const embeddedFile = path.join(dataDir, EMBEDDED_DATABASE_FILE);
  return {
    serviceName,
    http: { host: env.HOST, port: env.PORT },
    dataDir,
    logLevel: env.LOG_LEVEL,
    eventStore: env.EVENTSTORE_URL
      ? { kind: 'eventstoredb', url: env.EVENTSTORE_URL }
      : { kind: 'sqlite', file: embeddedFile, synchronous: env.SQLITE_SYNCHRONOUS },
    documents: env.MONGODB_URL ? { kind: 'mongodb', url: env.MONGODB_URL } : { kind: 'sqlite', file: embeddedFile },
    userViews: env.MYSQL_URL ? { kind: 'mysql', url: env.MYSQL_URL } : { kind: 'sqlite', file: path.join(dataDir, EMBEDDED_USER_VIEWS_FILE) },
    hotState: env.REDIS_URL ? { kind: 'redis', url: env.REDIS_URL } : { kind: 'in-process' },
    ...(env.EUREKA_URL ? { eurekaUrl: env.EUREKA_URL } : {}),
  };
}
