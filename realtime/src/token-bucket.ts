// A per-connection frame budget: `capacity` frames at once, refilled at `refillPerSecond`.
export interface TokenBucketPolicy {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly policy: TokenBucketPolicy,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = policy.capacity;
    this.refilledAt = now();
  }

  /** Whether one more frame fits the budget; takes its token when it does. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.policy.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.policy.refillPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
