// What every rate-limit backend does, in memory or in Redis.
import type { RateLimits } from './rate-limits';

export function rateLimitsContract(make: () => Promise<{ limits: RateLimits; cleanup(): Promise<void> }>): void {
  let limits: RateLimits;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ limits, cleanup } = await make());
  });
  afterEach(() => cleanup());

  it('lets the points through, then refuses with 429 and when to retry', async () => {
    const limit = limits.requests('login-ip', { points: 2, durationSeconds: 60 });
    await limit.consume('10.0.0.1');
    await limit.consume('10.0.0.1');
    await expect(limit.consume('10.0.0.1')).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': expect.stringMatching(/^(59|60)$/) } });
    await expect(limit.consume('10.0.0.2')).resolves.toBeUndefined();
  });

  it('keeps the counts of differently named limits apart', async () => {
    await limits.requests('a', { points: 1, durationSeconds: 60 }).consume('key');
    await expect(limits.requests('b', { points: 1, durationSeconds: 60 }).consume('key')).resolves.toBeUndefined();
  });

  it('blocks a key for the block time from its last allowed failure, then lets it start afresh', async () => {
    const limit = limits.failures('login-failures', { points: 2, durationSeconds: 60, blockSeconds: 1 });
    await limit.recordFailure('alice');
    await limit.assertNotBlocked('alice');
    await limit.recordFailure('alice');
    await expect(limit.assertNotBlocked('alice')).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(limit.assertNotBlocked('alice')).resolves.toBeUndefined();
  });

  it('forgets the failures after a success', async () => {
    const limit = limits.failures('login-failures', { points: 2, durationSeconds: 60, blockSeconds: 60 });
    await limit.recordFailure('bob');
    await limit.reset('bob');
    await limit.recordFailure('bob');
    await expect(limit.assertNotBlocked('bob')).resolves.toBeUndefined();
  });
}
