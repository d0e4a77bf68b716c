// A stand-in for Eureka's REST API on node:http, for tests: it records every call and answers the
// way Eureka does (register 204, renew 200 or 404 when unknown, cancel 200, apps as JSON), unless
// a test scripts other answers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EurekaCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

type Answer = { status: number; body?: unknown };

export class FakeEureka {
  readonly calls: EurekaCall[] = [];
  /** Instances registered, by `APP/instanceId`. */
  readonly instances = new Map<string, Record<string, unknown>>();
  /** Answers to use first, in order, for a `METHOD` (e.g. 'POST'), before the usual ones. */
  private readonly scripted = new Map<string, Answer[]>();
  private readonly waiters: { predicate: (call: EurekaCall) => boolean; resolve: (call: EurekaCall) => void }[] = [];
  private server: Server | undefined;

  /** `http://127.0.0.1:PORT/eureka`, as EUREKA_URL would be. */
  url = '';

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, body }) => {
        response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/eureka`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  script(method: string, ...answers: Answer[]): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), ...answers]);
  }

  /** Resolves with the first call (made before or after) that matches. */
  waitFor(predicate: (call: EurekaCall) => boolean): Promise<EurekaCall> {
    const made = this.calls.find(predicate);
    if (made) return Promise.resolve(made);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  callsOf(method: string): EurekaCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private async handle(request: IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const call: EurekaCall = { method: request.method ?? '', path: decodeURIComponent((request.url ?? '').split('?')[0] ?? ''), body: text ? (JSON.parse(text) as unknown) : undefined };
    this.calls.push(call);
    const answer = this.scripted.get(call.method)?.shift() ?? this.answer(call);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(call)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
    return answer;
  }

  private answer({ method, path, body }: EurekaCall): Answer {
    const [, app, instanceId] = /^\/eureka\/apps(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path) ?? [];
    if (method === 'GET' && !app) return { status: 200, body: this.applications() };
    if (method === 'POST' && app && !instanceId) {
      const instance = (body as { instance: Record<string, unknown> }).instance;
      this.instances.set(`${app.toUpperCase()}/${String(instance.instanceId)}`, { ...instance, app: app.toUpperCase() });
      return { status: 204 };
    }
    const key = `${app?.toUpperCase()}/${instanceId}`;
    if (method === 'PUT' && instanceId) return { status: this.instances.has(key) ? 200 : 404 };
    if (method === 'DELETE' && instanceId) return { status: this.instances.delete(key) ? 200 : 404 };
    return { status: 404 };
  }

  private applications(): unknown {
    const byApp = new Map<string, Record<string, unknown>[]>();
    for (const instance of this.instances.values()) {
      const app = String(instance.app);
      byApp.set(app, [...(byApp.get(app) ?? []), instance]);
    }
    return {
      applications: {
        versions__delta: '1',
        apps__hashcode: '',
        application: [...byApp.entries()].map(([name, instances]) => ({ name, instance: instances })),
      },
    };
  }
}
