// An immutable string-keyed map that shares structure between versions: a 32-way hash trie. `evolve`
// must return a new state without touching the old one; copying a plain record of a busy room's
// messages (or members) on every event would make folding a stream quadratic. Here a change copies
// one path of at most seven 32-slot nodes, whatever the size. Plain arrays and objects only, so a
// folded state can be snapshotted as JSON.

export interface PersistentMap<V> {
  readonly size: number;
  readonly root: Branch<V>;
}

/** 32 slots, `null` where empty (not `undefined`, so a state survives a JSON round trip). */
interface Branch<V> {
  readonly kind: 'branch';
  readonly slots: readonly (Branch<V> | Bucket<V> | null)[];
}

/** The entries whose keys share one full 32-bit hash (almost always exactly one). */
interface Bucket<V> {
  readonly kind: 'bucket';
  readonly hash: number;
  readonly entries: readonly (readonly [string, V])[];
}

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

export function emptyMap<V>(): PersistentMap<V> {
  return { size: 0, root: emptyBranch() };
}

export function getEntry<V>(map: PersistentMap<V>, key: string): V | undefined {
  const hash = hashOf(key);
  let node: Branch<V> | Bucket<V> | null | undefined = map.root;
  for (let shift = 0; node; shift += BITS) {
    if (node.kind === 'bucket') return node.hash === hash ? node.entries.find(([k]) => k === key)?.[1] : undefined;
    node = node.slots[(hash >>> shift) & MASK];
  }
  return undefined;
}

export function setEntry<V>(map: PersistentMap<V>, key: string, value: V): PersistentMap<V> {
  const hash = hashOf(key);
  const added = getEntry(map, key) === undefined;
  return { size: map.size + (added ? 1 : 0), root: setIn(map.root, hash, 0, key, value) };
}

export function removeEntry<V>(map: PersistentMap<V>, key: string): PersistentMap<V> {
  if (getEntry(map, key) === undefined) return map;
  return { size: map.size - 1, root: removeIn(map.root, hashOf(key), 0, key) };
}

/** Applies `change` to the value under `key`; nothing happens when the key is absent. */
export function updateEntry<V>(map: PersistentMap<V>, key: string, change: (value: V) => V): PersistentMap<V> {
  const value = getEntry(map, key);
  return value === undefined ? map : setEntry(map, key, change(value));
}

function setIn<V>(branch: Branch<V>, hash: number, shift: number, key: string, value: V): Branch<V> {
  const index = (hash >>> shift) & MASK;
  return withSlot(branch, index, setInSlot(branch.slots[index], hash, shift + BITS, key, value));
}

function setInSlot<V>(slot: Branch<V> | Bucket<V> | null | undefined, hash: number, shift: number, key: string, value: V): Branch<V> | Bucket<V> {
  if (!slot) return { kind: 'bucket', hash, entries: [[key, value]] };
  if (slot.kind === 'branch') return setIn(slot, hash, shift, key, value);
  if (slot.hash === hash) return { ...slot, entries: [...slot.entries.filter(([k]) => k !== key), [key, value]] };
  // Two hashes met in one slot: push the bucket one level down. Distinct 32-bit hashes part at the
  // latest at shift 30, so this never runs past the last level.
  const pushedDown = withSlot(emptyBranch<V>(), (slot.hash >>> shift) & MASK, slot);
  return setIn(pushedDown, hash, shift, key, value);
}

function removeIn<V>(branch: Branch<V>, hash: number, shift: number, key: string): Branch<V> {
  const index = (hash >>> shift) & MASK;
  const slot = branch.slots[index];
  if (!slot) return branch;
  if (slot.kind === 'branch') return withSlot(branch, index, removeIn(slot, hash, shift + BITS, key));
  const entries = slot.entries.filter(([k]) => k !== key);
  return withSlot(branch, index, entries.length === 0 ? null : { ...slot, entries });
}

function emptyBranch<V>(): Branch<V> {
  return { kind: 'branch', slots: new Array<null>(WIDTH).fill(null) };
}

function withSlot<V>(branch: Branch<V>, index: number, slot: Branch<V> | Bucket<V> | null): Branch<V> {
  const slots = branch.slots.slice();
  slots[index] = slot;
  return { kind: 'branch', slots };
}

/** FNV-1a over UTF-16 code units: fast, and spreads UUIDs evenly enough for a trie. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
