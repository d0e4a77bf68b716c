import { LruMap } from './lru-map';

describe('LruMap', () => {
  it('lets go of the least recently used entry beyond its bound, a read counting as a use', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('replaces a value without growing, and forgets what is deleted', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('a', 2);
    expect(map.size).toBe(1);
    expect(map.get('a')).toBe(2);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
  });

  it('keeps nothing with a bound of 0, and refuses a bound that is not a whole number ≥ 0', () => {
    const map = new LruMap<string, number>(0);
    map.set('a', 1);
    expect(map.size).toBe(0);
    expect(() => new LruMap(-1)).toThrow();
    expect(() => new LruMap(1.5)).toThrow();
  });

  it('agrees with a list kept in order of use over a long run of reads, writes and deletes', () => {
    // The reference: keys from the least to the most recently used.
    const order: number[] = [];
    const values = new Map<number, number>();
    const map = new LruMap<number, number>(5);
    const use = (key: number) => {
      order.splice(order.indexOf(key), 1);
      order.push(key);
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let step = 0; step < 5_000; step++) {
      const key = next() % 9;
      const action = next() % 10;
      if (action < 5) {
        expect(map.get(key)).toBe(values.get(key));
        if (values.has(key)) use(key);
      } else if (action < 9) {
        map.set(key, step);
        if (values.has(key)) use(key);
        else order.push(key);
        values.set(key, step);
        if (order.length > 5) values.delete(order.shift()!);
      } else {
        map.delete(key);
        if (values.has(key)) order.splice(order.indexOf(key), 1);
        values.delete(key);
      }
      expect(map.size).toBe(order.length);
    }
    for (const key of order) expect(map.get(key)).toBe(values.get(key));
  });

  it('is empty after clear and fills again from there', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('a')).toBeUndefined();
    map.set('c', 3);
    map.set('d', 4);
    map.set('e', 5);
    expect(map.get('c')).toBeUndefined();
    expect([map.get('d'), map.get('e'), map.size]).toEqual([4, 5, 2]);
  });
});
