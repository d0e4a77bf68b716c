// The access-token and rate-limit variables of the one config.
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('auth configuration', () => {
  it('keeps the keys under DATA_DIR/keys, generated only with the embedded event store', () => {
    expect(loadConfig('test', { DATA_DIR: '/data' }).auth.keys).toEqual({ kind: 'directory', dir: path.resolve('/data/keys'), generateIfMissing: true });
    expect(loadConfig('test', { DATA_DIR: '/data', EVENTSTORE_URL: 'esdb://store:2113' }).auth.keys).toMatchObject({ generateIfMissing: false });
  });

  it('takes keys from the environment when given', () => {
    const publicKeys = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1' }] });
    expect(loadConfig('test', { JWT_PUBLIC_KEYS: publicKeys }).auth.keys).toEqual({ kind: 'environment', publicKeys });
  });

  it('names a key variable that does not hold a key of the right kind', () => {
    expect(() => loadConfig('test', { JWT_PRIVATE_KEY: '{"kty":"RSA"}' })).toThrow(/JWT_PRIVATE_KEY/);
    expect(() => loadConfig('test', { JWT_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----' })).toThrow(ConfigError);
    expect(() => loadConfig('test', { JWT_PUBLIC_KEYS: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"abc"}]}' })).toThrow(/JWT_PUBLIC_KEYS.*kid/);
  });

  it('reads rate-limit policies as points/seconds[/blockSeconds], with defaults', () => {
    const { rateLimits } = loadConfig('test', { RATE_LIMIT_LOGIN_PER_IP: '5/60' }).auth;
    expect(rateLimits.loginPerIp).toEqual({ points: 5, durationSeconds: 60 });
    expect(rateLimits.loginFailuresPerAccount).toEqual({ points: 10, durationSeconds: 600, blockSeconds: 300 });
    expect(() => loadConfig('test', { RATE_LIMIT_REFRESH_PER_IP: 'lots' })).toThrow(/RATE_LIMIT_REFRESH_PER_IP/);
    expect(() => loadConfig('test', { TRUSTED_PROXY_HOPS: '-1' })).toThrow(/TRUSTED_PROXY_HOPS/);
  });
});
