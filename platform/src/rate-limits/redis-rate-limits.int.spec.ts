import { describeIntegration, uniqueSuffix } from '../testing/integration';
import { rateLimitsContract } from './rate-limits.contract';
import { RateLimits } from './rate-limits';

describeIntegration('Redis rate limits', 'redis', (url) => {
  rateLimitsContract(async () => {
    const limits = RateLimits.redis(url, { connectionName: 'rate-limits-test', keyPrefix: `test-${uniqueSuffix()}:` });
    return { limits, cleanup: () => limits.close() };
  });
});
