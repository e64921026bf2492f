/**
 * The rules of a cluster definition that involve more than one field: each is stated once, here,
 * and attached to the smallest object that holds all its fields (clusterSchema.ts). A rule runs
 * only once the fields it reads are valid on their own (`onceValid`), so it never sees a value of
 * the wrong type and never repeats a problem a field already reported.
 */
import type * as z from 'zod';
import { isKvfleetNodeLabel, isValidLabelValue } from '../compatibility/labelKeys.js';
import { type ArgoCdFields, type MigrationFields, type NodePoolFields } from './clusterSchema.js';
import { DEFAULT_MIGRATION_SETTINGS } from './clusterSchemaDefaults.js';
import { report } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { formatValue } from './definitionValue.js';

type Ctx = z.core.$RefinementCtx;
type MigrationKey = keyof typeof DEFAULT_MIGRATION_SETTINGS;

/**
 * Refinement options: run when the value is an object or list and none of `fields` (paths relative
 * to it, `*` for any list index) has an issue. zod alone would skip the rule on any issue anywhere
 * inside the object, hiding a contradiction until every unrelated typo is fixed.
 */
export function onceValid(...fields: string[]): z.core.$ZodSuperRefineParams {
  const patterns = fields.map((f) => f.split('.'));
  const hits = (path: readonly PropertyKey[], pattern: readonly string[]) =>
    pattern.every((seg, i) => i < path.length && (seg === '*' ? typeof path[i] === 'number' : String(path[i]) === seg));
  // A wrong type of the value itself (a pool list given as an object) is an issue at its root.
  const wrongType = (issue: { path?: readonly PropertyKey[]; code?: string }) => (issue.path ?? []).length === 0 && issue.code === 'invalid_type';
  return {
    when: (payload) =>
      (isRecord(payload.value) || Array.isArray(payload.value)) && !payload.issues.some((issue) => wrongType(issue) || patterns.some((p) => hits(issue.path ?? [], p))),
  };
}

/**
 * Two equality selectors can match one node unless some key demands different values. Own keys
 * only: `k in b` would find `toString` on every object and call two pools disjoint that are not.
 */
export function selectorsOverlap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.entries(a).every(([k, v]) => !Object.hasOwn(b, k) || b[k] === v);
}

/**
 * A pool's nodeSelector beyond what every label map is checked for (clusterSchemaLabels.ts): not
 * empty, no key kvfleet writes, and Linux nodes only.
 */
export function nodeSelectorRules(selector: Readonly<Record<string, unknown>>, ctx: Ctx): void {
  const entries = Object.entries(selector);
  if (entries.length === 0) {
    report(ctx, { problem: 'the pool has no nodeSelector ({})', fix: 'add the labels that identify its nodes, e.g. { "node.example.com/os": "rhel-9.6" }' });
  }
  for (const [key, value] of entries) {
    if (isKvfleetNodeLabel(key)) {
      report(
        ctx,
        {
          problem: `${formatValue(key)} is a label kvfleet's node labeller writes`,
          fix: 'select the pool by labels your provisioning sets: the labeller runs only on nodes the selector already matches, so it would never start',
        },
        [key],
      );
    }
    if (key === 'kubernetes.io/os' && value !== 'linux' && typeof value === 'string' && isValidLabelValue(value)) {
      report(
        ctx,
        { problem: `${formatValue(value)} is not "linux"`, fix: 'KubeVirt runs on Linux nodes, and the labeller adds kubernetes.io/os: linux itself; remove this entry' },
        [key],
      );
    }
  }
}

/** Across pools: names are unique, and no node can match two pools' selectors. */
export function nodePoolsRules(pools: readonly NodePoolFields[], ctx: Ctx): void {
  const firstByName = new Map<string, number>();
  pools.forEach((pool, i) => {
    if (!isRecord(pool)) return; // reported as a type problem of nodePools[i]
    const first = firstByName.get(pool.name);
    if (first === undefined) firstByName.set(pool.name, i);
    else
      report(ctx, { problem: `pool name ${formatValue(pool.name)} is already used by nodePools[${first}]`, fix: 'give every pool of a cluster its own name' }, [
        i,
        'name',
      ]);
  });
  for (let j = 1; j < pools.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = pools[i]!;
      const b = pools[j]!;
      if (!isRecord(a) || !isRecord(b) || Object.keys(a.nodeSelector).length === 0 || Object.keys(b.nodeSelector).length === 0) continue;
      if (!selectorsOverlap(a.nodeSelector, b.nodeSelector)) continue;
      report(
        ctx,
        {
          problem: `pool "${b.name}" selects ${formatValue(b.nodeSelector)}, which can match the same nodes as pool "${a.name}" (${formatValue(a.nodeSelector)})`,
          fix: 'give the pools a label key in common with different values, so every node belongs to one pool',
        },
        [j, 'nodeSelector'],
      );
      break; // one overlap per pool is enough to act on
    }
  }
}

/** Exactly one way of naming the destination cluster. */
export function argoCdRules(argocd: ArgoCdFields, ctx: Ctx): void {
  if ((argocd.server === undefined) === (argocd.name === undefined)) {
    report(ctx, {
      problem: `${formatValue(argocd)} sets ${argocd.server === undefined ? 'neither server nor name' : 'both server and name'}; exactly one of argocd.server and argocd.name must be set`,
      fix: 'name the destination cluster either by its API server URL (server) or by its Argo CD cluster name (name)',
    });
  }
}

/** Settings the controller reads together must not contradict each other (defaults fill the gaps). */
export function migrationRules(given: MigrationFields, ctx: Ctx): void {
  const m: Record<MigrationKey, number> = { ...DEFAULT_MIGRATION_SETTINGS, ...given };
  const shown = (key: MigrationKey) => `${key} (${m[key]}${given[key] === undefined ? ', the default' : ''})`;
  const pathOf = (...keys: MigrationKey[]) => [keys.find((k) => given[k] !== undefined) ?? keys[0]!];

  if (m.fallbackUnschedulableTimeoutSeconds > m.unschedulableTimeoutSeconds) {
    report(
      ctx,
      {
        problem: `${shown('fallbackUnschedulableTimeoutSeconds')} is longer than ${shown('unschedulableTimeoutSeconds')}`,
        fix: `a fallback's target is chosen to fit, so it waits less than a first attempt: lower fallbackUnschedulableTimeoutSeconds to at most ${m.unschedulableTimeoutSeconds}, or raise unschedulableTimeoutSeconds`,
      },
      pathOf('fallbackUnschedulableTimeoutSeconds', 'unschedulableTimeoutSeconds'),
    );
  }

  // attemptHistory.ts counts a VMI's fallbacks within the window, following the chain from the
  // failed fallback; if the failed one has left the window when the next is due, the count restarts.
  if (m.fallbackAttempts >= 2) {
    // backoffBeforeAttemptMs: base, doubled per attempt, capped at the window.
    const longestWait = Math.min(m.backoffBaseSeconds * 2 ** (m.fallbackAttempts - 2), m.attemptWindowSeconds);
    const span = longestWait + m.fallbackUnschedulableTimeoutSeconds;
    if (span >= m.attemptWindowSeconds) {
      report(
        ctx,
        {
          problem:
            `with ${shown('fallbackAttempts')} and ${shown('backoffBaseSeconds')}, the wait before the last fallback (${longestWait} s) plus ` +
            `${shown('fallbackUnschedulableTimeoutSeconds')} is ${span} s, not less than ${shown('attemptWindowSeconds')}`,
          fix: `earlier fallbacks would leave the window before the next is counted, so the limit never holds: raise attemptWindowSeconds above ${span}, or lower backoffBaseSeconds or fallbackAttempts`,
        },
        pathOf('attemptWindowSeconds', 'backoffBaseSeconds', 'fallbackAttempts'),
      );
    }
  }
}
