// The access-token keys: one Ed25519 signing key where tokens are issued (command-api), and the public
// key set every verifier needs (query-api, realtime, and `GET /api/auth/jwks` for anyone else).
//
// Sources (see `JwtKeySource` in config): JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS from the environment, the
// distributed deployment's way; or a key folder (JWT_KEY_DIR, default DATA_DIR/keys). With the embedded
// event store the folder's key is generated on first start and reused after: every process of an
// embedded deployment shares DATA_DIR, so they all find the same key. A distributed deployment never
// generates one, since each container would sign with a key the others do not know.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK, type KeyLike } from 'jose';
import type { JwtKeySource } from '../config/config';

export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';
/** The private JWK (with its `kid`) inside the key folder. */
export const SIGNING_KEY_FILE = 'signing-key.jwk.json';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
}

export interface PublicJwk extends JWK {
  readonly kid: string;
}

export interface PublicKeySet {
  readonly keys: readonly PublicJwk[];
}

export class JwtKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwtKeyError';
  }
}

/** The key tokens are signed with. */
export async function loadSigningKey(source: JwtKeySource): Promise<SigningKey> {
  const jwk = await privateJwkOf(source);
  if (!jwk) throw new JwtKeyError('This service issues access tokens but has no signing key: set JWT_PRIVATE_KEY (or JWT_KEY_DIR)');
  return { kid: jwk.kid, privateKey: (await importJWK(jwk, ACCESS_TOKEN_ALGORITHM)) as KeyLike };
}

/** Every key a token may be signed with: the signing key's public half and any other published key (rotation). */
export async function loadPublicKeySet(source: JwtKeySource): Promise<PublicKeySet> {
  const privateJwk = await privateJwkOf(source).catch((error: unknown) => {
    // A verifier may lack the private key by design; it needs the public set only.
    if (source.kind === 'environment' && source.publicKeys) return undefined;
    throw error;
  });
  const published = source.kind === 'environment' && source.publicKeys ? (JSON.parse(source.publicKeys) as { keys: PublicJwk[] }).keys.map(publicPart) : [];
  const keys = privateJwk ? [publicPart(privateJwk), ...published.filter((key) => key.kid !== privateJwk.kid)] : published;
  if (keys.length === 0) throw new JwtKeyError('No access-token verification key: set JWT_PUBLIC_KEYS (or JWT_PRIVATE_KEY, or JWT_KEY_DIR)');
  return { keys };
}

type PrivateJwk = JWK & { kid: string };

async function privateJwkOf(source: JwtKeySource): Promise<PrivateJwk | undefined> {
  if (source.kind === 'environment') {
    if (!source.privateKey) return undefined;
    return source.privateKey.startsWith('{') ? withKid(JSON.parse(source.privateKey) as JWK) : withKid(await exportJWK(await importPKCS8(source.privateKey, ACCESS_TOKEN_ALGORITHM, { extractable: true })));
  }
  const file = path.join(source.dir, SIGNING_KEY_FILE);
  const stored = await readJwk(file);
  if (stored) return stored;
  if (!source.generateIfMissing) {
    throw new JwtKeyError(`No signing key at ${file}: set JWT_PRIVATE_KEY and JWT_PUBLIC_KEYS, or put a key there (only the embedded deployment generates one)`);
  }
  return generateKeyFile(file);
}

async function readJwk(file: string): Promise<PrivateJwk | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return withKid(JSON.parse(text) as JWK);
}

/** A new signing key and its public key set, as the JWT_PRIVATE_KEY and JWT_PUBLIC_KEYS variables take them. */
export async function generateKeyVariables(): Promise<{ JWT_PRIVATE_KEY: string; JWT_PUBLIC_KEYS: string }> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await withKid(await exportJWK(privateKey));
  const { d: _secret, ...publicJwk } = jwk;
  return { JWT_PRIVATE_KEY: JSON.stringify(jwk), JWT_PUBLIC_KEYS: JSON.stringify({ keys: [{ ...publicJwk, use: 'sig', alg: ACCESS_TOKEN_ALGORITHM }] }) };
}

/**
 * Writes a new key where no other process can read a half-written file: into a temporary file first,
 * then linked to its name, which fails if another process got there first; that one's key is used then.
 */
async function generateKeyFile(file: string): Promise<PrivateJwk> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = await withKid(await exportJWK(privateKey));
  const temporary = `${file}.${randomUUID()}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temporary, file);
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readJwk(file);
    if (!winner) throw error;
    return winner;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

async function withKid(jwk: JWK): Promise<PrivateJwk> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d) throw new JwtKeyError('The signing key must be an Ed25519 private key');
  // The RFC 7638 thumbprint names a key the same wherever it is computed.
  return { ...jwk, alg: ACCESS_TOKEN_ALGORITHM, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)) };
}

function publicPart(jwk: JWK & { kid: string }): PublicJwk {
  const { kty, crv, x, kid } = jwk;
  return { kty, crv, x, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
}
