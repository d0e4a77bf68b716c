import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger';
import { deferredChildLogger } from './deferred-child-logger';

function capturingLogger(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ serviceName: 'test', level, destination }), lines };
}

describe('deferredChildLogger', () => {
  it('writes lines with its bindings, as a pino child does', () => {
    const { logger, lines } = capturingLogger('info');

    deferredChildLogger(logger, { requestId: 'r-1' }, {}).info({ status: 201 }, 'Request answered');

    expect(lines).toEqual([expect.objectContaining({ level: 'info', requestId: 'r-1', status: 201, msg: 'Request answered' })]);
  });

  it('makes no child for lines below the level, and one for the first line at it', () => {
    const { logger, lines } = capturingLogger('warn');
    const child = jest.spyOn(logger, 'child');
    // Fastify passes the route's level: empty when neither the server nor the route named one.
    const log = deferredChildLogger(logger, { requestId: 'r-2' }, { level: '' });

    log.info('not written');
    log.debug('not written');
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');

    log.warn({ token: 'secret' }, 'written');
    log.error('written too');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map(({ level, requestId, msg }) => ({ level, requestId, msg }))).toEqual([
      { level: 'warn', requestId: 'r-2', msg: 'written' },
      { level: 'error', requestId: 'r-2', msg: 'written too' },
    ]);
    // The service logger's redaction still applies.
    expect(lines[0]!.token).toBe('[redacted]');
  });

  it('follows a level set on it, and makes grandchildren with both bindings', () => {
    const { logger, lines } = capturingLogger('warn');
    const log = deferredChildLogger(logger, { requestId: 'r-3' }, {});

    log.level = 'info';
    log.info('now written');
    log.child({ step: 'append' }).warn('from a grandchild');

    expect(lines.map(({ level, requestId, step, msg }) => ({ level, requestId, step, msg }))).toEqual([
      { level: 'info', requestId: 'r-3', step: undefined, msg: 'now written' },
      { level: 'warn', requestId: 'r-3', step: 'append', msg: 'from a grandchild' },
    ]);
  });

  it('makes the child at once for a route with a level of its own, which then applies', () => {
    const { logger, lines } = capturingLogger('warn');
    const child = jest.spyOn(logger, 'child');

    const log = deferredChildLogger(logger, { requestId: 'r-4' }, { level: 'info' });
    log.info('written at the route’s level');

    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map(({ msg }) => msg)).toEqual(['written at the route’s level']);
  });
});
