// Access tokens: short-lived JWTs signed with EdDSA (Ed25519). `sub` is the user, `sid` the session the
// token belongs to, so a revoked session can be refused at once (see session-registry.ts).
import { createLocalJWKSet, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { ApiError } from '../http/api-error';
import { ACCESS_TOKEN_ALGORITHM, type PublicKeySet, type SigningKey } from './jwt-keys';
import { VerifiedTokenCache } from './verified-token-cache';

export const ACCESS_TOKEN_LIFETIME_SECONDS = 15 * 60;
const ISSUER = 'chat';
const AUDIENCE = 'chat-api';
/** Clocks of different machines may disagree a little. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Who is calling, once their access token has been verified. */
export interface AuthenticatedUser {
  readonly userId: string;
  readonly sessionId: string;
}

export interface IssuedAccessToken {
  readonly accessToken: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

export class AccessTokenIssuer {
  constructor(private readonly key: SigningKey) {}

  async issue(user: AuthenticatedUser, now = new Date()): Promise<IssuedAccessToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const accessToken = await new SignJWT({ sid: user.sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: this.key.kid, typ: 'JWT' })
      .setSubject(user.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_LIFETIME_SECONDS)
      .sign(this.key.privateKey);
    return { accessToken, expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS };
  }
}

export interface AccessTokenVerifierOptions {
  /**
   * Tokens whose verification is remembered until their expiry (see verified-token-cache.ts); 0 verifies
   * every time. A token is some 400 bytes, so the default holds a busy instance's callers in a few MB.
   */
  readonly cachedTokens?: number;
  /** The clock, in milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
}

export class AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified: VerifiedTokenCache;
  private readonly now: () => number;

  constructor(
    readonly publicKeys: PublicKeySet,
    options: AccessTokenVerifierOptions = {},
  ) {
    this.keys = createLocalJWKSet({ keys: [...publicKeys.keys] });
    this.verified = new VerifiedTokenCache(options.cachedTokens ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /**
   * The caller the token names, or a 401 ApiError. Only EdDSA is accepted, whatever the token's header
   * claims: `alg: none`, or HS256 with the public key as the secret, never reach a key. A token verified
   * before is answered from memory until its `exp` (the keys never change during a verifier's life);
   * whether its session is still live is not this class's question (see SessionRegistry).
   */
  async verify(token: string): Promise<AuthenticatedUser> {
    const nowMs = this.now();
    const nowSeconds = Math.floor(nowMs / 1000);
    const known = this.verified.get(token, nowSeconds);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(nowMs),
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw ApiError.unauthenticated('The access token is not valid');
      const user: AuthenticatedUser = { userId: payload.sub, sessionId: payload.sid };
      // Ours never carry `nbf`; one that does would need checking again later, so it is not remembered.
      if (payload.nbf === undefined && typeof payload.exp === 'number' && payload.exp > nowSeconds) this.verified.set(token, user, payload.exp);
      return user;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired) throw ApiError.unauthenticated('The access token has expired');
      // Every other failure (bad signature, unknown key, malformed token, wrong algorithm) is one answer:
      // which check failed would only help someone forging tokens.
      throw ApiError.unauthenticated('The access token is not valid');
    }
  }
}
