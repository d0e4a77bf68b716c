// The request line of every answer, and what it costs when it is not written: Fastify asks for a child logger
// per request, which must not be made (pino redacts a child's bindings as it is made) unless a line is written.
import 'reflect-metadata';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type LogLevel } from '../observability/logger';
import { createHttpApp } from './bootstrap';
import { ServiceRootModule } from './service-shell.module';

async function appLoggingAt(level: LogLevel) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ serviceName: 'request-logs-test', level, destination });
  const app: NestFastifyApplication = await createHttpApp(ServiceRootModule.forService({ serviceName: 'request-logs-test' }, []), { serviceName: 'request-logs-test', logger });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const child = jest.spyOn(logger, 'child');
  return { app, lines, child };
}

describe('request logs', () => {
  it('writes one line per answer at info, with the request id', async () => {
    const { app, lines } = await appLoggingAt('info');

    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/no-such-route', headers: { 'x-request-id': 'req-42' } });

    expect(response.statusCode).toBe(404);
    expect(lines.filter((line) => line.msg === 'Request answered')).toEqual([expect.objectContaining({ requestId: 'req-42', status: 404, level: 'info' })]);
    await app.close();
  });

  it('makes no child logger for a request whose line is below the level', async () => {
    const { app, lines, child } = await appLoggingAt('warn');

    for (let i = 0; i < 5; i++) await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/no-such-route' });

    expect(child).not.toHaveBeenCalled();
    expect(lines.filter((line) => line.msg === 'Request answered')).toEqual([]);
    await app.close();
  });
});
