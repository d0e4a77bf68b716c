// A small JSON client for the end-to-end tests: every call answers status, headers and parsed body.
import { randomInt } from 'node:crypto';

export interface Answer<Body = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Body;
}

export interface CallOptions {
  readonly token?: string;
  /** Sent as X-Forwarded-For: the app under test trusts one proxy hop, so each test can be its own client. */
  readonly ip?: string;
  readonly userAgent?: string;
}

/** A client address no other test uses. */
export function someIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export class HttpClient {
  constructor(private readonly baseUrl: string) {}

  get<Body = unknown>(path: string, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('GET', path, undefined, options);
  }

  post<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('POST', path, body, options);
  }

  put<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('PUT', path, body, options);
  }

  patch<Body = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('PATCH', path, body, options);
  }

  delete<Body = unknown>(path: string, options?: CallOptions): Promise<Answer<Body>> {
    return this.call('DELETE', path, undefined, options);
  }

  private async call<Body>(method: string, path: string, body: unknown, options: CallOptions = {}): Promise<Answer<Body>> {
    const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? someIp(), 'user-agent': options.userAgent ?? 'identity-e2e/1.0' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Body };
  }
}
