import type { FastifyRequest } from 'fastify';
import { clientAddress } from '@chat/platform';
import type { RequestOrigin } from './identity.handlers';

/** Long enough for any real browser's; a longer header is cut rather than refused. */
const USER_AGENT_MAX_LENGTH = 512;

export function requestOrigin(request: FastifyRequest, trustedProxyHops: number): RequestOrigin {
  return {
    ip: clientAddress(request, trustedProxyHops),
    userAgent: [...(request.headers['user-agent'] ?? '')].slice(0, USER_AGENT_MAX_LENGTH).join(''),
    requestId: request.id,
  };
}
