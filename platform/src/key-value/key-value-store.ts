// The key-value-with-expiry port: sessions, presence, typing and other hot state that may expire.
// In-process when embedded, Redis when distributed. Values are strings; callers serialise.

export interface SetOptions {
  /**
   * Time to live in milliseconds, a whole number above 0; the key disappears by itself after it.
   * Without it, `set` makes the key live until deleted.
   */
  readonly ttlMs?: number;
}

export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  /** Sets the key only when it does not exist; true when this call set it. */
  setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Sets a new time to live on an existing key; false when there is no such key. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds to an integer value (a missing key counts as 0) and returns the new value; `ttlMs` is (re)set when given,
   * otherwise the key keeps the lifetime it had. Rejects when `by` or the stored value is not an integer.
   */
  increment(key: string, by: number, options?: SetOptions): Promise<number>;
  /** Every live key that starts with the prefix, in no particular order. */
  keysWithPrefix(prefix: string): Promise<string[]>;
  ping(): Promise<void>;
  /** Idempotent; afterwards every other method rejects. */
  close(): Promise<void>;
}

/** Rejects a lifetime that is not a whole number of milliseconds above 0 (Redis refuses those, or deletes the key). */
export function assertValidTtlMs(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`A time to live must be a whole number of milliseconds above 0; got ${ttlMs}`);
  }
}

