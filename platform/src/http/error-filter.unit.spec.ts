import { ForbiddenException, HttpException, InternalServerErrorException, UnauthorizedException } from '@nestjs/common';
import { z } from 'zod';
import { ApiError } from './api-error';
import { toClientApiError } from './error-filter';

describe('toClientApiError', () => {
  it('keeps an ApiError a client caused as it is', () => {
    const conflict = ApiError.conflict('Username taken');
    expect(toClientApiError(conflict)).toBe(conflict);
  });

  it('turns a zod error into 400 VALIDATION_FAILED with the issues as details', () => {
    const result = z.object({ name: z.string() }).safeParse({ name: 1 });
    const apiError = toClientApiError(result.error);
    expect(apiError?.status).toBe(400);
    expect(apiError?.toBody()).toEqual({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('name'), details: { issues: [expect.objectContaining({ path: 'name' })] } },
    });
  });

  it('maps Nest’s HTTP exceptions to the contract’s codes', () => {
    expect(toClientApiError(new UnauthorizedException('Token expired'))?.toBody()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Token expired' } });
    expect(toClientApiError(new ForbiddenException())?.code).toBe('FORBIDDEN');
    expect(toClientApiError(new HttpException('Too big', 413))?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(toClientApiError(new HttpException('Teapot', 418))?.status).toBe(400);
  });

  it('maps Fastify’s own client errors by their status', () => {
    const fastifyError = Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    expect(toClientApiError(fastifyError)?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves server errors and anything unknown to become a generic 500', () => {
    expect(toClientApiError(new InternalServerErrorException('db down'))).toBeUndefined();
    expect(toClientApiError(new Error('boom'))).toBeUndefined();
    expect(toClientApiError(ApiError.internal())).toBeUndefined();
    expect(toClientApiError('a string')).toBeUndefined();
  });
});

describe('ApiError.rateLimited', () => {
  it('rounds the wait up and sends it as Retry-After', () => {
    const error = ApiError.rateLimited(0.2);
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ 'retry-after': '1' });
  });
});
