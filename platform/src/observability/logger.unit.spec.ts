import { Writable } from 'node:stream';
import { createLogger, REDACTED, redactSecrets } from './logger';

function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the service name, the level as a word and an ISO time', () => {
    const { stream, lines } = capture();
    createLogger({ serviceName: 'command-api', destination: stream }).info({ roomId: 'r1' }, 'Room created');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'command-api', level: 'info', msg: 'Room created', roomId: 'r1', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
  });

  it('replaces passwords, tokens and authorization headers wherever they are in the logged object', () => {
    const { stream, lines } = capture();
    const body = { username: 'alice', password: 'hunter22', session: { refreshToken: 'r-123', nested: [{ accessToken: 'a-1', token: 't' }] } };
    createLogger({ serviceName: 'command-api', destination: stream }).info({ body, headers: { Authorization: 'Bearer abc', 'user-agent': 'ua' } }, 'Login');
    const line = JSON.stringify(lines[0]);
    for (const secret of ['hunter22', 'r-123', 'a-1', '"t"', 'Bearer abc']) expect(line).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      body: { username: 'alice', password: REDACTED, session: { refreshToken: REDACTED, nested: [{ accessToken: REDACTED, token: REDACTED }] } },
      headers: { Authorization: REDACTED, 'user-agent': 'ua' },
    });
  });

  it('redacts child loggers’ bindings too', () => {
    const { stream, lines } = capture();
    createLogger({ serviceName: 'realtime', destination: stream }).child({ token: 'secret-token' }).info('Connected');
    expect(JSON.stringify(lines[0])).not.toContain('secret-token');
  });

  it('logs errors with their message and stack', () => {
    const { stream, lines } = capture();
    createLogger({ serviceName: 'query-api', destination: stream }).error({ err: new Error('store down') }, 'Failed');
    expect(lines[0]).toMatchObject({ err: { type: 'Error', message: 'store down', stack: expect.stringContaining('Error: store down') } });
  });
});

describe('redactSecrets', () => {
  it('returns an object without secrets as it is, and never changes the original', () => {
    const clean = { a: { b: [1, 2] } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { a: { password: 'p' } };
    expect(redactSecrets(dirty)).toEqual({ a: { password: REDACTED } });
    expect(dirty.a.password).toBe('p');
  });

  it('copes with cycles', () => {
    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toMatchObject({ password: REDACTED });
  });
});
