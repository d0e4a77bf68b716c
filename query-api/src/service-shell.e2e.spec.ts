// Boots query-api's app as its main does (service shell + QueryApiModule on Fastify), on a free
// port, and checks over real HTTP what every service answers and how every kind of error looks.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Body, Controller, Get, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ApiError,
  clientConfigFromEnv,
  clientConfigSchema,
  createHttpApp,
  createLogger,
  Infrastructure,
  loadConfig,
  parseWith,
  type ReadinessCheck,
  ServiceRootModule,
} from '@chat/platform';
import { z } from 'zod';
import { QueryApiModule } from './query-api.module';

const BODY_LIMIT_BYTES = 4096;

const echoBody = z.object({ text: z.string().min(1) });

// Routes that exist only to make the app throw what real controllers will throw.
@Controller('test')
class ThrowingController {
  @Get('unexpected')
  unexpected(): never {
    throw new Error('connection to db-7.internal:27017 refused');
  }

  @Get('rate-limited')
  rateLimited(): never {
    throw ApiError.rateLimited(2.5);
  }

  @Post('echo')
  echo(@Body() body: unknown): z.infer<typeof echoBody> {
    return parseWith(echoBody, body, 'The body');
  }
}

class CapturedLogs extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

/** Fastify records metrics and logs a request after its answer is sent: give that a moment. */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('service shell on query-api', () => {
  let app: NestFastifyApplication;
  let infrastructure: Infrastructure;
  let baseUrl: string;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'query-api-shell-'));
  const logs = new CapturedLogs();
  let storeAnswers = true;
  const documentStoreCheck: ReadinessCheck = {
    name: 'documents',
    check: async () => {
      if (!storeAnswers) throw new Error('documents store does not answer');
    },
  };

  beforeAll(async () => {
    const logger = createLogger({ serviceName: 'query-api', level: 'info', destination: logs });
    const clientConfig = clientConfigFromEnv({ PORT: '8080' });
    infrastructure = new Infrastructure(loadConfig('query-api', { DATA_DIR: dataDir }), logger);
    const rootModule = ServiceRootModule.forService({ serviceName: 'query-api', readinessChecks: [documentStoreCheck], readinessTimeoutMs: 500 }, [
      QueryApiModule.register({ clientConfig, infrastructure }),
      { module: class ThrowingModule {}, controllers: [ThrowingController] },
    ]);
    app = await createHttpApp(rootModule, { serviceName: 'query-api', logger, bodyLimitBytes: BODY_LIMIT_BYTES });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await infrastructure?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (path: string, init?: RequestInit) => fetch(`${baseUrl}${path}`, init);
  const postJson = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('answers /health/live with 200 { status: "ok" }', async () => {
    const response = await get('/health/live');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with 200 while every store answers', async () => {
    storeAnswers = true;
    const response = await get('/health/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: [{ name: 'documents', ok: true }] });
  });

  it('answers /health/ready with 503 naming the store that does not answer', async () => {
    storeAnswers = false;
    try {
      const response = await get('/health/ready');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'unavailable',
        checks: [{ name: 'documents', ok: false, error: 'documents store does not answer' }],
      });
    } finally {
      storeAnswers = true;
    }
  });

  it('exposes default and HTTP metrics in Prometheus text format on /metrics', async () => {
    await get('/health/live');
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    const liveCount = /http_request_duration_seconds_count\{service="query-api",method="GET",route="\/health\/live",status="200"\} [1-9]/;
    await eventually(async () => (liveCount.test(await (await get('/metrics')).text()) ? true : undefined));
    expect(text).toContain('# TYPE event_store_append_duration_seconds histogram');
    expect(text).toContain('# TYPE projection_lag_events gauge');
  });

  it('labels requests that matched no route by a fixed name, not their URL', async () => {
    await get('/no/such/route/123');
    const unmatchedCount = /http_request_duration_seconds_count\{service="query-api",method="GET",route="unmatched",status="404"\} [1-9]/;
    const text = await eventually(async () => {
      const exposition = await (await get('/metrics')).text();
      return unmatchedCount.test(exposition) ? exposition : undefined;
    });
    expect(text).not.toContain('/no/such/route/123');
  });

  it('answers GET /api/config with where to connect and the limits', async () => {
    const response = await get('/api/config');
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(clientConfigSchema.strict().safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      wsUrl: 'ws://localhost:8080/ws',
      iceServers: [{ urls: 'stun:localhost:3478' }],
      limits: { maxMessageLength: 4000, maxUploadBytes: 25 * 1024 * 1024 },
    });
  });

  it('serves an OpenAPI 3.1 document listing /api/config with its response schema', async () => {
    const response = await get('/api/docs-json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: object } }> }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    const configSchema = document.paths['/api/config']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(Object.keys(configSchema?.properties ?? {})).toEqual(['wsUrl', 'iceServers', 'peer', 'limits']);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/metrics', '/api/docs']));
    expect(document.components.schemas.ErrorBody).toBeDefined();
  });

  it('serves the document as a self-contained HTML page at /api/docs', async () => {
    const response = await get('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('<code>/api/config</code>');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!json-schema)/);
  });

  it('answers an unknown route with 404 and the error body', async () => {
    const response = await get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/nothing-here' } });
  });

  it('answers a malformed JSON body with 400 and the error body', async () => {
    const response = await postJson('/test/echo', '{"text": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('JSON') } });
  });

  it('answers a body that fails its schema with 400 and the issues as details', async () => {
    const response = await postJson('/test/echo', JSON.stringify({ text: 42 }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues).toEqual([expect.objectContaining({ path: 'text' })]);
  });

  it('accepts a valid body', async () => {
    const response = await postJson('/test/echo', JSON.stringify({ text: 'hi' }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ text: 'hi' });
  });

  it('answers a body over the limit with 413 and the error body', async () => {
    const response = await postJson('/test/echo', JSON.stringify({ text: 'x'.repeat(BODY_LIMIT_BYTES) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
  });

  it('answers an unsupported content type with 415 and the error body', async () => {
    const response = await postJson('/test/echo', '<text>hi</text>', 'application/xml');
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) } });
  });

  it('answers RATE_LIMITED with 429 and Retry-After', async () => {
    const response = await get('/test/rate-limited');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many requests', details: { retryAfterSeconds: 3 } } });
  });

  it('echoes the caller’s x-request-id, and makes one up when there is none', async () => {
    const echoed = await get('/health/live', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = await get('/api/nothing-here');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await get('/health/live', { headers: { 'x-request-id': 'not acceptable\u00e9' } });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unexpected error with a bare 500 and logs it under the request id', async () => {
    const response = await get('/test/unexpected', { headers: { 'x-request-id': 'req-500' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('req-500');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
    expect(text).not.toContain('db-7');
    expect(text).not.toContain('at ');
    const logged = logs.lines.find((line) => line.requestId === 'req-500' && line.level === 'error');
    expect(logged).toMatchObject({ service: 'query-api', err: { message: 'connection to db-7.internal:27017 refused' } });
  });

  it('logs each answered request as JSON with its request id and the service name', async () => {
    await get('/api/config', { headers: { 'x-request-id': 'req-config' } });
    const logged = await eventually(() => logs.lines.find((line) => line.requestId === 'req-config' && line.msg === 'Request answered'));
    expect(logged).toMatchObject({
      service: 'query-api',
      route: '/api/config',
      status: 200,
      method: 'GET',
    });
  });
});
