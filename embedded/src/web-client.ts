// Serves the built web client (web/dist, made by `npm run build`) from the embedded app's HTTP port:
// its files as they are, and index.html for any other path outside /api, /health and /metrics, so that
// a deep link such as /rooms/<id> opens the app there. Unknown /api paths keep the contract's 404.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@chat/platform';

/** Where `npm run build` puts the web client, seen from embedded/dist/. */
export const WEB_CLIENT_DIR = path.resolve(__dirname, '../../web/dist');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const SERVER_PATHS = /^\/(api|health|metrics)(\/|$|\?)/;

/** The few parts of Fastify's request, reply and instance this uses. */
interface Reply {
  header(name: string, value: string): Reply;
  type(contentType: string): Reply;
  send(body: Buffer | string): Reply;
  callNotFound(): void;
}
interface RouteHost {
  get(path: string, handler: (request: { url: string }, reply: Reply) => void): unknown;
}

export function serveWebClient(fastify: RouteHost, logger: Logger, dir = WEB_CLIENT_DIR): void {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    logger.warn({ dir }, 'the web client is not built (npm run build): only the API is served');
    return;
  }
  const fileFor = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    const file = path.resolve(dir, `.${path.posix.normalize(decoded)}`);
    if (!file.startsWith(`${dir}${path.sep}`)) return undefined;
    return existsSync(file) && statSync(file).isFile() ? file : undefined;
  };
  fastify.get('/*', (request, reply) => {
    if (SERVER_PATHS.test(request.url)) {
      reply.callNotFound();
      return;
    }
    const urlPath = request.url.split('?')[0] ?? '/';
    const file = fileFor(urlPath);
    if (file) {
      const hashed = urlPath.startsWith('/assets/');
      reply
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
        .send(readFileSync(file));
      return;
    }
    // Index.html is read each time: a rebuild is served without a restart.
    reply.header('cache-control', 'no-cache').type(CONTENT_TYPES['.html']!).send(readFileSync(indexFile));
  });
}
