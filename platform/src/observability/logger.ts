// The process's structured logger: JSON lines on stdout, each carrying the service's name, with
// secrets (passwords, tokens, authorization headers) replaced wherever they appear in a logged object.
import os from 'node:os';
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

export interface LoggerOptions {
  readonly serviceName: string;
  readonly level?: LogLevel;
  /** Where the JSON lines go; stdout when absent. Tests pass a stream to read them back. */
  readonly destination?: pino.DestinationStream;
}

export const REDACTED = '[redacted]';

// Compared case-insensitively, at any depth: pino's own `redact` paths only reach fixed depths.
const SECRET_KEYS = new Set([
  'password',
  'currentpassword',
  'newpassword',
  'token',
  'accesstoken',
  'refreshtoken',
  'authorization',
  'cookie',
  'set-cookie',
]);

const MAX_REDACTION_DEPTH = 12;

// pino's formatters never see a child logger's bindings: its own `redact` covers those, one level
// deep, in the spellings code uses.
const BINDING_SECRET_KEYS = ['password', 'currentPassword', 'newPassword', 'token', 'accessToken', 'refreshToken', 'authorization', 'Authorization', 'cookie'];
const BINDING_REDACT_PATHS = BINDING_SECRET_KEYS.flatMap((key) => [key, `*.${key}`]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of `value` with every secret field replaced; objects without secrets are returned as they
 * are. Only plain objects and arrays are walked: errors, dates and buffers go to pino's serializers.
 */
export function redactSecrets<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (depth > MAX_REDACTION_DEPTH || value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let changed = false;
    const copy = value.map((item: unknown) => {
      const redacted = redactSecrets(item, depth + 1, seen);
      if (redacted !== item) changed = true;
      return redacted;
    });
    return (changed ? copy : value) as T;
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const redacted = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactSecrets(field, depth + 1, seen);
    if (redacted !== field) {
      copy ??= { ...value };
      copy[key] = redacted;
    }
  }
  return (copy ?? value) as T;
}

export function createLogger({ serviceName, level = 'info', destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: serviceName, pid: process.pid, hostname: os.hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactSecrets(object),
    },
    redact: { paths: BINDING_REDACT_PATHS, censor: REDACTED },
  };
  return destination ? pino(options, destination) : pino(options);
}
