import fc from 'fast-check';
import { emptyMap, getEntry, type PersistentMap, removeEntry, setEntry, updateEntry } from './persistent-map';

type Operation = { kind: 'set'; key: string; value: number } | { kind: 'remove'; key: string };

describe('PersistentMap', () => {
  // A small key space forces overwrites and removals of present keys; a large one forces deep tries.
  const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.string(), fc.uuid());
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
    fc.record({ kind: fc.constant('remove' as const), key }),
  );

  it('answers like a Map after any sequence of sets and removals', () => {
    fc.assert(fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
      const model = new Map<string, number>();
      let map: PersistentMap<number> = emptyMap();
      for (const op of operations) {
        if (op.kind === 'set') { model.set(op.key, op.value); map = setEntry(map, op.key, op.value); }
        else { model.delete(op.key); map = removeEntry(map, op.key); }
      }
      expect(map.size).toBe(model.size);
      for (const { key: k } of operations) expect(getEntry(map, k)).toBe(model.get(k));
    }));
  });

  it('leaves earlier versions untouched', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 100 }), (keys) => {
      const before = keys.reduce((map, k, i) => setEntry(map, k, i), emptyMap<number>());
      const [first = ''] = keys;
      const after = removeEntry(updateEntry(before, first, (value) => value + 1000), keys.at(-1) ?? '');
      keys.forEach((k, i) => expect(getEntry(before, k)).toBe(i));
      expect(getEntry(after, first)).toBe(keys.length === 1 ? undefined : 1000);
    }));
  });

  it('holds many thousands of keys, with each change copying only one path', () => {
    let map = emptyMap<number>();
    for (let i = 0; i < 50_000; i++) map = setEntry(map, `message-${i}`, i);
    expect(map.size).toBe(50_000);
    expect(getEntry(map, 'message-31337')).toBe(31337);
    expect(getEntry(map, 'message-50000')).toBeUndefined();
  });
});
