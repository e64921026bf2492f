/**
 * The V8 heap limit of a kvfleet program, derived from its container's memory limit: the one home
 * of that rule for both programs. `--max-heap-size` bounds the whole heap, young generation
 * included. `--max-old-space-size` alone does not: V8 adds young-generation semi-spaces sized from
 * the memory it believes it has (on a 16 GiB host `--max-old-space-size=96` let the heap reach
 * 288 MiB), so the same flag would mean different budgets in the pod, in tests and in benches.
 * Half the limit for the heap leaves the other half for what no flag covers: Node's and the
 * bundle's code (~95 MiB of the labeller's ~114 MiB at rest), Buffers and sockets.
 */

/** Mebibytes in a Kubernetes memory quantity written `<n>Mi` or `<n>Gi` (the forms kvfleet uses). */
export function mebibytes(quantity: string): number | undefined {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** The V8 heap cap, in MiB, for a container limited to `limitMi`. */
export function v8HeapMebibytes(limitMi: number): number {
  return Math.floor(limitMi / 2);
}

/** `NODE_OPTIONS` for a container limited to `limitMi` (the images run `node main.mjs`, which reads it). */
export function nodeOptionsFor(limitMi: number): string {
  return `--max-heap-size=${v8HeapMebibytes(limitMi)}`;
}
