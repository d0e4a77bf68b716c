// The one place where anything thrown while answering a request becomes the contract's error body.
// Client mistakes keep their 4xx status and a message that says what to fix; anything unexpected
// is logged with the request id and answered with a generic 500 that reveals nothing inside.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../observability/logger';
import { ApiError, apiErrorCodeForStatus } from './api-error';
import { validationFailed } from './validation';

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

/** An error Fastify raised for a request it could not take (its codes start with FST_). */
function fastifyClientError(exception: unknown): { statusCode: number; message: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { code, statusCode, message } = exception as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  return { statusCode, message: typeof message === 'string' ? message : 'Bad request' };
}

/**
 * The ApiError a client-caused exception stands for, or undefined for anything unexpected (which
 * becomes a 500). Nest hands Fastify's own errors (malformed JSON, wrong content type, body too
 * large) over as HttpExceptions carrying Fastify's status.
 */
export function toClientApiError(exception: unknown, request?: FastifyRequest): ApiError | undefined {
  if (exception instanceof ApiError) return exception.status < 500 ? exception : undefined;
  if (exception instanceof z.core.$ZodError) return validationFailed(exception as z.ZodError);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return undefined;
    if (status === 404 && request?.is404) {
      return ApiError.notFound(`No route for ${request.method} ${request.url.split('?')[0]}`);
    }
    return new ApiError(apiErrorCodeForStatus(status), messageOf(exception));
  }
  const fastifyError = fastifyClientError(exception);
  if (fastifyError) return new ApiError(apiErrorCodeForStatus(fastifyError.statusCode), fastifyError.message);
  return undefined;
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest | undefined>();
    const reply = http.getResponse<FastifyReply>();
    const log = request?.log ?? this.logger;

    let apiError = toClientApiError(exception, request);
    if (!apiError) {
      // The request's child logger already carries the request id.
      log.error({ err: exception }, 'Request failed with an unexpected error');
      apiError = ApiError.internal();
    }
    if (reply.sent) {
      log.warn({ code: apiError.code }, 'Error after the response was sent');
      return;
    }
    void reply.status(apiError.status).headers(apiError.headers).send(apiError.toBody());
  }
}
