// realtime's plain HTTP side on uWebSockets.js: the same liveness, readiness and metrics every
// service answers, and the contract's error body for any other URL. WebSocket routes are added to
// the same app.
import * as uWS from 'uWebSockets.js';
import {
  ApiError,
  DEFAULT_READINESS_TIMEOUT_MS,
  httpRequestSeconds,
  LIVENESS_BODY,
  type ReadinessCheck,
  readinessResponse,
  renderMetrics,
  runReadinessChecks,
  UNMATCHED_ROUTE,
} from '@chat/platform';

/**
 * Whether uWebSockets.js runs on its native binary. On a Node version it has no binary for, it
 * falls back to a much slower JavaScript server (see DEPENDENCIES.md) that exports only `App`.
 */
export function isNativeUws(): boolean {
  return typeof (uWS as { SSLApp?: unknown }).SSLApp === 'function' && typeof uWS.getParts === 'function';
}

export interface OperationalEndpointsOptions {
  readonly serviceName: string;
  /** Read at each probe, so checks added later (stores opened lazily) count too. */
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly readinessTimeoutMs?: number;
}

const STATUS_LINES: Record<number, string> = { 200: '200 OK', 404: '404 Not Found', 500: '500 Internal Server Error', 503: '503 Service Unavailable' };

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const json = (status: number, body: unknown): Answer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });

/**
 * Answers with what `produce` resolves to. uWS frees a response once the client goes away, so an
 * answer that arrives after that is dropped, and one written later than the handler's own turn is
 * written inside `cork`.
 */
function answer(response: uWS.HttpResponse, request: uWS.HttpRequest, serviceName: string, route: string, produce: () => Answer | Promise<Answer>): void {
  const started = performance.now();
  const method = request.getCaseSensitiveMethod();
  let aborted = false;
  response.onAborted(() => {
    aborted = true;
  });
  const write = ({ status, contentType, body }: Answer): void => {
    if (aborted) return;
    response.cork(() => {
      response
        .writeStatus(STATUS_LINES[status] ?? String(status))
        .writeHeader('content-type', contentType)
        .writeHeader('cache-control', 'no-store')
        .end(body);
    });
    httpRequestSeconds.observe({ service: serviceName, method, route, status: String(status) }, (performance.now() - started) / 1000);
  };
  Promise.resolve()
    .then(produce)
    .catch(() => json(500, ApiError.internal().toBody()))
    .then(write);
}

/** The liveness, readiness and metrics routes, and the error body for every other URL. */
export function createRealtimeHttpApp(options: OperationalEndpointsOptions): uWS.TemplatedApp {
  const { serviceName } = options;
  return uWS
    .App()
    .get('/health/live', (response, request) => answer(response, request, serviceName, '/health/live', () => json(200, LIVENESS_BODY)))
    .get('/health/ready', (response, request) =>
      answer(response, request, serviceName, '/health/ready', async () => {
        const report = await runReadinessChecks(options.readinessChecks, options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS);
        const { status, body } = readinessResponse(report);
        return json(status, body);
      }),
    )
    .get('/metrics', (response, request) =>
      answer(response, request, serviceName, '/metrics', async () => ({ status: 200, ...(await renderMetrics()) })),
    )
    .any('/*', (response, request) => {
      const description = `${request.getCaseSensitiveMethod()} ${request.getUrl()}`;
      answer(response, request, serviceName, UNMATCHED_ROUTE, () => json(404, ApiError.notFound(`No route for ${description}`).toBody()));
    });
}

export interface ListeningRealtimeApp {
  readonly port: number;
  /** Stops accepting connections; connections already open are not cut. */
  stopListening(): void;
  /** Cuts every connection still open, idle keep-alive ones included, which would otherwise hold the process for uWS's idle timeout. */
  closeConnections(): void;
}

// The native App has `close()` (all sockets, listen sockets included) though this version's typings omit it.
type ClosableApp = uWS.TemplatedApp & { close?: () => void };

export function listenRealtime(app: uWS.TemplatedApp, host: string, port: number): Promise<ListeningRealtimeApp> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (listenSocket) => {
      if (!listenSocket) {
        reject(new Error(`realtime could not listen on ${host}:${port}`));
        return;
      }
      let listening = true;
      resolve({
        port: uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket),
        stopListening: () => {
          if (!listening) return;
          listening = false;
          uWS.us_listen_socket_close(listenSocket);
        },
        closeConnections: () => (app as ClosableApp).close?.(),
      });
    });
  });
}
