import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ACCESS_TOKEN_LIFETIME_SECONDS, AccessTokenIssuer, AccessTokenVerifier } from './access-tokens';
import { loadPublicKeySet, loadSigningKey } from './jwt-keys';
import { hashRefreshToken, newRefreshToken, userIdOfRefreshToken } from './refresh-tokens';

async function keyPair() {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const source = { kind: 'environment', privateKey: JSON.stringify(await exportJWK(privateKey)) } as const;
  return { signing: await loadSigningKey(source), publicKeys: await loadPublicKeySet(source) };
}

describe('access tokens', () => {
  const user = { userId: 'user-1', sessionId: 'session-1' };

  it('carries the user and the session, signed with EdDSA under the key’s kid, for 15 minutes', async () => {
    const { signing, publicKeys } = await keyPair();
    const now = new Date();
    const { accessToken, expiresIn } = await new AccessTokenIssuer(signing).issue(user, now);
    expect(expiresIn).toBe(ACCESS_TOKEN_LIFETIME_SECONDS);
    const [header, payload] = accessToken.split('.').slice(0, 2).map((part) => JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'EdDSA', kid: signing.kid, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'user-1', sid: 'session-1', exp: Math.floor(now.getTime() / 1000) + 900 });
    await expect(new AccessTokenVerifier(publicKeys).verify(accessToken)).resolves.toEqual(user);
  });

  it('refuses an expired token with its own message', async () => {
    const { signing, publicKeys } = await keyPair();
    const { accessToken } = await new AccessTokenIssuer(signing).issue(user, new Date(Date.now() - 16 * 60 * 1000));
    await expect(new AccessTokenVerifier(publicKeys).verify(accessToken)).rejects.toMatchObject({ status: 401, message: 'The access token has expired' });
  });

  it('refuses a token signed by another key, one without a session, and garbage', async () => {
    const ours = await keyPair();
    const theirs = await keyPair();
    const verifier = new AccessTokenVerifier(ours.publicKeys);
    const { accessToken: foreign } = await new AccessTokenIssuer({ ...theirs.signing, kid: ours.signing.kid }).issue(user);
    const noSession = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: ours.signing.kid })
      .setSubject('user-1')
      .setIssuer('chat')
      .setAudience('chat-api')
      .setExpirationTime('5m')
      .sign(ours.signing.privateKey);
    for (const token of [foreign, noSession, 'not.a.token', '']) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, message: 'The access token is not valid' });
    }
  });

  it('refuses alg none and HS256 whatever the token claims', async () => {
    const { signing, publicKeys } = await keyPair();
    const verifier = new AccessTokenVerifier(publicKeys);
    const claims = base64url.encode(JSON.stringify({ sub: 'user-1', sid: 'session-1', iss: 'chat', aud: 'chat-api', exp: Math.floor(Date.now() / 1000) + 600 }));
    await expect(verifier.verify(`${base64url.encode('{"alg":"none"}')}.${claims}.`)).rejects.toMatchObject({ status: 401 });
    const hs256 = await new SignJWT({ sid: 'session-1' })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid })
      .setSubject('user-1')
      .setIssuer('chat')
      .setAudience('chat-api')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(publicKeys.keys[0])));
    await expect(verifier.verify(hs256)).rejects.toMatchObject({ status: 401 });
  });
});

describe('refresh tokens', () => {
  it('are 32 random bytes behind the user id, and only their hash is kept', () => {
    const token = newRefreshToken('0b6a1c52-5d43-4a49-9b53-3f1f9d6f5f0e');
    expect(token).toMatch(/^0b6a1c52-5d43-4a49-9b53-3f1f9d6f5f0e\.[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken('user-1')).not.toBe(newRefreshToken('user-1'));
    expect(userIdOfRefreshToken(token)).toBe('0b6a1c52-5d43-4a49-9b53-3f1f9d6f5f0e');
    expect(hashRefreshToken(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
  });

  it('are not ours when the secret part is missing or malformed', () => {
    for (const token of ['', 'user-1', '.abc', `user-1.${'A'.repeat(42)}`, `user-1.${'A'.repeat(42)}!`]) expect(userIdOfRefreshToken(token)).toBeUndefined();
  });
});
