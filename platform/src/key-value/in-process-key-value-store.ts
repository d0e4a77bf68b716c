// The key-value store of embedded mode: a Map whose entries carry their expiry time. A read ignores (and drops) an
// expired entry, so expiry is exact; the periodic sweep only frees the memory of keys nobody reads again.
import { KeyValueStore, SetOptions, assertValidTtlMs } from './key-value-store';

export interface InProcessKeyValueStoreOptions {
  /** The clock, in milliseconds; tests pass their own. */
  readonly now?: () => number;
  readonly sweepIntervalMs?: number;
}

interface Entry {
  readonly value: string;
  /** Absent: lives until deleted. */
  readonly expiresAt?: number;
}

// What Redis accepts as an integer: no sign other than '-', no leading zeros, no spaces.
const INTEGER = /^(0|-?[1-9]\d*)$/;

export class InProcessKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(options: InProcessKeyValueStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepTimer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    // The sweep must not keep the process alive on its own.
    this.sweepTimer.unref();
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.live(key)?.value;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    this.assertOpen();
    return keys.map((key) => this.live(key)?.value);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.assertOpen();
    this.entries.set(key, this.entry(value, options.ttlMs));
  }

  async setIfAbsent(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    this.assertOpen();
    const entry = this.entry(value, options.ttlMs);
    if (this.live(key)) return false;
    this.entries.set(key, entry);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.assertOpen();
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertValidTtlMs(ttlMs);
    const entry = this.live(key);
    if (!entry) return false;
    this.entries.set(key, { value: entry.value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async increment(key: string, by: number, options: SetOptions = {}): Promise<number> {
    this.assertOpen();
    if (!Number.isSafeInteger(by)) throw new RangeError(`Can only increment by a whole number; got ${by}`);
    if (options.ttlMs !== undefined) assertValidTtlMs(options.ttlMs);
    const entry = this.live(key);
    const current = entry ? Number(entry.value) : 0;
    if (entry && (!INTEGER.test(entry.value) || !Number.isSafeInteger(current))) {
      throw new TypeError(`The value of ${key} is not an integer`);
    }
    const next = current + by;
    const expiresAt = options.ttlMs === undefined ? entry?.expiresAt : this.now() + options.ttlMs;
    this.entries.set(key, { value: String(next), expiresAt });
    return next;
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    this.assertOpen();
    return [...this.entries.keys()].filter((key) => key.startsWith(prefix) && this.live(key));
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.entries.clear();
  }

  /** Drops every expired entry. */
  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }

  private entry(value: string, ttlMs: number | undefined): Entry {
    if (ttlMs === undefined) return { value };
    assertValidTtlMs(ttlMs);
    return { value, expiresAt: this.now() + ttlMs };
  }

  /** The entry when it exists and has not expired; an expired one is dropped on the way. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The key-value store is closed');
  }
}
