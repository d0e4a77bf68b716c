import { readinessResponse, runReadinessChecks } from './health';

describe('runReadinessChecks', () => {
  it('is ready when every check passes, and when there are none', async () => {
    expect(await runReadinessChecks([{ name: 'event store', check: async () => undefined }], 100)).toEqual({
      ready: true,
      checks: [{ name: 'event store', ok: true }],
    });
    expect(await runReadinessChecks([], 100)).toEqual({ ready: true, checks: [] });
  });

  it('is not ready when a check rejects, throws, or does not answer in time, and says which and why', async () => {
    const started = Date.now();
    const report = await runReadinessChecks(
      [
        { name: 'event store', check: async () => undefined },
        { name: 'documents', check: async () => Promise.reject(new Error('connection refused')) },
        {
          name: 'user views',
          check: () => {
            throw new Error('not opened');
          },
        },
        { name: 'redis', check: () => new Promise<void>(() => undefined) },
      ],
      150,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report).toEqual({
      ready: false,
      checks: [
        { name: 'event store', ok: true },
        { name: 'documents', ok: false, error: 'connection refused' },
        { name: 'user views', ok: false, error: 'not opened' },
        { name: 'redis', ok: false, error: 'no answer within 150 ms' },
      ],
    });
  });

  it('runs the checks side by side, so the probe takes as long as the slowest one', async () => {
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await runReadinessChecks([{ name: 'a', check: slow }, { name: 'b', check: slow }, { name: 'c', check: slow }], 1000);
    expect(Date.now() - started).toBeLessThan(250);
  });
});

describe('readinessResponse', () => {
  it('answers 200 when ready and 503 when not', () => {
    expect(readinessResponse({ ready: true, checks: [] })).toEqual({ status: 200, body: { status: 'ok', checks: [] } });
    const failing = [{ name: 'documents', ok: false, error: 'down' }];
    expect(readinessResponse({ ready: false, checks: failing })).toEqual({ status: 503, body: { status: 'unavailable', checks: failing } });
  });
});
