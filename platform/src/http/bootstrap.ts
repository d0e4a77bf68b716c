// Creates a service's Nest app on Fastify with what every service shares (request ids, request
// logs, HTTP metrics, the contract's error bodies) and runs it until SIGTERM/SIGINT, stopping in
// an order that loses nothing: stop accepting, drain requests in flight, let the service flush
// and close its stores, then close the app.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamicModule, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, LogController } from 'fastify';
import type pino from 'pino';
import type { Logger } from '../observability/logger';
import { httpRequestSeconds, UNMATCHED_ROUTE } from '../observability/metrics';
import { deferredChildLogger } from './deferred-child-logger';
import { ApiErrorFilter } from './error-filter';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';
import { onShutdownSignal, SHUTDOWN_SIGNALS } from './shutdown-signals';

export const REQUEST_ID_HEADER = 'x-request-id';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

// A caller's id is kept only if it cannot garble a log line or a header.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a sensible one, a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && ACCEPTABLE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

// Nest announces every module and route it sets up; useful when debugging, noise otherwise.
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's own log lines, written by the service's pino logger. */
class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = this.contextOf(rest);
    this.logger[context && START_UP_CONTEXTS.has(context) ? 'debug' : 'info']({ context }, String(message));
  }

  error(message: unknown, ...rest: unknown[]): void {
    const context = this.contextOf(rest);
    if (message instanceof Error) {
      this.logger.error({ context, err: message }, message.message);
      return;
    }
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    this.logger.error({ context, stack }, String(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn({ context: this.contextOf(rest) }, String(message));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug({ context: this.contextOf(rest) }, String(message));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.trace({ context: this.contextOf(rest) }, String(message));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.logger.fatal({ context: this.contextOf(rest) }, String(message));
  }

  private contextOf(rest: readonly unknown[]): string | undefined {
    const last = rest[rest.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
}

function isOperationalRoute(route: string): boolean {
  return route.startsWith('/health/') || route === '/metrics';
}

// Callback hooks rather than async ones: every request passes through them, and an async hook costs
// a promise and a microtask turn each.
function installRequestHooks(fastify: FastifyInstance, serviceName: string): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const status = reply.statusCode;
    httpRequestSeconds.observe({ service: serviceName, method: request.method, route, status: String(status) }, reply.elapsedTime / 1000);
    // Probes and scrapes come every few seconds: they are logged only at debug.
    const level = status >= 500 ? 'warn' : isOperationalRoute(route) ? 'debug' : 'info';
    request.log[level](
      { method: request.method, path: request.url.split('?')[0], route, status, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      'Request answered',
    );
    done();
  });
}

export interface HttpAppOptions {
  readonly serviceName: string;
  readonly logger: Logger;
  /** Bodies above this many bytes are refused with 413; 1 MiB when absent. */
  readonly bodyLimitBytes?: number;
}

export async function createHttpApp(rootModule: Type<unknown> | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  // Fastify binds a function to an AsyncResource for every request with a body: see lean-async-resource-bind.ts.
  installLeanAsyncResourceBind();
  const adapter = new FastifyAdapter({
    loggerInstance: options.logger,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    // Fastify hands over the logger of the request's plugin context, which is this one here: no plugin sets its own.
    childLoggerFactory: (_serverLogger: unknown, bindings: pino.Bindings, childOptions: pino.ChildLoggerOptions) => deferredChildLogger(options.logger, bindings, childOptions),
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // No service uses Express-style middleware; @fastify/middie would still run on every request.
    skipMiddie: true,
  });
  installRequestHooks(adapter.getInstance(), options.serviceName);
  // No `enableShutdownHooks()`: its own signal handler would close the modules (and their stores)
  // while requests are still being answered. `runUntilSignal` owns the signals and closes the app
  // last, which runs the same lifecycle hooks.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new NestPinoLogger(options.logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new ApiErrorFilter(options.logger));
  return app;
}

export interface RunOptions {
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  /** Runs once no request is in flight any more: flush checkpoints, close store connections. */
  readonly onShutdown?: () => Promise<void>;
  /** After this long, connections still busy are cut so the stop can go on. */
  readonly drainTimeoutMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
}

export interface RunningHttpApp {
  /** Where it listens, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  readonly port: number;
  /** Stops as a signal would; calling it again returns the same stop. */
  stop(reason?: string): Promise<void>;
  /** Settles once the app has stopped, whatever stopped it. */
  readonly stopped: Promise<void>;
}

export async function runUntilSignal(app: NestFastifyApplication, options: RunOptions): Promise<RunningHttpApp> {
  const { logger, onShutdown, drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS, signals = SHUTDOWN_SIGNALS } = options;
  await app.listen({ port: options.port, host: options.host });
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;

  const shutdown = async (reason: string): Promise<void> => {
    logger.info({ reason }, 'Stopping: refusing new connections, draining requests in flight');
    const cutBusyConnections = setTimeout(() => {
      logger.warn({ drainTimeoutMs }, 'Requests still in flight after the drain timeout: closing their connections');
      server.closeAllConnections();
    }, drainTimeoutMs);
    try {
      await app.getHttpAdapter().close();
    } catch (error) {
      process.exitCode = 1;
      logger.error({ err: error }, 'Draining the HTTP server failed');
    } finally {
      clearTimeout(cutBusyConnections);
    }
    if (onShutdown) {
      try {
        await onShutdown();
      } catch (error) {
        process.exitCode = 1;
        logger.error({ err: error }, 'Shutdown step failed');
      }
    }
    try {
      await app.close();
    } catch (error) {
      process.exitCode = 1;
      logger.error({ err: error }, 'Closing the app failed');
    }
    removeSignalListeners();
    logger.info('Stopped');
  };

  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (reason = 'requested'): Promise<void> => (stopping ??= shutdown(reason).finally(markStopped));
  const removeSignalListeners = onShutdownSignal((signal) => void stop(`signal ${signal}`), { logger, signals });

  logger.info({ url: `http://${host}:${port}` }, 'Listening');
  return { url: `http://${host}:${port}`, port, stop, stopped };
}
