// argon2id outside the domain: the domain only ever sees hashes and "the password matched or not".
// Parameters: OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane); each hash carries its own
// parameters, so raising them later still verifies the hashes made before.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class PasswordHasher {
  private constructor(private readonly dummyHash: string) {}

  /** Prepares the dummy hash that unknown usernames are verified against. */
  static async create(): Promise<PasswordHasher> {
    return new PasswordHasher(await argon2.hash(randomBytes(32).toString('base64url'), HASH_OPTIONS));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, HASH_OPTIONS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A hash argon2 cannot read matches nothing.
      return false;
    }
  }

  /** Costs what a real verification costs, so an unknown username answers no faster than a wrong password. */
  async verifyNothing(password: string): Promise<false> {
    await this.verify(this.dummyHash, password);
    return false;
  }
}
