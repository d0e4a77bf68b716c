// The limits on the endpoints that take secrets (login, register, refresh): per client address, and
// per account, so neither many addresses against one account nor one address against many get far.
import type { AuthConfig, FailureLimit, RateLimits, RequestLimit } from '@chat/platform';

export interface IdentityRateLimits {
  readonly loginPerIp: RequestLimit;
  /** Keyed by the normalized username, known or not, so the limit says nothing about who exists. */
  readonly loginFailuresPerAccount: FailureLimit;
  readonly registerPerIp: RequestLimit;
  readonly registerPerUsername: RequestLimit;
  readonly refreshPerIp: RequestLimit;
  readonly refreshPerAccount: RequestLimit;
}

export function identityRateLimits(limits: RateLimits, policies: AuthConfig['rateLimits']): IdentityRateLimits {
  return {
    loginPerIp: limits.requests('login-ip', policies.loginPerIp),
    loginFailuresPerAccount: limits.failures('login-failures-account', policies.loginFailuresPerAccount),
    registerPerIp: limits.requests('register-ip', policies.registerPerIp),
    registerPerUsername: limits.requests('register-username', policies.registerPerUsername),
    refreshPerIp: limits.requests('refresh-ip', policies.refreshPerIp),
    refreshPerAccount: limits.requests('refresh-account', policies.refreshPerAccount),
  };
}
