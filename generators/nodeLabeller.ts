import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../fleet/clusterDefinition.js';
import { type ResolvedPool, resolveCluster } from '../compatibility/poolMachineTypes.js';
import { MATRIX_CONFIGMAP_KEY, MATRIX_CONFIGMAP_NAME, MATRIX_MOUNT_DIR, MATRIX_MOUNT_PATH } from '../compatibility/matrixDocument.js';
import { CAPABILITIES_DIR, CAPABILITIES_FILE, DEFAULT_SETTINGS, ENV } from '../programs/node-labeller/settings.js';
import { NODE_LABELLER_NAME, nodeLabellerInstanceName } from '../fleet/definitionDerivedNames.js';
import { KUBEVIRT_DRAIN_TAINT, KVM_RESOURCE } from '../compatibility/kubevirtNames.js';
import { mebibytes, nodeOptionsFor } from './v8Heap.js';
import { defaultImage } from './imageDigests.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restrictedContainer.js';

const { k8s } = kplus;

export { NODE_LABELLER_NAME };
/** The image `npm run images` built, pinned by digest: `ghcr.io/kvfleet/node-labeller:<version>@sha256:…` (imageDigests.ts). */
export const DEFAULT_NODE_LABELLER_IMAGE = defaultImage('node-labeller');
/** The `qemu` user of the virt-launcher image; KubeVirt runs virt-launcher as it since v0.59 (non-root). */
export const VIRT_LAUNCHER_UID = 107;
/** The `nonroot` user of the labeller's image (scripts/images/imageSpec.ts NONROOT_UID), as in distroless images. */
export const LABELLER_UID = 65532;
/**
 * Memory of the labeller container. Its V8 heap gets half (v8Heap.ts); the program rests at ~114 MiB
 * RSS and the largest capabilities document the parser accepts (capabilitiesXml.ts
 * MAX_CAPABILITIES_BYTES) peaks below ~170 MiB, proven under this limit's heap flag by
 * programs/node-labeller/capabilitiesMemory.test.ts. Raise the cap only with this.
 */
export const NODE_LABELLER_MEMORY = { request: '128Mi', limit: '192Mi' } as const;

/**
 * Taints the labeller tolerates by default, chosen to match where virt-handler (and so VMs) can run,
 * because a labeller pod on a node without virt-handler waits forever for `devices.kubevirt.io/kvm`
 * and stalls every DaemonSet rollout. Not "tolerate everything": a node tainted for reasons VMs do
 * not tolerate needs no labels, and NoExecute taints (out-of-service, not-ready) must evict us.
 */
export const DEFAULT_NODE_LABELLER_TOLERATIONS: readonly kplus.k8s.Toleration[] = [
  // virt-handler's own toleration (KubeVirt daemonsets.go); managed clusters taint add-on pools with it.
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  // Compact clusters run VMs on control-plane nodes; the pool's nodeSelector decides, not the taint.
  { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
  // KubeVirt's legacy drain taint (nodeDrainTaintKey default): a node being evacuated keeps its labeller.
  { key: KUBEVIRT_DRAIN_TAINT, operator: 'Exists', effect: 'NoSchedule' },
];

export interface NodeLabellerProps {
  /** The validated cluster definition: its pools, launcher and images. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the DaemonSets and the ServiceAccount.
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
  /**
   * The labeller program's image.
   * @default the cluster's `images.nodeLabeller`, else DEFAULT_NODE_LABELLER_IMAGE ('ghcr.io/kvfleet/node-labeller:<version>@sha256:…')
   */
  readonly image?: string;
  /**
   * The ConfigMap holding the cluster's resolved matrix (key `matrix.yaml`).
   * @default 'kvfleet-machine-types'
   */
  readonly matrixConfigMap?: string;
  /**
   * Seconds between re-checks of a node after a successful reconcile (file changes act at once).
   * @default 300
   */
  readonly resyncSeconds?: number;
  /**
   * Port of /metrics, /healthz and /readyz.
   * @default 8080
   */
  readonly metricsPort?: number;
  /**
   * Tolerations added to `DEFAULT_NODE_LABELLER_TOLERATIONS`: give the labeller the tolerations
   * virt-handler has (KubeVirt CR `spec.workloads.nodePlacement.tolerations`).
   * @default []
   */
  readonly extraTolerations?: readonly kplus.k8s.Toleration[];
}

const q = (v: string) => k8s.Quantity.fromString(v);

/** The shell step in the virt-launcher image; the same two commands KubeVirt's node-labeller.sh runs. */
function capabilitiesScript(out: string): string {
  return [
    'set -eu',
    'umask 022',
    `out=${out}`,
    'mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME"',
    'virtqemud -d',
    '# virtqemud -d returns before its socket exists; virsh fails until then.',
    'n=0',
    'until virsh capabilities > "$out.tmp"; do',
    '  n=$((n + 1))',
    '  if [ "$n" -ge 30 ]; then echo "virsh capabilities failed $n times" >&2; exit 1; fi',
    '  sleep 1',
    'done',
    '# Renamed into place: the labeller never sees a half-written file.',
    'mv "$out.tmp" "$out"',
    '',
  ].join('\n');
}

/**
 * Labels every virtualization node with the QEMU machine types it offers (kvfleet's own label
 * prefix, on every KubeVirt version) and reports drift from its launcher's catalogue entry. An init
 * container runs `virsh capabilities` from the cluster's current virt-launcher image (the one
 * virt-controller renders launcher pods with, `resolveCluster(cluster).steps[0]`), as virt-handler's
 * own node labeller does; the labeller program reads the result. One DaemonSet per pool, each on the
 * pool's own nodeSelector, so a node's pool (and architecture) is fixed by where its pod runs.
 */
export class NodeLabeller extends Construct {
  readonly namespace: string;
  readonly image: string;
  readonly matrixConfigMap: string;
  readonly resyncSeconds: number;
  readonly metricsPort: number;
  readonly tolerations: readonly kplus.k8s.Toleration[];
  readonly serviceAccountName = NODE_LABELLER_NAME;
  /** The cluster's current virt-launcher image, whose QEMU every labeller asks. */
  readonly launcherImage: string;
  readonly daemonSets: readonly kplus.k8s.KubeDaemonSet[];

  constructor(scope: Construct, id: string, props: NodeLabellerProps) {
    super(scope, id);
    const { cluster } = props;
    this.namespace = props.namespace ?? cluster.namespace ?? DEFAULT_NAMESPACE;
    this.image = props.image ?? cluster.images?.nodeLabeller ?? DEFAULT_NODE_LABELLER_IMAGE;
    this.matrixConfigMap = props.matrixConfigMap ?? MATRIX_CONFIGMAP_NAME;
    this.resyncSeconds = props.resyncSeconds ?? DEFAULT_SETTINGS.resyncSeconds;
    this.metricsPort = props.metricsPort ?? DEFAULT_SETTINGS.metricsPort;
    this.tolerations = [...DEFAULT_NODE_LABELLER_TOLERATIONS, ...(props.extraTolerations ?? [])];

    if (!Number.isInteger(this.resyncSeconds) || this.resyncSeconds < 10 || this.resyncSeconds > 86_400) {
      throw new Error(`'resyncSeconds' (${this.resyncSeconds}) must be an integer from 10 to 86400; the labeller refuses anything else at start-up`);
    }
    if (!Number.isInteger(this.metricsPort) || this.metricsPort < 1024 || this.metricsPort > 65_535) {
      throw new Error(`'metricsPort' (${this.metricsPort}) must be an integer from 1024 to 65535: the labeller runs without privilege and cannot bind lower ports`);
    }
    const { steps, pools } = resolveCluster(cluster);
    this.launcherImage = steps[0]!.launcher.image;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: NODE_LABELLER_NAME, namespace: this.namespace },
      automountServiceAccountToken: false, // mounted only into the pods that need it (below)
    });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: NODE_LABELLER_NAME },
      rules: [
        // get: read the node's labels; patch: one merge patch of kvfleet's own keys. Nodes are
        // cluster-scoped, so RBAC cannot narrow this to the pod's own node.
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
        // Drift Events regarding a Node must live in `default` (API validation), so a namespaced
        // Role in kvfleet's namespace would not do.
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: NODE_LABELLER_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NODE_LABELLER_NAME },
      subjects: [{ kind: 'ServiceAccount', name: NODE_LABELLER_NAME, namespace: this.namespace }],
    });

    this.daemonSets = pools.map((pool) => this.daemonSet(pool, this.launcherImage));
  }

  private daemonSet(pool: ResolvedPool, launcherImage: string): kplus.k8s.KubeDaemonSet {
    const name = nodeLabellerInstanceName(pool.name); // validation keeps it a label value
    const selector = { 'app.kubernetes.io/name': NODE_LABELLER_NAME, 'app.kubernetes.io/instance': name };
    const labels = { ...selector, 'app.kubernetes.io/component': 'node-labeller' };
    return new k8s.KubeDaemonSet(this, `DaemonSet-${pool.name}`, {
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        // Labels stay on the Node while its labeller restarts, so rollouts need not go one node at a time.
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('25%') } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NODE_LABELLER_NAME,
            automountServiceAccountToken: true, // gets and patches its Node
            enableServiceLinks: false,
            nodeSelector: { ...pool.nodeSelector, 'kubernetes.io/os': 'linux' },
            tolerations: [...this.tolerations],
            terminationGracePeriodSeconds: 10,
            securityContext: restrictedPodSecurityContext(),
            initContainers: [capabilitiesContainer(launcherImage)],
            containers: [this.labellerContainer()],
            volumes: [
              // Far above MAX_CAPABILITIES_BYTES on purpose: an oversized document is refused and logged by
              // the labeller; a full emptyDir would get the pod evicted instead.
              { name: 'capabilities', emptyDir: { sizeLimit: q('8Mi') } },
              { name: 'libvirt-session', emptyDir: { sizeLimit: q('64Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: q('16Mi') } },
              { name: 'matrix', configMap: { name: this.matrixConfigMap, items: [{ key: MATRIX_CONFIGMAP_KEY, path: MATRIX_CONFIGMAP_KEY }] } },
            ],
          },
        },
      },
    });
  }

  /** The program: reads what the init container wrote and the matrix, labels its Node. */
  private labellerContainer(): kplus.k8s.Container {
    return {
      name: 'labeller',
      image: this.image,
      env: [
        { name: ENV.nodeName, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: ENV.capabilitiesPath, value: `${CAPABILITIES_DIR}/${CAPABILITIES_FILE}` },
        { name: ENV.matrixPath, value: MATRIX_MOUNT_PATH },
        { name: ENV.resyncSeconds, value: String(this.resyncSeconds) },
        { name: ENV.metricsPort, value: String(this.metricsPort) },
        // The heap the container limit can hold, not what V8 would take from the host's memory.
        { name: 'NODE_OPTIONS', value: nodeOptionsFor(mebibytes(NODE_LABELLER_MEMORY.limit)!) },
      ],
      ports: [{ name: 'metrics', containerPort: this.metricsPort, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20, failureThreshold: 3 },
      readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
      resources: {
        requests: { cpu: q('10m'), memory: q(NODE_LABELLER_MEMORY.request) },
        limits: { cpu: q('200m'), memory: q(NODE_LABELLER_MEMORY.limit) },
      },
      securityContext: restrictedContainerSecurityContext({ uid: LABELLER_UID }),
      volumeMounts: [
        { name: 'capabilities', mountPath: CAPABILITIES_DIR, readOnly: true },
        { name: 'matrix', mountPath: MATRIX_MOUNT_DIR, readOnly: true },
      ],
    };
  }
}

/** Where the init container's session libvirt keeps its state (an emptyDir). */
const LIBVIRT_SESSION_DIR = '/var/lib/kvfleet-libvirt';

/** The init container: `virsh capabilities` from the cluster's virt-launcher image, into the shared emptyDir. */
function capabilitiesContainer(launcherImage: string): kplus.k8s.Container {
  return {
    name: 'capabilities',
    image: launcherImage,
    command: ['/bin/sh', '-c', capabilitiesScript(`${CAPABILITIES_DIR}/${CAPABILITIES_FILE}`)],
    env: [
      // Unprivileged libvirt: a per-user (session) virtqemud whose state lives in an emptyDir.
      { name: 'LIBVIRT_DEFAULT_URI', value: 'qemu:///session' },
      { name: 'HOME', value: LIBVIRT_SESSION_DIR },
      { name: 'XDG_RUNTIME_DIR', value: `${LIBVIRT_SESSION_DIR}/run` },
      { name: 'XDG_CACHE_HOME', value: `${LIBVIRT_SESSION_DIR}/cache` },
      { name: 'XDG_CONFIG_HOME', value: `${LIBVIRT_SESSION_DIR}/config` },
    ],
    // /dev/kvm from KubeVirt's device plugin instead of `privileged: true` (which KubeVirt's own
    // labeller uses to mknod it): without /dev/kvm libvirt lists no kvm domain and so no types.
    resources: {
      requests: { cpu: q('50m'), memory: q('128Mi'), [KVM_RESOURCE]: q('1') },
      limits: { cpu: q('1'), memory: q('512Mi'), [KVM_RESOURCE]: q('1') },
    },
    securityContext: restrictedContainerSecurityContext({ uid: VIRT_LAUNCHER_UID }),
    volumeMounts: [
      { name: 'capabilities', mountPath: CAPABILITIES_DIR },
      { name: 'libvirt-session', mountPath: LIBVIRT_SESSION_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}
