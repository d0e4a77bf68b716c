// The address a request came from, as rate limits and the session list see it. Behind the gateway
// every request arrives from the gateway, so the client is read from X-Forwarded-For: the entry the
// nearest trusted proxy appended, `hops` from the right. Entries left of it are whatever the client sent.
import type { FastifyRequest } from 'fastify';

export function clientAddress(request: Pick<FastifyRequest, 'ip' | 'headers'>, trustedProxyHops: number): string {
  if (trustedProxyHops === 0) return request.ip;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustedProxyHops] ?? forwarded[0] ?? request.ip;
}
