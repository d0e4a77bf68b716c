// The built query-api entry point as a real process: it logs JSON with its service name, answers its
// health and metrics, and stops cleanly on SIGTERM.
import path from 'node:path';
import { type ServiceProcess, startServiceProcess } from '@chat/platform';

const entry = path.resolve(__dirname, '../dist/main.js');

describe('query-api process', () => {
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop('SIGKILL');
  });

  it('serves health and metrics, then exits 0 soon after SIGTERM', async () => {
    service = await startServiceProcess(entry);
    expect((await fetch(`${service.url}/health/live`, { headers: { connection: 'close' } })).status).toBe(200);
    expect((await fetch(`${service.url}/health/ready`, { headers: { connection: 'close' } })).status).toBe(200);
    expect(await (await fetch(`${service.url}/metrics`, { headers: { connection: 'close' } })).text()).toContain('process_cpu_user_seconds_total');

    const ended = await service.stop('SIGTERM');
    expect(ended).toMatchObject({ code: 0, signal: null });
    expect(ended.afterMs).toBeLessThan(5000);
    expect(service.logs.every((line) => line.service === 'query-api')).toBe(true);
    expect(service.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['Listening', 'Shutdown signal received', 'Stopped']));
    service = undefined;
  });
});
