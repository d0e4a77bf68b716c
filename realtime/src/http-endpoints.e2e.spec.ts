// realtime's HTTP side over real connections: the same health and metrics answers as the other
// services, from uWebSockets.js's native server.
import http from 'node:http';
import { type ReadinessCheck } from '@chat/platform';
import { createRealtimeHttpApp, isNativeUws, type ListeningRealtimeApp, listenRealtime } from './http-endpoints';

/** One request on a connection of its own (`Connection: close`), so none stays open after the suite. */
function request(port: number, path: string, method = 'GET'): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, method, agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body }));
      })
      .on('error', reject)
      .end();
  });
}

describe('realtime HTTP endpoints', () => {
  let listening: ListeningRealtimeApp;
  let changeFeedAnswers = true;
  const changeFeedCheck: ReadinessCheck = {
    name: 'change feed',
    check: async () => {
      if (!changeFeedAnswers) throw new Error('change feed does not answer');
    },
  };
  const hangingCheck: ReadinessCheck = { name: 'sessions', check: () => new Promise(() => undefined) };
  const readinessChecks: ReadinessCheck[] = [changeFeedCheck];

  beforeAll(async () => {
    const app = createRealtimeHttpApp({ serviceName: 'realtime', readinessChecks, readinessTimeoutMs: 200 });
    listening = await listenRealtime(app, '127.0.0.1', 0);
  });

  afterAll(() => listening?.stopListening());

  it('runs on the native uWebSockets.js binary', () => {
    expect(isNativeUws()).toBe(true);
  });

  it('answers /health/live with 200 { status: "ok" }', async () => {
    const response = await request(listening.port, '/health/live');
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('application/json');
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with 200 while every store answers', async () => {
    changeFeedAnswers = true;
    const response = await request(listening.port, '/health/ready');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok', checks: [{ name: 'change feed', ok: true }] });
  });

  it('answers /health/ready with 503 when a store fails or does not answer in time', async () => {
    changeFeedAnswers = false;
    readinessChecks.push(hangingCheck);
    try {
      const response = await request(listening.port, '/health/ready');
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body)).toEqual({
        status: 'unavailable',
        checks: [
          { name: 'change feed', ok: false, error: 'change feed does not answer' },
          { name: 'sessions', ok: false, error: 'no answer within 200 ms' },
        ],
      });
    } finally {
      changeFeedAnswers = true;
      readinessChecks.pop();
    }
  });

  it('exposes default and HTTP metrics on /metrics', async () => {
    await request(listening.port, '/health/live');
    const response = await request(listening.port, '/metrics');
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('text/plain');
    expect(response.body).toContain('process_cpu_user_seconds_total');
    expect(response.body).toMatch(/http_request_duration_seconds_count\{service="realtime",method="GET",route="\/health\/live",status="200"\} [1-9]/);
  });

  it('answers any other URL with 404 and the error body', async () => {
    const response = await request(listening.port, '/nothing/here', 'POST');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for POST /nothing/here' } });
  });
});
