// Work that must not overlap, run one piece after another. A failure settles its own piece only: what was
// queued after it still runs.

/** Runs the work it is given one after another: each starts once the one before has settled, whatever its outcome. */
export class InOrder {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.last.then(work);
    this.last = result.catch(() => undefined);
    return result;
  }
}

/** An `InOrder` per key: one key's work runs one after another, different keys' side by side. A key is forgotten once its work has all settled. */
export class InOrderPerKey<Key> {
  private readonly queues = new Map<Key, Promise<unknown>>();

  run<T>(key: Key, work: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const settled = result.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }
}
