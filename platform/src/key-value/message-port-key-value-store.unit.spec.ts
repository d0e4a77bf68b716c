import { MessageChannel } from 'node:worker_threads';
import { InProcessKeyValueStore } from './in-process-key-value-store';
import { keyValueStoreContract } from './key-value-store.contract';
import { MessagePortKeyValueStore, serveKeyValue } from './message-port-key-value-store';

/** A store reached over a real MessageChannel, as the embedded app's worker thread reaches the main thread's. */
function storeAcrossPort(): { store: MessagePortKeyValueStore; served: InProcessKeyValueStore; closeServing(): void } {
  const { port1, port2 } = new MessageChannel();
  const served = new InProcessKeyValueStore();
  serveKeyValue(port1, served);
  return { store: new MessagePortKeyValueStore(port2), served, closeServing: () => port1.close() };
}

describe('MessagePortKeyValueStore', () => {
  keyValueStoreContract(async () => {
    const { store, served, closeServing } = storeAcrossPort();
    return {
      store,
      cleanup: async () => {
        await store.close();
        closeServing();
        await served.close();
      },
    };
  });

  it('reads and writes the served store, which sees what other threads wrote', async () => {
    const { store, served, closeServing } = storeAcrossPort();
    await served.set('session-live:1', 'user-1');

    expect(await store.getMany(['session-live:1', 'session-revoked:1'])).toEqual(['user-1', undefined]);
    await store.set('session-revoked:1', '1', { ttlMs: 60_000 });
    expect(await served.get('session-revoked:1')).toBe('1');

    await store.close();
    closeServing();
    await served.close();
  });

  it('leaves the served store open when it closes', async () => {
    const { store, served, closeServing } = storeAcrossPort();

    await store.close();

    await expect(store.get('a')).rejects.toThrow('closed');
    await served.set('a', 'still open');
    expect(await served.get('a')).toBe('still open');
    closeServing();
    await served.close();
  });

  it('refuses the calls in flight when the serving end goes away, instead of leaving them waiting', async () => {
    const { port1, port2 } = new MessageChannel();
    // Nothing answers on port1: it closes with the call unanswered.
    const store = new MessagePortKeyValueStore(port2);
    const call = store.get('a');

    port1.close();

    await expect(call).rejects.toThrow('gone');
    await store.close();
  });
});
