/**
 * Settings a platform engineer knows by name, read from the synthesised objects that carry them:
 * the migration controller's Deployment (env, args, image), KubeVirt's migration configuration (KubeVirt
 * CR, HyperConverged patch, MigrationPolicies) and Kube-OVN's (Subnets, chart values, its policies). Pure.
 */
import { type DistObject } from './distTree.js';
import { isRecord } from '../../compatibility/guards.js';
import { compactValue, type FieldChange, fieldChanges } from './fieldChanges.js';
import { type SettingArea, type SettingChange } from './fleetDiffModel.js';

const CONTROLLER = 'kvfleet-migration-controller';
const HCO_VALUES = 'values/hco-migrations.yaml';
const KUBE_OVN_VALUES = 'values/kube-ovn.yaml';
/** Enforcement is reported on its own (admissionChanges.ts); here only what the rules do. */
const ENFORCEMENT = new Set(['validationActions', 'failurePolicy', 'validationFailureAction']);

interface Carrier {
  readonly area: SettingArea;
  readonly subject: string;
  /** The part of the object that holds settings; undefined when the object is absent. */
  readonly settings: (o: DistObject) => unknown;
  /** The setting's name from a field path inside `settings`. */
  readonly name?: (path: string) => string;
}

const spec = (o: DistObject): unknown => (isRecord(o.body) ? o.body.spec : undefined);

/** `KVFLEET_FALLBACK_ATTEMPTS` → `fallback attempts`; the env name follows, for grep. */
function envSetting(path: string): string {
  const env = /^env\[(\w+)\](?:\.value)?(.*)$/.exec(path);
  if (!env) return path;
  const words = env[1]!
    .replace(/^KVFLEET_/, '')
    .toLowerCase()
    .replaceAll('_', ' ');
  return `${words} (${env[1]}${env[2] ?? ''})`;
}

/** The controller's containers by name, and the fields of the pod spec that change how it runs. */
function controllerSettings(o: DistObject): unknown {
  const s = spec(o) as { replicas?: unknown; template?: { spec?: { containers?: { name?: string }[] } } } | undefined;
  const containers = s?.template?.spec?.containers ?? [];
  const out: Record<string, unknown> = { replicas: s?.replicas };
  for (const c of containers) {
    const { env, args, command, image } = c as Record<string, unknown>;
    const byName = Object.fromEntries(((env as { name: string; value?: unknown; valueFrom?: unknown }[] | undefined) ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    out[c.name ?? 'container'] = { env: byName, args, command, image };
  }
  return out;
}

function controllerSettingName(path: string): string {
  if (path === 'replicas') return 'replicas';
  const [container, ...rest] = path.split('.');
  const inner = rest.join('.');
  // One container today; its name adds nothing to the line.
  const env = /^env(?:\.(\w+)|\[(\S+)\])$/.exec(inner);
  return env ? envSetting(`env[${env[1] ?? env[2]}]`) : `${container} ${inner}`;
}

/**
 * kvfleet's fallback VMIMs get their timeout from a MutatingPolicy that writes this annotation
 * (generators/kyvernoPolicies.ts); the value sits inside a CEL JSON patch, so it is read out here.
 */
const UNSCHEDULABLE_TIMEOUT = /migrationUnschedulablePodTimeoutSeconds", value: "(\d+)"/;

function unschedulableTimeout(o: DistObject): unknown {
  const m = UNSCHEDULABLE_TIMEOUT.exec(JSON.stringify(o.body).replaceAll('\\"', '"'));
  return m ? { timeoutSeconds: m[1] } : undefined;
}

function carrierOf(o: DistObject): Carrier | undefined {
  if (o.kind === 'Deployment' && o.name === CONTROLLER) {
    return { area: 'controller', subject: 'migration controller', settings: controllerSettings, name: controllerSettingName };
  }
  if (o.kind === 'ConfigMap' && o.name.startsWith(CONTROLLER)) {
    return { area: 'controller', subject: `migration controller ConfigMap ${o.name}`, settings: (x) => (isRecord(x.body) ? x.body.data : undefined) };
  }
  if (o.kind === 'MutatingPolicy' && UNSCHEDULABLE_TIMEOUT.test(JSON.stringify(o.body).replaceAll('\\"', '"'))) {
    return { area: 'controller', subject: 'migration controller', settings: unschedulableTimeout, name: () => 'unschedulable target-pod timeout put on VMIMs (s)' };
  }
  if (o.kind === 'KubeVirt') return { area: 'kubevirt', subject: `KubeVirt CR ${o.name}`, settings: spec };
  if (o.kind === 'MigrationPolicy') return { area: 'kubevirt', subject: `MigrationPolicy ${o.name}`, settings: spec };
  if (o.key === HCO_VALUES) return { area: 'kubevirt', subject: `HyperConverged patch (${HCO_VALUES})`, settings: (x) => x.body };
  if (o.apiVersion.startsWith('kubeovn.io/')) return { area: 'kube-ovn', subject: `${o.kind} ${o.name}`, settings: spec };
  if (o.key === KUBE_OVN_VALUES) return { area: 'kube-ovn', subject: `chart values (${KUBE_OVN_VALUES})`, settings: (x) => x.body };
  if (/kyverno\.io\//.test(o.apiVersion) && o.name.includes('kube-ovn')) {
    return {
      area: 'kube-ovn',
      subject: `${o.kind} ${o.name}`,
      settings: (x) => {
        const s = spec(x);
        return isRecord(s) ? Object.fromEntries(Object.entries(s).filter(([k]) => !ENFORCEMENT.has(k))) : s;
      },
    };
  }
  return undefined;
}

const text = (v: unknown): string | undefined => (v === undefined ? undefined : compactValue(v, 120));

function settingLines(carrier: Carrier, changes: readonly FieldChange[]): SettingChange[] {
  return changes.map((c) => {
    const before = text(c.members ? (c.before ?? []) : c.before);
    const after = text(c.members ? (c.after ?? []) : c.after);
    const setting = (carrier.name ?? ((p: string) => p))(c.path) + (c.members ? ' (members removed → added)' : '');
    return { area: carrier.area, subject: carrier.subject, setting, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
  });
}

/** Setting changes of one cluster, by area, subject and setting. */
export function settingChanges(before: readonly DistObject[], after: readonly DistObject[]): SettingChange[] {
  const b = new Map(before.map((o) => [o.key, o]));
  const a = new Map(after.map((o) => [o.key, o]));
  const out: SettingChange[] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const ob = b.get(key);
    const oa = a.get(key);
    const carrier = carrierOf((oa ?? ob)!);
    if (!carrier) continue;
    // Leaves: a new MigrationPolicy lists each of its settings, not one map.
    const sb = ob ? carrier.settings(ob) : undefined;
    const sa = oa ? carrier.settings(oa) : undefined;
    out.push(...settingLines(carrier, fieldChanges(sb, sa, { leaves: true })));
  }
  const order: Record<SettingArea, number> = { controller: 0, kubevirt: 1, 'kube-ovn': 2 };
  return out.sort((x, y) => order[x.area] - order[y.area] || (x.subject < y.subject ? -1 : x.subject > y.subject ? 1 : 0) || (x.setting < y.setting ? -1 : 1));
}
