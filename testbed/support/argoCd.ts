/**
 * What Argo CD v3.5.1 does with kvfleet's Argo CD objects, ported for tests from its source so a
 * test can ask Argo CD's questions without running it:
 * - renderApplications: the Applications a list-generator ApplicationSet creates (goTemplate with
 *   `missingkey=error`, for templates that use only `{{.param}}`; applicationset/utils/utils.go);
 * - rolloutStepsOf: the RollingSync steps that select an Application (buildAppDependencyList and
 *   labelMatchedExpression, applicationset/progressivesync/progressive_sync.go);
 * - isResourcePermitted: whether a project lets an Application sync an object
 *   (IsResourcePermitted, isDestinationMatched, IsGroupKindNamePermitted,
 *   pkg/apis/application/v1alpha1/app_project_types.go and types.go). kvfleet's projects use no
 *   glob patterns (a test checks), so names match exactly here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: Argo CD objects read back from YAML as plain JSON
export type Obj = Record<string, any>;

/** Every object of every `.yaml` file directly in `dir` (not in subfolders, as Argo CD's non-recursive directory source reads it). */
export function yamlObjects(dir: string): Obj[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj))
    .filter((o) => o !== null);
}

function render(value: unknown, params: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key: string) => {
      if (!(key in params)) throw new Error(`map has no entry for key "${key}" (missingkey=error)`);
      return String(params[key]);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, params));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, params)]));
  return value;
}

/** The Applications an ApplicationSet with list generators creates, in element order. */
export function renderApplications(appSet: Obj): Obj[] {
  if (appSet.spec.goTemplate !== true) throw new Error('only goTemplate ApplicationSets are rendered here');
  return (appSet.spec.generators as Obj[]).flatMap((g) => {
    if (!g.list) throw new Error(`generator ${Object.keys(g).join(', ')} is not rendered here`);
    return (g.list.elements as Obj[]).map((element) => {
      const app = render(appSet.spec.template, element) as Obj;
      return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app, metadata: { ...app.metadata, namespace: appSet.metadata.namespace } };
    });
  });
}

/** Indexes (0-based) of the RollingSync steps whose matchExpressions select the Application's labels. */
export function rolloutStepsOf(appSet: Obj, app: Obj): number[] {
  const labels: Record<string, string> = app.metadata.labels ?? {};
  const steps: Obj[] = appSet.spec.strategy?.rollingSync?.steps ?? [];
  return steps.flatMap((step, i) => {
    const selected = ((step.matchExpressions ?? []) as Obj[]).every((e) => {
      if (!(e.key in labels)) return e.operator !== 'In';
      if (e.operator !== 'In' && e.operator !== 'NotIn') return false; // logged and skipped by Argo CD
      return (e.values as string[]).includes(labels[e.key]!) ? e.operator === 'In' : e.operator === 'NotIn';
    });
    return selected ? [i] : [];
  });
}

export interface Destination {
  readonly server?: string;
  readonly name?: string;
}

/** `isDestinationMatched` for a cluster Argo CD knows by `destination` (server or name, as the Application names it). */
function destinationPermitted(project: Obj, destination: Destination, namespace: string): boolean {
  return ((project.spec.destinations ?? []) as Obj[]).some((item) => {
    const nameMatched = !!destination.name && item.name === destination.name;
    const serverMatched = !!destination.server && item.server === destination.server;
    return (nameMatched || serverMatched) && item.namespace === namespace;
  });
}

/**
 * Whether `project` lets an Application with `destination` sync `object`; `namespaced` is the kind's
 * scope (from discovery on a real API server, or from the object's namespace). A namespaced object
 * without a namespace lands in the Application's destination namespace.
 */
export function isResourcePermitted(project: Obj, destination: Destination, applicationNamespace: string, object: Obj, namespaced: boolean): boolean {
  const group = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0] : '';
  const kind = object.kind as string;
  if (namespaced) {
    const whitelist = project.spec.namespaceResourceWhitelist as Obj[] | undefined;
    const listed = whitelist === undefined || whitelist.some((i) => i.group === group && i.kind === kind);
    if (!listed) return false;
    return destinationPermitted(project, destination, object.metadata?.namespace || applicationNamespace);
  }
  const whitelist = (project.spec.clusterResourceWhitelist ?? []) as Obj[];
  return whitelist.some((i) => i.group === group && i.kind === kind && (i.name === undefined || i.name === '' || i.name === object.metadata?.name));
}

/** Whether an Application's own destination is permitted (the controller checks it before any object). */
export function isApplicationDestinationPermitted(project: Obj, app: Obj): boolean {
  const d = app.spec.destination as Obj;
  return destinationPermitted(project, { server: d.server || undefined, name: d.name || undefined }, d.namespace ?? '');
}

/** Strings that Argo CD would read as glob patterns (filepath.Match) in a project's lists. */
export function usesGlob(value: unknown): boolean {
  return typeof value === 'string' && /[*?[\]\\]/.test(value);
}
