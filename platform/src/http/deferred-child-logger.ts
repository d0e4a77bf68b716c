// Fastify gives every request a child logger bound to its request id, and a pino child redacts its bindings as it
// is made: a cost on every request for a logger that most of them never write to (the request line is at info,
// which production and the benchmarks often switch off). This child is made on the first line written at a
// level that is on; until then it costs one small object.
import type pino from 'pino';
import type { Logger } from '../observability/logger';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

class DeferredChildLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
  ) {}

  /** A child's level is its parent's until someone sets it on the child itself, which makes the child. */
  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return this.made ? this.made.isLevelEnabled(level) : this.parent.isLevelEnabled(level);
  }

  fatal(...args: Parameters<pino.LogFn>): void {
    this.write('fatal', args);
  }

  error(...args: Parameters<pino.LogFn>): void {
    this.write('error', args);
  }

  warn(...args: Parameters<pino.LogFn>): void {
    this.write('warn', args);
  }

  info(...args: Parameters<pino.LogFn>): void {
    this.write('info', args);
  }

  debug(...args: Parameters<pino.LogFn>): void {
    this.write('debug', args);
  }

  trace(...args: Parameters<pino.LogFn>): void {
    this.write('trace', args);
  }

  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  private write(level: Level, args: Parameters<pino.LogFn>): void {
    if (this.isLevelEnabled(level)) this.real()[level](...args);
  }

  private real(): Logger {
    this.made ??= this.parent.child(this.bindings);
    return this.made;
  }
}

/**
 * Fastify's `childLoggerFactory`: a child made when first written to. Fastify passes the route's level, empty or
 * the server's unless a route sets its own; a level of its own, or serializers (no route here sets either), make
 * the child at once, as pino would.
 */
export function deferredChildLogger(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): Logger {
  const { level, ...others } = options;
  // No level (Fastify passes '' when neither the server nor the route named one) is the parent's.
  if ((level && level !== parent.level) || Object.values(others).some((value) => value !== undefined)) return parent.child(bindings, options);
  // It has every method of a pino logger that Fastify and the services call; the rest are not reached through it.
  return new DeferredChildLogger(parent, bindings) as unknown as Logger;
}
