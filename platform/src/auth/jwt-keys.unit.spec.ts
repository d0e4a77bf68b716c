import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { AccessTokenIssuer, AccessTokenVerifier } from './access-tokens';
import { loadPublicKeySet, loadSigningKey, SIGNING_KEY_FILE } from './jwt-keys';

describe('access-token keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'jwt-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a key on first start, readable by its owner only, and reuses it after', async () => {
    const source = { kind: 'directory', dir: path.join(dir, 'keys'), generateIfMissing: true } as const;
    const first = await loadSigningKey(source);
    const again = await loadSigningKey(source);
    expect(again.kid).toBe(first.kid);
    expect(statSync(path.join(source.dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect((await loadPublicKeySet(source)).keys).toEqual([expect.objectContaining({ kid: first.kid, kty: 'OKP', crv: 'Ed25519' })]);
    expect(JSON.stringify((await loadPublicKeySet(source)).keys)).not.toContain('"d"');
  });

  it('ends up with one key when several processes start together', async () => {
    const source = { kind: 'directory', dir, generateIfMissing: true } as const;
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadSigningKey(source)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, SIGNING_KEY_FILE), 'utf8'))).toMatchObject({ kid: keys[0]!.kid });
  });

  it('refuses to start without a key where it may not generate one, naming what to set', async () => {
    await expect(loadSigningKey({ kind: 'directory', dir, generateIfMissing: false })).rejects.toThrow(/JWT_PRIVATE_KEY/);
  });

  it('takes the signing key from the environment as a PEM or a JWK, and verifies with the public set alone', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const pem = await exportPKCS8(privateKey);
    const jwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'key-2026' });
    const fromPem = await loadSigningKey({ kind: 'environment', privateKey: pem });
    const fromJwk = await loadSigningKey({ kind: 'environment', privateKey: jwk });
    expect(fromJwk.kid).toBe('key-2026');

    const publicKeys = JSON.stringify(await loadPublicKeySet({ kind: 'environment', privateKey: jwk }));
    const verifier = new AccessTokenVerifier(await loadPublicKeySet({ kind: 'environment', publicKeys }));
    const { accessToken } = await new AccessTokenIssuer(fromJwk).issue({ userId: 'user-1', sessionId: 'session-1' });
    await expect(verifier.verify(accessToken)).resolves.toEqual({ userId: 'user-1', sessionId: 'session-1' });
    // The same key under another kid (the PEM's thumbprint) is not in the set.
    const { accessToken: unknownKid } = await new AccessTokenIssuer(fromPem).issue({ userId: 'user-1', sessionId: 'session-1' });
    await expect(verifier.verify(unknownKid)).rejects.toMatchObject({ status: 401 });
  });
});
