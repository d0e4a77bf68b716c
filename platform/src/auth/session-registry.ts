// Which sessions may use their access tokens right now, in the key-value store (in-process embedded,
// Redis distributed), so that every service checks a token's session with one lookup and no database.
//
// Semantics, chosen so that a revocation is seen at once everywhere and a lost store fails closed:
// - The event store stays the authority (refresh and every command fold the user's stream). These keys
//   are written by command-api right after the append that changes a session is durable, before it answers.
// - `session-live:<sid>` (the user id) is written when a session starts or refreshes, and lives a little
//   longer than the access token just issued. A token whose session has no live key is refused: after a
//   Redis restart (or an embedded restart) callers get 401 and refresh, which writes the key again.
// - `session-revoked:<sid>` is written when a session ends and lives as long as any access token issued
//   before could. It is a key of its own so that a refresh racing a revocation, whose live key may land
//   after the revocation, can never bring the session back: the revoked key wins.
// - Writing either key again is harmless, so a command retried after a failed write repairs it.
import type { KeyValueStore } from '../key-value/key-value-store';
import { ACCESS_TOKEN_LIFETIME_SECONDS, type AuthenticatedUser } from './access-tokens';

/** An access token outlives its session's keys by no more than the verifiers' clock tolerance. */
const KEY_LIFETIME_MS = (ACCESS_TOKEN_LIFETIME_SECONDS + 60) * 1000;

const liveKey = (sessionId: string) => `session-live:${sessionId}`;
const revokedKey = (sessionId: string) => `session-revoked:${sessionId}`;

export class SessionRegistry {
  constructor(private readonly store: KeyValueStore) {}

  /** After a session started or was refreshed: its new access token may be used. */
  async markLive(user: AuthenticatedUser): Promise<void> {
    await this.store.set(liveKey(user.sessionId), user.userId, { ttlMs: KEY_LIFETIME_MS });
  }

  /** After a session ended: every access token of it is refused from now on. */
  async markRevoked(sessionIds: readonly string[]): Promise<void> {
    for (const sessionId of sessionIds) {
      await this.store.set(revokedKey(sessionId), '1', { ttlMs: KEY_LIFETIME_MS });
      await this.store.delete(liveKey(sessionId));
    }
  }

  async isLive(user: AuthenticatedUser): Promise<boolean> {
    return (await this.whichAreLive([user]))[0]!;
  }

  /** `isLive` of each, in order, with one read of the store for them all. */
  async whichAreLive(users: readonly AuthenticatedUser[]): Promise<boolean[]> {
    if (users.length === 0) return [];
    const values = await this.store.getMany(users.flatMap((user) => [liveKey(user.sessionId), revokedKey(user.sessionId)]));
    return users.map((user, index) => values[2 * index] === user.userId && values[2 * index + 1] === undefined);
  }
}
