/**
 * Which watched objects are malformed right now, so each is logged and counted once per problem
 * rather than on every update (a VMI's status changes every few seconds; its missing field does
 * not). One entry per object, keyed by kind, namespace and name: the entry goes when the object
 * is deleted or parses again, so memory follows the objects that are broken now, never the
 * history of every version that ever was (the set of `kind/ns/name@resourceVersion` this
 * replaced grew with every update of a broken object and was never pruned).
 */

export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

const keyOf = (o: ObjectRef) => `${o.kind}/${o.namespace ?? ''}/${o.name ?? ''}`;

export class MalformedObjects {
  /** Object → the problem code last reported for it. */
  private readonly problems = new Map<string, string>();

  /**
   * Records that `o` failed to parse with `code`. True when this is news (first report for the
   * object, or a different problem than before): the caller logs and counts it then.
   */
  report(o: ObjectRef, code: string): boolean {
    const key = keyOf(o);
    if (this.problems.get(key) === code) return false;
    this.problems.set(key, code);
    return true;
  }

  /** The object parsed again, or was deleted: nothing to remember. True if it was remembered. */
  forget(o: ObjectRef): boolean {
    return this.problems.delete(keyOf(o));
  }

  /** Objects remembered as malformed now. */
  get size(): number {
    return this.problems.size;
  }
}
