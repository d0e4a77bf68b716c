import { rateLimitsContract } from './rate-limits.contract';
import { RateLimits } from './rate-limits';

describe('in-process rate limits', () => {
  rateLimitsContract(async () => ({ limits: RateLimits.inProcess(), cleanup: async () => undefined }));
});
