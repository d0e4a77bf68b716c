import { InOrder, InOrderPerKey } from './in-order';

/** A piece of work that records its start and ends when told to. */
function gated(log: string[], name: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
      return name;
    },
    open: () => open(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('InOrder', () => {
  it('starts each piece only once the one before has settled, and answers each with its own result', async () => {
    const log: string[] = [];
    const inOrder = new InOrder();
    const [a, b] = [gated(log, 'a'), gated(log, 'b')];
    const first = inOrder.run(a.work);
    const second = inOrder.run(b.work);
    await turn();
    expect(log).toEqual(['start a']);
    a.open();
    await expect(first).resolves.toBe('a');
    await turn();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.open();
    await expect(second).resolves.toBe('b');
  });

  it('goes on after a piece that fails, which fails alone', async () => {
    const inOrder = new InOrder();
    const failing = inOrder.run(async () => {
      throw new Error('no');
    });
    const next = inOrder.run(async () => 'next');
    await expect(failing).rejects.toThrow('no');
    await expect(next).resolves.toBe('next');
  });
});

describe('InOrderPerKey', () => {
  it('runs one key’s work in order and other keys’ side by side', async () => {
    const log: string[] = [];
    const perKey = new InOrderPerKey<string>();
    const [a1, a2, b1] = [gated(log, 'a1'), gated(log, 'a2'), gated(log, 'b1')];
    const runs = [perKey.run('a', a1.work), perKey.run('a', a2.work), perKey.run('b', b1.work)];
    await turn();
    expect(log).toEqual(['start a1', 'start b1']);
    a1.open();
    await turn();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    a2.open();
    b1.open();
    await expect(Promise.all(runs)).resolves.toEqual(['a1', 'a2', 'b1']);
  });

  it('goes on with a key after its failed work, and starts a settled key afresh', async () => {
    const perKey = new InOrderPerKey<string>();
    await expect(
      perKey.run('a', async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await expect(perKey.run('a', async () => 'again')).resolves.toBe('again');
  });
});
