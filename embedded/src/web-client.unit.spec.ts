import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@chat/platform';
import { serveWebClient } from './web-client';

/** A reply that records what the handler did with it. */
function recordingReply() {
  const answer: { headers: Record<string, string>; type?: string; body?: string; notFound: boolean } = { headers: {}, notFound: false };
  const reply = {
    header: (name: string, value: string) => ((answer.headers[name] = value), reply),
    type: (contentType: string) => ((answer.type = contentType), reply),
    send: (body: Buffer | string) => ((answer.body = body.toString()), reply),
    callNotFound: () => void (answer.notFound = true),
  };
  return { reply, answer };
}

describe('the web client served by the embedded app', () => {
  let dir: string;
  let handler: (request: { url: string }, reply: ReturnType<typeof recordingReply>['reply']) => void;
  const logger = createLogger({ serviceName: 'test', level: 'silent' });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chat-web-dist-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Chat</title>');
    writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    serveWebClient({ get: (_path, registered) => (handler = registered as typeof handler) }, logger, dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const get = (url: string) => {
    const { reply, answer } = recordingReply();
    handler({ url }, reply);
    return answer;
  };

  it('serves the built files, hashed assets cached for good', () => {
    const answer = get('/assets/index-abc.js');
    expect(answer.body).toBe('console.log(1)');
    expect(answer.type).toBe('text/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a deep link with index.html, never cached', () => {
    const answer = get('/rooms/0b6c3c1e-1d0a-4a8e-9a53-6f2d1c0c8f11?x=1');
    expect(answer.body).toContain('<title>Chat</title>');
    expect(answer.headers['cache-control']).toBe('no-cache');
  });

  it('leaves unknown API, health and metrics paths to the contract’s 404', () => {
    for (const url of ['/api/nope', '/api', '/health/whatever', '/metrics?x']) expect(get(url).notFound).toBe(true);
  });

  it('never serves a file outside its folder', () => {
    const answer = get('/..%2f..%2fetc%2fpasswd');
    expect(answer.body).toContain('<title>Chat</title>');
  });

  it('serves nothing, and says so, when the web client is not built', () => {
    const routes: string[] = [];
    serveWebClient({ get: (route) => routes.push(route) }, logger, path.join(dir, 'missing'));
    expect(routes).toEqual([]);
  });
});
