/**
 * Catches a definition file (or a module it imports) that changes JavaScript's shared objects while
 * it is loaded. `Object.prototype.images = …` in any imported module makes every object of the
 * process inherit `images`: the validated definitions of every other cluster included, so one file
 * could change the launcher image of the whole fleet without being named. Reading definitions as
 * data (definitionData.ts) keeps the schema from seeing inherited fields; this guard finds the
 * change itself, names the file whose import made it, and puts the shared objects back.
 */

/** The objects whose properties every definition and every generator relies on. */
const INTRINSICS: readonly (readonly [string, object])[] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
  ['Function.prototype', Function.prototype],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['RegExp.prototype', RegExp.prototype],
  ['Promise.prototype', Promise.prototype],
  ['Object', Object],
  ['Array', Array],
  ['JSON', JSON],
  ['Reflect', Reflect],
];

type Snapshot = ReadonlyMap<object, ReadonlyMap<PropertyKey, PropertyDescriptor>>;

/** The own properties of every intrinsic, as descriptors (a getter is kept, not called). */
export function snapshotIntrinsics(): Snapshot {
  return new Map(INTRINSICS.map(([, o]) => [o, new Map(Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)!]))]));
}

/** One changed property: `Object.prototype.images (added)`. */
export interface IntrinsicChange {
  readonly name: string;
  readonly change: 'added' | 'replaced' | 'removed';
}

/**
 * What differs from `before`, each put back as it was. Returns the changes (empty when nothing
 * changed); a change that cannot be undone (a frozen prototype) is still reported.
 */
export function restoreIntrinsics(before: Snapshot): IntrinsicChange[] {
  const changes: IntrinsicChange[] = [];
  for (const [label, o] of INTRINSICS) {
    const was = before.get(o)!;
    const name = (k: PropertyKey) => `${label}.${String(typeof k === 'symbol' ? `[${k.toString()}]` : k)}`;
    for (const key of Reflect.ownKeys(o)) {
      if (was.has(key)) continue;
      changes.push({ name: name(key), change: 'added' });
      Reflect.deleteProperty(o, key);
    }
    for (const [key, descriptor] of was) {
      const now = Object.getOwnPropertyDescriptor(o, key);
      if (now && sameDescriptor(now, descriptor)) continue;
      changes.push({ name: name(key), change: now ? 'replaced' : 'removed' });
      try {
        Object.defineProperty(o, key, descriptor);
      } catch {
        // Frozen or non-configurable now: the error names it; the process ends after this run anyway.
      }
    }
  }
  return changes;
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.enumerable === b.enumerable && a.writable === b.writable && a.configurable === b.configurable;
}
