// Access tokens already verified, so that a caller's every request does not pay for an EdDSA signature
// check again. Keyed by the whole token string: a token differing in any byte (another signature, a
// changed claim) is another key and is verified in full. An entry is only good until the token's own
// `exp`; after that the token goes through the full verification, which decides (and says) it expired.
// The cache only answers "is this signature and are these claims ours?": whether the token's session is
// still live is asked of the session registry on every request, so a revocation takes effect at once.
import { LruMap } from '../collections/lru-map';
import type { AuthenticatedUser } from './access-tokens';

interface Entry {
  readonly user: AuthenticatedUser;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

export class VerifiedTokenCache {
  private readonly entries: LruMap<string, Entry>;

  constructor(maxEntries: number) {
    this.entries = new LruMap(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The caller a token names, if it was verified before and `nowSeconds` is still before its `exp`. */
  get(token: string, nowSeconds: number): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowSeconds >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /** Remembers a token that has just passed the full verification; the least recently used goes beyond the bound. */
  set(token: string, user: AuthenticatedUser, expiresAt: number): void {
    this.entries.set(token, { user, expiresAt });
  }
}
