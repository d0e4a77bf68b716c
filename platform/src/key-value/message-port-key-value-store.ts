// The key-value store of a thread whose store is on another thread of the process: the embedded app keeps its
// hot state (sessions, presence) in the main thread's memory, and the realtime endpoint on its worker thread
// reads and writes it there. Each call crosses a MessagePort to `serveKeyValue` at the other end, which runs it
// on the real store and posts back its result or its error.
import type { MessagePort } from 'node:worker_threads';
import type { KeyValueStore, SetOptions } from './key-value-store';

/** The calls that cross: every method of the port but `close`, which closes this end only. */
type KeyValueMethod = Exclude<keyof KeyValueStore, 'close'>;

interface KeyValueCall {
  readonly id: number;
  readonly method: KeyValueMethod;
  readonly args: readonly unknown[];
}

type KeyValueReply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

const METHODS: ReadonlySet<string> = new Set<KeyValueMethod>(['get', 'getMany', 'set', 'setIfAbsent', 'delete', 'expire', 'increment', 'keysWithPrefix', 'ping']);

/** The error classes callers tell apart (a RangeError for a bad lifetime); any other arrives as an Error. */
function errorOf({ name, message }: { name: string; message: string }): Error {
  const error = name === 'RangeError' ? new RangeError(message) : name === 'TypeError' ? new TypeError(message) : new Error(message);
  if (error.name !== name) error.name = name;
  return error;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class MessagePortKeyValueStore implements KeyValueStore {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;
  private closed = false;

  /** The store owns `port` from now on and closes it with itself. */
  constructor(private readonly port: MessagePort) {
    port.on('message', (reply: KeyValueReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if ('error' in reply) pending.reject(errorOf(reply.error));
      else pending.resolve(reply.value);
    });
    // A closed port (the serving thread ended) answers nothing more: what waits is refused rather than left hanging.
    port.on('close', () => this.refusePending(new Error('The key-value store across the thread is gone')));
  }

  get(key: string): Promise<string | undefined> {
    return this.call('get', [key]);
  }

  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.call('getMany', [keys]);
  }

  set(key: string, value: string, options?: SetOptions): Promise<void> {
    return this.call('set', [key, value, options]);
  }

  setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean> {
    return this.call('setIfAbsent', [key, value, options]);
  }

  delete(key: string): Promise<boolean> {
    return this.call('delete', [key]);
  }

  expire(key: string, ttlMs: number): Promise<boolean> {
    return this.call('expire', [key, ttlMs]);
  }

  increment(key: string, by: number, options?: SetOptions): Promise<number> {
    return this.call('increment', [key, by, options]);
  }

  keysWithPrefix(prefix: string): Promise<string[]> {
    return this.call('keysWithPrefix', [prefix]);
  }

  ping(): Promise<void> {
    return this.call('ping', []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.refusePending(new Error('The key-value store is closed'));
    this.port.close();
  }

  private call<T>(method: KeyValueMethod, args: readonly unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The key-value store is closed'));
    const id = ++this.lastId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.port.postMessage({ id, method, args } satisfies KeyValueCall);
    });
  }

  private refusePending(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * Answers on `port` the calls of a MessagePortKeyValueStore at its other end with `store`, until the port closes.
 * The store stays its owner's: closing the other end does not close it.
 */
export function serveKeyValue(port: MessagePort, store: KeyValueStore): void {
  port.on('message', (call: KeyValueCall) => {
    const answer = (reply: KeyValueReply) => port.postMessage(reply);
    if (!METHODS.has(call.method)) {
      answer({ id: call.id, error: { name: 'TypeError', message: `No key-value method ${String(call.method)}` } });
      return;
    }
    const run = store[call.method] as (...args: readonly unknown[]) => Promise<unknown>;
    run.apply(store, [...call.args]).then(
      (value) => answer({ id: call.id, value }),
      (error: unknown) => answer({ id: call.id, error: error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) } }),
    );
  });
}
