/**
 * An informer-style cache fed from two sides: watch events, and the objects the simulator's own
 * writes return (write-through, so a decision never runs on a cache that has not seen the
 * simulator's previous write; KubeVirt uses "expectations" for the same purpose). The newer
 * resource version wins; a deletion leaves a tombstone so that a late write response cannot bring
 * the object back. Secondary indexes map a value (a VMI key, a UID) to object keys.
 */
import { type ObjectMeta, resourceVersionNumber } from './objects.js';

type Indexer<T> = (o: T) => readonly string[];

export class Store<T extends { metadata?: ObjectMeta | undefined }> {
  private readonly items = new Map<string, T>();
  private readonly tombstones = new Map<string, number>();
  private readonly indexes = new Map<string, { fn: Indexer<T>; map: Map<string, Set<string>> }>();
  /** Changes with every stored change: lets callers memoise what they derive from the cache. */
  version = 0;

  constructor(private readonly keyOf: (o: T) => string) {}

  addIndex(name: string, fn: Indexer<T>): void {
    this.indexes.set(name, { fn, map: new Map() });
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  /** Keys whose objects the index maps `value` to. */
  keysBy(index: string, value: string): string[] {
    return [...(this.indexes.get(index)?.map.get(value) ?? [])];
  }

  by(index: string, value: string): T[] {
    return this.keysBy(index, value)
      .map((k) => this.items.get(k))
      .filter((o): o is T => o !== undefined);
  }

  /** Stores `o` unless the cache holds a newer version or a newer deletion. Returns whether it was stored. */
  upsert(o: T): boolean {
    const key = this.keyOf(o);
    const rv = resourceVersionNumber(o);
    const dead = this.tombstones.get(key);
    if (dead !== undefined) {
      if (rv !== 0 && rv <= dead) return false;
      this.tombstones.delete(key);
    }
    const old = this.items.get(key);
    if (old && rv !== 0 && resourceVersionNumber(old) > rv) return false;
    if (old) this.unindex(key, old);
    this.version++;
    this.items.set(key, o);
    for (const { fn, map } of this.indexes.values()) {
      for (const v of fn(o)) {
        const set = map.get(v) ?? new Set<string>();
        set.add(key);
        map.set(v, set);
      }
    }
    return true;
  }

  /** Forgets the object; `o` (the deleted object, when known) sets the tombstone's version. */
  remove(key: string, o?: T): T | undefined {
    const old = this.items.get(key);
    const rv = Math.max(o ? resourceVersionNumber(o) : 0, old ? resourceVersionNumber(old) : 0);
    if (rv > 0) this.tombstones.set(key, rv);
    if (!old) return undefined;
    this.version++;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, o: T): void {
    for (const { fn, map } of this.indexes.values()) {
      for (const v of fn(o)) {
        const set = map.get(v);
        set?.delete(key);
        if (set?.size === 0) map.delete(v);
      }
    }
  }
}
