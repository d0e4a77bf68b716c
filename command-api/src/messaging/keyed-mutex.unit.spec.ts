import { KeyedMutex } from './keyed-mutex';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs the work of one key one at a time, in the order it came', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([mutex.run('room', work('a')), mutex.run('room', work('b')), mutex.run('room', work('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs the work of different keys side by side', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([mutex.run('one', work('a')), mutex.run('two', work('b'))]);
    expect(log.slice(0, 2)).toEqual(['start a', 'start b']);
  });

  it('goes on with the next work after a failure, and forgets keys with nothing queued', async () => {
    const mutex = new KeyedMutex();
    const failed = mutex.run('room', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('room', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(mutex.size).toBe(0);
  });
});
