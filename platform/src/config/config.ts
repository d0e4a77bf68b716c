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

/**
 * `points/seconds[/blockSeconds]`: at most `points` within `seconds`; once used up, the key is refused for
 * `blockSeconds` (default: until the window ends). `10/600/300` = 10 per 10 minutes, then 5 minutes blocked.
 */
const rateLimitPolicy = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,6}\/[1-9]\d{0,6}(\/[1-9]\d{0,6})?$/, 'must read points/seconds or points/seconds/blockSeconds, e.g. 10/600/300')
  .transform((text): RateLimitPolicy => {
    const [points, durationSeconds, blockSeconds] = text.split('/').map(Number) as [number, number, number | undefined];
    return { points, durationSeconds, ...(blockSeconds === undefined ? {} : { blockSeconds }) };
  });

const environmentSchema = z.object({
  PORT: port.default(8080),
  // The embedded app's WebSocket port (uWebSockets.js cannot share Fastify's): PORT + 1 by default.
  REALTIME_PORT: port.optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  EVENTSTORE_URL: optionalUrl(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kdb', 'kdb+discover']),
  MONGODB_URL: optionalUrl(['mongodb', 'mongodb+srv']),
  MYSQL_URL: optionalUrl(['mysql', 'mariadb']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  EUREKA_URL: optionalUrl(['http', 'https']),
  // Access-token keys: a signing key (JWK JSON or PKCS#8 PEM) where tokens are issued, a public key set
  // (JWKS JSON) where they are only verified; without either, key files in JWT_KEY_DIR (DATA_DIR/keys).
  JWT_PRIVATE_KEY: z.string().trim().min(1).optional(),
  JWT_PUBLIC_KEYS: z.string().trim().min(1).optional(),
  JWT_KEY_DIR: z.string().min(1).optional(),
  /** How many proxies in front of the service append to X-Forwarded-For (the nginx gateway: 1). 0 trusts no header. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  RATE_LIMIT_LOGIN_PER_IP: rateLimitPolicy.prefault('30/60'),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: rateLimitPolicy.prefault('10/600/300'),
  RATE_LIMIT_REGISTER_PER_IP: rateLimitPolicy.prefault('10/600'),
  RATE_LIMIT_REGISTER_PER_USERNAME: rateLimitPolicy.prefault('5/60'),
  RATE_LIMIT_REFRESH_PER_IP: rateLimitPolicy.prefault('60/60'),
  RATE_LIMIT_REFRESH_PER_ACCOUNT: rateLimitPolicy.prefault('30/60'),
});

export type EventStoreConfig = { kind: 'sqlite'; file: string; synchronous: 'normal' | 'full' } | { kind: 'eventstoredb'; url: string };
export type DocumentStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'mongodb'; url: string };
export type UserViewStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };
export type HotStateConfig = { kind: 'in-process' } | { kind: 'redis'; url: string };

export interface RateLimitPolicy {
  readonly points: number;
  readonly durationSeconds: number;
  /** How long a key stays refused once its points are used up; the rest of the window when absent. */
  readonly blockSeconds?: number;
}

/** Where the access-token keys come from (see platform/src/auth/jwt-keys.ts). */
export type JwtKeySource =
  | { readonly kind: 'environment'; readonly privateKey?: string; readonly publicKeys?: string }
  /** `generateIfMissing` only with the embedded event store: then every process shares this folder. */
  | { readonly kind: 'directory'; readonly dir: string; readonly generateIfMissing: boolean };

export interface AuthConfig {
  readonly keys: JwtKeySource;
  readonly trustedProxyHops: number;
  readonly rateLimits: {
    readonly loginPerIp: RateLimitPolicy;
    /** Failed logins only: the owner's successful login starts the count again. */
    readonly loginFailuresPerAccount: RateLimitPolicy;
    readonly registerPerIp: RateLimitPolicy;
    readonly registerPerUsername: RateLimitPolicy;
    readonly refreshPerIp: RateLimitPolicy;
    readonly refreshPerAccount: RateLimitPolicy;
  };
}

export interface Config {
  readonly serviceName: string;
  readonly http: { readonly host: string; readonly port: number };
  /** Where the embedded app's realtime endpoint listens (0: any free port). */
  readonly realtimePort: number;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly eventStore: EventStoreConfig;
  /** Messages, rooms and unread read models. */
  readonly documents: DocumentStoreConfig;
  readonly userViews: UserViewStoreConfig;
  /** Change feed, sessions, presence, typing, rate limits. */
  readonly hotState: HotStateConfig;
  readonly auth: AuthConfig;
  readonly eurekaUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The SQLite file of the embedded event store. */
export const EMBEDDED_DATABASE_FILE = 'chat.db';
/**
 * The embedded document read models (messages, rooms, unread, stream index) and their checkpoints, in a
 * file apart from the log's: SQLite drops a connection's page cache whenever another connection commits
 * to its file, so with both in one file every projection commit made the next append and stream read
 * start cold (measured: a stream read went from 10 µs to 60 µs under load).
 */
export const EMBEDDED_READ_MODELS_FILE = 'read-models.db';
/** TypeORM keeps the embedded user views in a file of its own. */
export const EMBEDDED_USER_VIEWS_FILE = 'users.db';
/** Under DATA_DIR: the generated access-token signing key of embedded mode. */
export const JWT_KEY_FOLDER = 'keys';

export function loadConfig(serviceName: string, environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const embeddedFile = path.join(dataDir, EMBEDDED_DATABASE_FILE);
  const keyProblems = [...jwtPrivateKeyProblems(env.JWT_PRIVATE_KEY), ...jwtPublicKeysProblems(env.JWT_PUBLIC_KEYS)];
  if (keyProblems.length > 0) throw new ConfigError(keyProblems);
  return {
    serviceName,
    http: { host: env.HOST, port: env.PORT },
    realtimePort: env.REALTIME_PORT ?? (env.PORT === 0 ? 0 : env.PORT + 1),
    dataDir,
    logLevel: env.LOG_LEVEL,
    eventStore: env.EVENTSTORE_URL
      ? { kind: 'eventstoredb', url: env.EVENTSTORE_URL }
      : { kind: 'sqlite', file: embeddedFile, synchronous: env.SQLITE_SYNCHRONOUS },
    documents: env.MONGODB_URL ? { kind: 'mongodb', url: env.MONGODB_URL } : { kind: 'sqlite', file: path.join(dataDir, EMBEDDED_READ_MODELS_FILE) },
    userViews: env.MYSQL_URL ? { kind: 'mysql', url: env.MYSQL_URL } : { kind: 'sqlite', file: path.join(dataDir, EMBEDDED_USER_VIEWS_FILE) },
    hotState: env.REDIS_URL ? { kind: 'redis', url: env.REDIS_URL } : { kind: 'in-process' },
    auth: {
      keys:
        env.JWT_PRIVATE_KEY || env.JWT_PUBLIC_KEYS
          ? { kind: 'environment', ...(env.JWT_PRIVATE_KEY ? { privateKey: env.JWT_PRIVATE_KEY } : {}), ...(env.JWT_PUBLIC_KEYS ? { publicKeys: env.JWT_PUBLIC_KEYS } : {}) }
          : { kind: 'directory', dir: path.resolve(env.JWT_KEY_DIR ?? path.join(dataDir, JWT_KEY_FOLDER)), generateIfMissing: !env.EVENTSTORE_URL },
      trustedProxyHops: env.TRUSTED_PROXY_HOPS,
      rateLimits: {
        loginPerIp: env.RATE_LIMIT_LOGIN_PER_IP,
        loginFailuresPerAccount: env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
        registerPerIp: env.RATE_LIMIT_REGISTER_PER_IP,
        registerPerUsername: env.RATE_LIMIT_REGISTER_PER_USERNAME,
        refreshPerIp: env.RATE_LIMIT_REFRESH_PER_IP,
        refreshPerAccount: env.RATE_LIMIT_REFRESH_PER_ACCOUNT,
      },
    },
    ...(env.EUREKA_URL ? { eurekaUrl: env.EUREKA_URL } : {}),
  };
}

// The key texts are checked for their shape here, so a pasted key that is cut short or of the wrong
// kind stops the start with the variable's name; the key material itself is imported in auth/jwt-keys.
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isEd25519Jwk(value: unknown, part: 'private' | 'public'): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' && (part === 'public' || typeof jwk.d === 'string');
}

function jwtPrivateKeyProblems(text: string | undefined): string[] {
  if (text === undefined) return [];
  if (text.startsWith('{')) return isEd25519Jwk(parseJson(text), 'private') ? [] : ['JWT_PRIVATE_KEY: must be an Ed25519 private JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})'];
  return /^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----$/.test(text) ? [] : ['JWT_PRIVATE_KEY: must be an Ed25519 private JWK or a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)'];
}

function jwtPublicKeysProblems(text: string | undefined): string[] {
  if (text === undefined) return [];
  const keys = (parseJson(text) as { keys?: unknown } | undefined)?.keys;
  const valid = Array.isArray(keys) && keys.length > 0 && keys.every((key) => isEd25519Jwk(key, 'public') && typeof (key as { kid?: unknown }).kid === 'string');
  return valid ? [] : ['JWT_PUBLIC_KEYS: must be a JWK set ({"keys":[…]}) of Ed25519 public keys, each with a "kid"'];
}
