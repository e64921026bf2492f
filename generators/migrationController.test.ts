import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import legacyApps from '../clusters/legacy-apps.js';
import prodEast from '../clusters/prod-east.js';
import { type ClusterDefinition, migrationSettings } from '../fleet/clusterDefinition.js';
import { settingsFromEnv } from '../programs/migration-controller/settings.js';
import { MigrationController, type MigrationControllerProps } from './migrationController.js';
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';

function synth(cluster: ClusterDefinition, props: Partial<MigrationControllerProps> = {}) {
  const chart = Testing.chart();
  const construct = new MigrationController(chart, 'migration-controller', { cluster, ...props });
  const objects = Testing.synth(chart);
  const find = (kind: string, name?: string) => {
    const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
    if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
    return o;
  };
  return { construct, objects, find, pod: find('Deployment').spec.template.spec };
}

test('the migration controller for prod-east', () => {
  expect(synth(prodEast).objects).toMatchSnapshot();
});

describe('RBAC', () => {
  test('the ClusterRole grants exactly the verbs the controller uses, and no wildcard', () => {
    const { find } = synth(prodEast);
    const rules = find('ClusterRole').rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const grants = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res}:${v}`)))).sort();
    expect(grants).toEqual(
      [
        // controllerWrites.ts: VMIM create and delete, Event create; informers: list and watch; get by name.
        ...['create', 'delete', 'get', 'list', 'watch'].map((v) => `kubevirt.io/virtualmachineinstancemigrations:${v}`),
        ...['get', 'list', 'watch'].map((v) => `kubevirt.io/virtualmachineinstances:${v}`),
        ...['get', 'list', 'watch'].flatMap((v) => [`core/nodes:${v}`, `core/pods:${v}`]),
        'core/events:create',
      ].sort(),
    );
    expect(JSON.stringify(rules)).not.toContain('*');
  });

  test('the Lease Role lives in the controller namespace and names the Lease for get and update', () => {
    const { find, construct } = synth(prodEast);
    const role = find('Role');
    expect(role.metadata.namespace).toBe('kvfleet-system');
    expect(role.rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [construct.leaseName], verbs: ['get', 'update'] });
    const binding = find('RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: construct.serviceAccountName, namespace: 'kvfleet-system' }]);
    expect(binding.roleRef.name).toBe(role.metadata.name);
  });

  test('cluster-scoped objects have no namespace', () => {
    const { objects } = synth(prodEast);
    for (const o of objects.filter((x) => x.kind.startsWith('Cluster'))) expect(o.metadata.namespace).toBeUndefined();
  });
});

describe('the Deployment', () => {
  test('runs two replicas that prefer different nodes', () => {
    const { find, pod } = synth(prodEast);
    expect(find('Deployment').spec.replicas).toBe(2);
    const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.labelSelector.matchLabels).toEqual(find('Deployment').spec.selector.matchLabels);
  });

  test('mounts the service-account token (it watches the API) and runs restricted', () => {
    const { pod } = synth(prodEast);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
  });

  test.each([[prodEast], [legacyApps], [edgeOvn]])("passes $name's migration settings, which the program reads back", (cluster) => {
    const { pod } = synth(cluster);
    const env = Object.fromEntries((pod.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? 'from the downward API']));
    const parsed = settingsFromEnv(env);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.settings.migration.fallbackAttempts).toBe(migrationSettings(cluster).fallbackAttempts);
    expect(parsed.settings.migration.fallbackUnschedulableTimeoutSeconds).toBe(migrationSettings(cluster).fallbackUnschedulableTimeoutSeconds);
    expect(parsed.settings.scheduling).toEqual(schedulingContractOf(cluster.kubevirtVersion));
    expect(parsed.settings.kubeOvn).toBe(cluster.kubeOvn !== 'none');
  });

  test('a changed setting changes the pod template, so the pods restart and read it', () => {
    const hash = (c: ClusterDefinition) => synth(c).find('Deployment').spec.template.metadata.annotations['kvfleet.io/config-hash'];
    expect(hash({ ...prodEast, migration: { ...prodEast.migration, fallbackAttempts: 5 } })).not.toBe(hash(prodEast));
    expect(hash(prodEast)).toBe(hash(prodEast));
  });

  test('the metrics Service selects the controller pods on the metrics port', () => {
    const { find } = synth(prodEast, { metricsPort: 9090 });
    const svc = find('Service');
    expect(svc.spec.selector).toEqual(find('Deployment').spec.selector.matchLabels);
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(find('Deployment').spec.template.spec.containers[0].ports[0].containerPort).toBe(9090);
  });

  test("the cluster's image wins over the default", () => {
    const { pod } = synth({ ...prodEast, images: { migrationController: 'registry.example.com/kvfleet/mc:1.2.3' } });
    expect(pod.containers[0].image).toBe('registry.example.com/kvfleet/mc:1.2.3');
  });

  test.each([
    ['512Mi', 256],
    ['1Gi', 512],
  ])('a %s memory limit caps the whole V8 heap at %i MiB', (memoryLimit, heapMi) => {
    const { pod } = synth(prodEast, { memoryLimit });
    const [container] = pod.containers;
    expect(container.resources.limits.memory).toBe(memoryLimit);
    expect(container.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS').value).toBe(`--max-heap-size=${heapMi}`);
  });
});

describe('bad props are refused with the field and the fix', () => {
  test.each([
    [{ replicas: 0 }, /'replicas' \(0\) must be a positive integer/],
    [{ metricsPort: 80 }, /'metricsPort' \(80\) must be an integer from 1024 to 65535/],
    [{ memoryLimit: '128Mi' }, /'memoryLimit' \(128Mi\) must be at least 256Mi/],
  ])('%o', (props, message) => {
    expect(() => synth(prodEast, props)).toThrow(message);
  });
});
