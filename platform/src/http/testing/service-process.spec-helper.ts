// The check every service's built entry point passes as a real process: it logs JSON with its
// service name, answers its health and metrics, and exits 0 soon after SIGTERM.
import { type ServiceProcess, startServiceProcess } from './service-process';

export function describeServiceProcess(serviceName: string, entry: string): void {
  describe(`${serviceName} process`, () => {
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
      expect(service.logs.every((line) => line.service === serviceName)).toBe(true);
      expect(service.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['Listening', 'Shutdown signal received', 'Stopped']));
      service = undefined;
    });
  });
}
