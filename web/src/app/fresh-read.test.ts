import { describe, expect, it } from 'vitest';
import { FreshRead } from './fresh-read';

/** A read whose answers the test hands out one at a time. */
function controlledRead() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const read = new FreshRead(() => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })));
  return { read, pending };
}

describe('FreshRead', () => {
  it('reads once more after the read in flight for everything asked meanwhile, and afresh when asked later', async () => {
    const { read, pending } = controlledRead();
    const first = read.run();
    const second = read.run();
    const third = read.run();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    await first;
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve();
    await Promise.all([second, third]);
    expect(pending).toHaveLength(2);

    const later = read.run();
    expect(pending).toHaveLength(3);
    pending[2]!.resolve();
    await later;
  });

  it('still reads again after a read in flight that failed', async () => {
    const { read, pending } = controlledRead();
    const failing = read.run().catch((error: Error) => error.message);
    const next = read.run();
    pending[0]!.reject(new Error('offline'));
    expect(await failing).toBe('offline');
    await Promise.resolve();
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve();
    await expect(next).resolves.toBeUndefined();
  });
});
