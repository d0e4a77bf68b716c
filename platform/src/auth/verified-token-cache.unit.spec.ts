import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { InProcessKeyValueStore } from '../key-value/in-process-key-value-store';
import { ACCESS_TOKEN_LIFETIME_SECONDS, AccessTokenIssuer, AccessTokenVerifier, type AuthenticatedUser } from './access-tokens';
import { AccessTokenAuthenticator } from './auth.module';
import { loadPublicKeySet, loadSigningKey } from './jwt-keys';
import { SessionRegistry } from './session-registry';
import { VerifiedTokenCache } from './verified-token-cache';

// Counts the full verifications, which the cache exists to spare.
jest.mock('jose', () => {
  const actual = jest.requireActual<typeof import('jose')>('jose');
  return { ...actual, jwtVerify: jest.fn(actual.jwtVerify) };
});
const fullVerifications = jwtVerify as jest.MockedFunction<typeof jwtVerify>;

async function keyPair() {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const source = { kind: 'environment', privateKey: JSON.stringify(await exportJWK(privateKey)) } as const;
  return { signing: await loadSigningKey(source), publicKeys: await loadPublicKeySet(source) };
}

const alice: AuthenticatedUser = { userId: 'alice', sessionId: 'session-a' };
const bob: AuthenticatedUser = { userId: 'bob', sessionId: 'session-b' };

describe('VerifiedTokenCache', () => {
  it('answers a token until its exp, and not from that second on', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('token-a', alice, 1000);
    expect(cache.get('token-a', 999)).toEqual(alice);
    expect(cache.get('token-a', 1000)).toBeUndefined();
    expect(cache.get('token-a', 999)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('token-a', alice, 1000);
    cache.set('token-b', bob, 1000);
    expect(cache.get('token-a', 0)).toEqual(alice);
    cache.set('token-c', bob, 1000);
    expect(cache.size).toBe(2);
    expect(cache.get('token-b', 0)).toBeUndefined();
    expect(cache.get('token-a', 0)).toEqual(alice);
    expect(cache.get('token-c', 0)).toEqual(bob);
  });

  it('remembers nothing with a bound of 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('token-a', alice, 1000);
    expect(cache.get('token-a', 0)).toBeUndefined();
  });
});

describe('AccessTokenVerifier with its cache', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = Date.parse('2026-11-26T10:00:00Z');
    fullVerifications.mockClear();
  });

  it('verifies a token once and answers it from memory afterwards', async () => {
    const { signing, publicKeys } = await keyPair();
    const { accessToken } = await new AccessTokenIssuer(signing).issue(alice, new Date(now));
    const verifier = new AccessTokenVerifier(publicKeys, { now: clock });
    await expect(verifier.verify(accessToken)).resolves.toEqual(alice);
    await expect(verifier.verify(accessToken)).resolves.toEqual(alice);
    expect(fullVerifications).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it has expired, as the full verification does', async () => {
    const { signing, publicKeys } = await keyPair();
    const { accessToken } = await new AccessTokenIssuer(signing).issue(alice, new Date(now));
    const verifier = new AccessTokenVerifier(publicKeys, { now: clock });
    await verifier.verify(accessToken);
    now += (ACCESS_TOKEN_LIFETIME_SECONDS - 1) * 1000;
    await expect(verifier.verify(accessToken)).resolves.toEqual(alice);
    // Past exp the cache steps aside: within the clock tolerance the full check still accepts, then refuses.
    now += 2000;
    await expect(verifier.verify(accessToken)).resolves.toEqual(alice);
    now += 10_000;
    await expect(verifier.verify(accessToken)).rejects.toMatchObject({ status: 401, message: 'The access token has expired' });
    expect(fullVerifications).toHaveBeenCalledTimes(3);
  });

  it('verifies in full a token that differs from a remembered one in any byte', async () => {
    const { signing, publicKeys } = await keyPair();
    const { accessToken } = await new AccessTokenIssuer(signing).issue(alice, new Date(now));
    const verifier = new AccessTokenVerifier(publicKeys, { now: clock });
    await verifier.verify(accessToken);
    // A character inside the signature (the last one may only carry padding bits, which decode alike).
    const at = accessToken.lastIndexOf('.') + 10;
    const tampered = `${accessToken.slice(0, at)}${accessToken[at] === 'A' ? 'B' : 'A'}${accessToken.slice(at + 1)}`;
    await expect(verifier.verify(tampered)).rejects.toMatchObject({ status: 401, message: 'The access token is not valid' });
  });

  it('remembers no refusal: a bad token is verified, and refused, every time', async () => {
    const { publicKeys } = await keyPair();
    const verifier = new AccessTokenVerifier(publicKeys, { now: clock });
    for (let i = 0; i < 2; i++) await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ status: 401 });
    expect(fullVerifications).toHaveBeenCalledTimes(2);
  });

  it('verifies every time with a cache of 0 tokens', async () => {
    const { signing, publicKeys } = await keyPair();
    const { accessToken } = await new AccessTokenIssuer(signing).issue(alice, new Date(now));
    const verifier = new AccessTokenVerifier(publicKeys, { now: clock, cachedTokens: 0 });
    await verifier.verify(accessToken);
    await verifier.verify(accessToken);
    expect(fullVerifications).toHaveBeenCalledTimes(2);
  });
});

describe('AccessTokenAuthenticator over a caching verifier', () => {
  it('refuses a remembered token at once when its session is revoked', async () => {
    const { signing, publicKeys } = await keyPair();
    const store = new InProcessKeyValueStore();
    try {
      const sessions = new SessionRegistry(store);
      const authenticator = new AccessTokenAuthenticator(new AccessTokenVerifier(publicKeys), sessions);
      const { accessToken } = await new AccessTokenIssuer(signing).issue(alice);
      await sessions.markLive(alice);
      await expect(authenticator.authenticate(`Bearer ${accessToken}`)).resolves.toEqual(alice);
      await expect(authenticator.authenticate(`Bearer ${accessToken}`)).resolves.toEqual(alice);
      await sessions.markRevoked([alice.sessionId]);
      await expect(authenticator.authenticate(`Bearer ${accessToken}`)).rejects.toMatchObject({ status: 401, message: 'The session has ended or must be refreshed' });
    } finally {
      await store.close();
    }
  });
});
