// A map bounded to `maxEntries` that lets go of the least recently used entry first. A JavaScript Map keeps
// insertion order, so an entry read or written is moved to the end and the first key is the least recent.
export class LruMap<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new Error(`maxEntries must be a whole number ≥ 0, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, which becomes the most recently used. */
  get(key: Key): Value | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as Value;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Keeps the value as the most recently used; beyond the bound, the least recently used goes. */
  set(key: Key, value: Value): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as Key);
  }

  delete(key: Key): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
