/**
 * The fleet configuration (`kvfleet.config.ts` beside `clusters/`): what is true of the whole fleet
 * rather than of one cluster — the Git repository Argo CD reads `dist/` from, the Argo CD namespace,
 * the default AppProject, and the rollout stages in order. Validated like a cluster definition
 * (fleet/loadFleetConfig.ts): strict objects, one message per problem with the fix.
 */
import * as z from 'zod';
import { isDnsLabel, isDnsSubdomain } from '../compatibility/labelKeys.js';
import { checkedString, clusterName, dnsLabelWhy, fieldInfo, type Finding, report } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { formatValue } from './definitionValue.js';

/** What an absent `argocd` block of the fleet configuration means. */
export const DEFAULT_ARGOCD_NAMESPACE = 'argocd';
export const DEFAULT_ARGOCD_PROJECT = 'kvfleet';

/**
 * Argo CD's built-in project: open to every repository, destination and kind, and shared by every
 * team's Applications. kvfleet writes the AppProjects its clusters name, restricted to what it
 * deploys; written over `default`, that would break every other Application in it.
 */
export const ARGOCD_BUILTIN_PROJECT = 'default';

/** A rollout stage's name; it is the value of the `kvfleet.io/stage` label on the Applications. */
export const stageName = checkedString(
  { expected: 'a stage name', fix: 'use lower-case letters, digits and "-", e.g. "canary" or "production"; it becomes a label value' },
  dnsLabelWhy,
);

/** An AppProject name kvfleet may write: a DNS subdomain, never Argo CD's shared `default`. */
export const argoCdProjectName = checkedString(
  { expected: 'an Argo CD project name', fix: 'name an AppProject of kvfleet\'s own (a DNS subdomain), e.g. "kvfleet"' },
  (v): string | Finding | undefined => {
    if (v === ARGOCD_BUILTIN_PROJECT) {
      return {
        problem: `${formatValue(v)} is Argo CD's built-in project, shared by every Application of the instance`,
        fix: `kvfleet writes the AppProject it names, restricted to exactly what kvfleet deploys, which would lock every other Application out of "default"; name a project of kvfleet's own, e.g. "${DEFAULT_ARGOCD_PROJECT}"`,
      };
    }
    return isDnsSubdomain(v) ? undefined : 'AppProject names are DNS subdomains (lower-case letters, digits, "-" and ".")';
  },
);

/** Why `v` is not a Git URL Argo CD can read with a repository credential, or `undefined`. */
function gitRepoUrlProblem(v: string): string | undefined {
  if (/\s/.test(v)) return 'it contains whitespace';
  // scp-like SSH (`git@github.com:org/repo.git`), as `git clone` and Argo CD take it.
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$/.test(v)) return undefined;
  if (!URL.canParse(v)) return 'it is neither a URL nor user@host:path';
  const url = new URL(v);
  if (url.protocol !== 'https:' && url.protocol !== 'ssh:') return `its scheme is ${url.protocol.slice(0, -1)}, not https or ssh`;
  if (url.password || (url.protocol === 'https:' && url.username)) return 'it carries credentials; Argo CD keeps those in its repository Secret';
  if (url.search || url.hash) return 'it has a query or fragment';
  if (url.pathname === '/' || url.pathname === '') return 'it names no repository (no path)';
  return undefined;
}

export const gitRepoURL = checkedString(
  {
    expected: "this repository's Git URL",
    fix: 'write the URL Argo CD clones this repository by, e.g. https://git.example.com/platform/kvfleet-fleet.git or git@git.example.com:platform/kvfleet-fleet.git',
  },
  gitRepoUrlProblem,
);

export const gitRevision = checkedString({ expected: 'a Git revision', fix: 'write the branch, tag or commit Argo CD follows, e.g. "main"' }, (v) =>
  v === '' ? 'it is empty' : /\s/.test(v) ? 'it contains whitespace' : v.startsWith('-') ? 'it starts with "-"' : v.includes('..') ? 'it contains ".."' : undefined,
);

const argoCdNamespace = checkedString(
  { expected: 'a namespace name', fix: `write the namespace Argo CD runs in (a DNS label), or leave it out for "${DEFAULT_ARGOCD_NAMESPACE}"` },
  (v) => (isDnsLabel(v) ? undefined : dnsLabelWhy(v)),
);

const MAX_UPDATE_INFO = {
  expected: 'a number of clusters or a percentage',
  fix: 'write a whole number of clusters (at least 1), e.g. 2, or a percentage from "1%" to "100%", e.g. "25%"; leave it out for all at once',
};

/**
 * How many clusters of a stage sync at once: a count or a percentage (rounded down, at least one).
 * Argo CD also takes 0 ("never"), which would silently take the stage out of the rollout (and hides
 * drift there, argo-cd#14687): refused here.
 */
const maxUpdate = z
  .union([z.number(), z.string()])
  .superRefine((v, ctx) => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 1) {
        report(ctx, {
          problem: `${formatValue(v)} is not a whole number of clusters of at least 1${v === 0 ? ' (0 would never sync the stage: Argo CD leaves it to a manual sync)' : ''}`,
          fix: MAX_UPDATE_INFO.fix,
        });
      }
      return;
    }
    const m = /^(\d{1,3})%$/.exec(v);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 100 || m[1]!.startsWith('0')) {
      report(ctx, { problem: `${formatValue(v)} is not a percentage from "1%" to "100%"`, fix: MAX_UPDATE_INFO.fix });
    }
  })
  .register(fieldInfo, MAX_UPDATE_INFO);

export const rolloutStageSchema = z
  .strictObject({
    /** The stage's name; clusters name it in `argocd.stage`. */
    name: stageName,
    /** How many of the stage's clusters sync at once. @default all of them */
    maxUpdate: maxUpdate.optional(),
  })
  .readonly()
  .register(fieldInfo, { expected: 'a rollout stage', fix: "write { name: 'canary' } or { name: 'production', maxUpdate: '25%' }" });

function stagesRules(stages: readonly { readonly name: string }[], ctx: z.core.$RefinementCtx): void {
  if (stages.length === 0) {
    report(ctx, { problem: 'there are no stages ([])', fix: "list the stages in rollout order, e.g. [{ name: 'canary' }, { name: 'production' }]" });
  }
  const seen = new Map<string, number>();
  stages.forEach((stage, i) => {
    const first = seen.get(stage.name);
    if (first !== undefined) {
      report(ctx, { problem: `stage "${stage.name}" is already stages[${first}]`, fix: 'give every stage its own name; the order of the list is the rollout order' }, [
        i,
        'name',
      ]);
    } else {
      seen.set(stage.name, i);
    }
  });
}

export const fleetConfigSchema = z
  .strictObject({
    /** The Git repository Argo CD reads `dist/` (and the charts' values files) from: this repository. */
    repoURL: gitRepoURL,
    /** The branch, tag or commit of that repository Argo CD follows, e.g. `main`. */
    targetRevision: gitRevision,
    argocd: z
      .strictObject({
        /** Where Argo CD runs: the AppProjects and ApplicationSets go there. @default 'argocd' */
        namespace: argoCdNamespace.optional(),
        /** The AppProject of clusters whose definition names none. @default 'kvfleet' */
        project: argoCdProjectName.optional(),
      })
      .readonly()
      .optional()
      .register(fieldInfo, { expected: 'Argo CD settings', fix: "write argocd: { namespace: 'argocd', project: 'kvfleet' }, or leave it out for these defaults" }),
    /**
     * Rollout stages, first to last. A change reaches a stage's clusters only once every cluster of
     * the stages before it is Healthy (ApplicationSet RollingSync). A cluster's stage is
     * `argocd.stage` in its definition, by default the last stage.
     */
    stages: z
      .array(rolloutStageSchema)
      .superRefine(stagesRules, { when: (p) => Array.isArray(p.value) && p.value.every((s) => isRecord(s) && typeof s.name === 'string') })
      .readonly()
      .register(fieldInfo, { expected: 'a list of rollout stages', fix: "list the stages in rollout order, e.g. [{ name: 'canary' }, { name: 'production' }]" }),
    /** Fleet-wide observability (issue 13). */
    monitoring: z
      .strictObject({
        /**
         * The cluster whose `dist/` folder also carries the fleet dashboard (ConfigMap
         * `kvfleet-fleet-dashboard`, every cluster split by the `cluster` label): the one whose Grafana
         * reads the whole fleet's metrics (Thanos, Mimir, a federating Prometheus).
         * @default no fleet dashboard
         */
        fleetDashboardCluster: clusterName.optional(),
      })
      .readonly()
      .optional()
      .register(fieldInfo, { expected: 'monitoring settings', fix: "write monitoring: { fleetDashboardCluster: '<cluster name>' }, or leave it out" }),
  })
  .readonly()
  .register(fieldInfo, { expected: 'a fleet configuration', fix: 'end kvfleet.config.ts with `export default defineFleet({ repoURL, targetRevision, stages })`' });

/** A validated fleet configuration. */
export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
export type RolloutStage = z.output<typeof rolloutStageSchema>;

/** Typed identity, as `defineCluster`: the loader validates (fleet/loadFleetConfig.ts). */
export function defineFleet(config: FleetConfigInput): FleetConfig {
  return config;
}

/** Every Argo CD setting of the fleet, defaults applied. */
export function fleetArgoCd(config: FleetConfig): { readonly namespace: string; readonly project: string } {
  return { namespace: config.argocd?.namespace ?? DEFAULT_ARGOCD_NAMESPACE, project: config.argocd?.project ?? DEFAULT_ARGOCD_PROJECT };
}
