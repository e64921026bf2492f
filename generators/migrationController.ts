import { createHash } from 'node:crypto';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../fleet/clusterDefinition.js';
import {
  MATRIX_CONFIGMAP_KEY,
  MATRIX_CONFIGMAP_NAME,
  MATRIX_MOUNT_DIR,
  MATRIX_MOUNT_PATH,
  matrixDocument,
  renderMatrixDocument,
} from '../compatibility/matrixDocument.js';
import { DEFAULT_LEASE_NAME, POD_NAME_ENV, POD_NAMESPACE_ENV, settingsEnv } from '../programs/migration-controller/settings.js';
import { DEFAULT_METRICS_PORT, MATRIX_FILE_ENV, METRICS_PORT_ENV } from '../programs/runtime/programEnv.js';
import { mebibytes, nodeOptionsFor } from './v8Heap.js';
import { CONFIG_HASH_ANNOTATION } from '../compatibility/labelKeys.js';
import { defaultImage } from './imageDigests.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restrictedContainer.js';

const { k8s } = kplus;

export const MIGRATION_CONTROLLER_NAME = 'kvfleet-migration-controller';
/** The image `npm run images` built, pinned by digest: `ghcr.io/kvfleet/migration-controller:<version>@sha256:…` (imageDigests.ts). */
export const DEFAULT_MIGRATION_CONTROLLER_IMAGE = defaultImage('migration-controller');
/** The `nonroot` user of the controller's image (scripts/images/imageSpec.ts NONROOT_UID), as in distroless images. */
export const MIGRATION_CONTROLLER_UID = 65532;

export interface MigrationControllerProps {
  /** The validated cluster definition: migration settings, KubeVirt version, Kube-OVN, images. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the Deployment, its ServiceAccount, Lease and metrics Service.
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
  /**
   * The controller's image.
   * @default the cluster's `images.migrationController`, else DEFAULT_MIGRATION_CONTROLLER_IMAGE ('ghcr.io/kvfleet/migration-controller:<version>@sha256:…')
   */
  readonly image?: string;
  /**
   * Replicas; a Lease picks the one that acts, the other takes over within the lease duration.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Port of /metrics, /healthz and /readyz.
   * @default 8080
   */
  readonly metricsPort?: number;
  /**
   * The ConfigMap holding the cluster's resolved matrix (key `matrix.yaml`).
   * @default 'kvfleet-machine-types'
   */
  readonly matrixConfigMap?: string;
  /**
   * Memory limit of the controller container; the V8 heap is capped at half of it (v8Heap.ts).
   * What the controller uses against it, measured by bench/migrationController.bench.ts, is in
   * docs/architecture.md#migration-controller.
   * @default '512Mi'
   */
  readonly memoryLimit?: string;
}

const q = (v: string) => k8s.Quantity.fromString(v);
const POD_SELECTOR = { 'app.kubernetes.io/name': MIGRATION_CONTROLLER_NAME };
const POD_LABELS = { ...POD_SELECTOR, 'app.kubernetes.io/component': 'migration-controller' };

/**
 * Retries failed KubeVirt migrations on compatible nodes: Deployment (2 replicas, one acting
 * through a Lease), ServiceAccount, a ClusterRole with exactly the verbs the program uses, a Role
 * for its Lease, and a Service for Prometheus.
 */
export class MigrationController extends Construct {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly metricsPort: number;
  readonly matrixConfigMap: string;
  readonly memoryLimit: string;
  readonly serviceAccountName = MIGRATION_CONTROLLER_NAME;
  readonly leaseName = DEFAULT_LEASE_NAME;
  /** The controller's environment: the cluster's settings plus where to find its matrix. */
  readonly env: Readonly<Record<string, string>>;
  readonly clusterRole: kplus.k8s.KubeClusterRole;
  readonly leaseRole: kplus.k8s.KubeRole;
  readonly deployment: kplus.k8s.KubeDeployment;
  readonly service: kplus.k8s.KubeService;

  constructor(scope: Construct, id: string, props: MigrationControllerProps) {
    super(scope, id);
    const { cluster } = props;
    this.namespace = props.namespace ?? cluster.namespace ?? DEFAULT_NAMESPACE;
    this.image = props.image ?? cluster.images?.migrationController ?? DEFAULT_MIGRATION_CONTROLLER_IMAGE;
    this.replicas = props.replicas ?? 2; // two replicas; a Lease picks the one that acts
    this.metricsPort = props.metricsPort ?? DEFAULT_METRICS_PORT;
    this.matrixConfigMap = props.matrixConfigMap ?? MATRIX_CONFIGMAP_NAME;
    this.memoryLimit = props.memoryLimit ?? '512Mi';
    this.checkReplicasAndPort();
    const limitMi = mebibytes(this.memoryLimit);
    if (limitMi === undefined || limitMi < 256) {
      throw new Error(`'memoryLimit' (${this.memoryLimit}) must be at least 256Mi, written as <n>Mi or <n>Gi: the informer caches of a busy cluster need the room`);
    }

    this.env = {
      ...settingsEnv(cluster),
      [MATRIX_FILE_ENV]: MATRIX_MOUNT_PATH,
      [METRICS_PORT_ENV]: String(this.metricsPort),
      NODE_OPTIONS: nodeOptionsFor(limitMi),
    };
    // A change of any setting or of the matrix rolls the pods.
    const configHash = createHash('sha256')
      .update(JSON.stringify(this.env))
      .update(renderMatrixDocument(matrixDocument(cluster)))
      .digest('hex')
      .slice(0, 16);

    const { clusterRole, leaseRole } = this.rbac();
    this.clusterRole = clusterRole;
    this.leaseRole = leaseRole;
    this.deployment = this.controllerDeployment(configHash);
    this.service = new k8s.KubeService(this, 'MetricsService', {
      metadata: { name: `${MIGRATION_CONTROLLER_NAME}-metrics`, namespace: this.namespace, labels: POD_LABELS },
      spec: {
        type: 'ClusterIP',
        selector: POD_SELECTOR,
        ports: [{ name: 'metrics', port: this.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
  }

  private checkReplicasAndPort(): void {
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw new Error(`'replicas' (${this.replicas}) must be a positive integer; 2 gives a standby that takes over the Lease`);
    }
    if (!Number.isInteger(this.metricsPort) || this.metricsPort < 1024 || this.metricsPort > 65_535) {
      throw new Error(`'metricsPort' (${this.metricsPort}) must be an integer from 1024 to 65535: the controller runs without privilege and cannot bind lower ports`);
    }
  }

  /** ServiceAccount, a ClusterRole with exactly the verbs the program uses, and a Role for its Lease. */
  private rbac(): { clusterRole: kplus.k8s.KubeClusterRole; leaseRole: kplus.k8s.KubeRole } {
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: MIGRATION_CONTROLLER_NAME, namespace: this.namespace },
      automountServiceAccountToken: false, // mounted only into the controller pods (below)
    });
    const clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: MIGRATION_CONTROLLER_NAME },
      rules: [
        // Watches every VMIM; creates fallbacks; deletes only its own (TTL, VMI gone) — RBAC cannot
        // narrow delete to labelled objects, the program checks its managed-by label.
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstancemigrations'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'list', 'watch'] },
        // Nodes: readiness, cordons, kvfleet labels. Pods: migration target pods only (label selector).
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
        // One Event per decision, named deterministically; never updated, so no patch.
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: MIGRATION_CONTROLLER_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: MIGRATION_CONTROLLER_NAME },
      subjects: [{ kind: 'ServiceAccount', name: MIGRATION_CONTROLLER_NAME, namespace: this.namespace }],
    });
    const leaseRoleName = `${MIGRATION_CONTROLLER_NAME}-leader-election`;
    const leaseRole = new k8s.KubeRole(this, 'LeaseRole', {
      metadata: { name: leaseRoleName, namespace: this.namespace },
      rules: [
        // create cannot be limited by name (the object does not exist yet); get and update can.
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [this.leaseName], verbs: ['get', 'update'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'LeaseRoleBinding', {
      metadata: { name: leaseRoleName, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRoleName },
      subjects: [{ kind: 'ServiceAccount', name: MIGRATION_CONTROLLER_NAME, namespace: this.namespace }],
    });
    return { clusterRole, leaseRole };
  }

  private controllerDeployment(configHash: string): kplus.k8s.KubeDeployment {
    return new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: MIGRATION_CONTROLLER_NAME, namespace: this.namespace, labels: POD_LABELS },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: POD_SELECTOR },
        // Start the new pod before stopping an old one: the old leader releases the Lease on
        // SIGTERM and the standby or the new pod takes over at once.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: POD_LABELS, annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
          spec: {
            serviceAccountName: MIGRATION_CONTROLLER_NAME,
            automountServiceAccountToken: true, // watches VMIMs, VMIs, nodes and pods
            enableServiceLinks: false,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            terminationGracePeriodSeconds: 30,
            // Replicas on different nodes; preferred, not required, so a one-node test cluster still runs both.
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: POD_SELECTOR } } },
                ],
              },
            },
            securityContext: restrictedPodSecurityContext({ uid: MIGRATION_CONTROLLER_UID }),
            containers: [this.controllerContainer()],
            volumes: [{ name: 'matrix', configMap: { name: this.matrixConfigMap, items: [{ key: MATRIX_CONFIGMAP_KEY, path: MATRIX_CONFIGMAP_KEY }] } }],
          },
        },
      },
    });
  }

  private controllerContainer(): kplus.k8s.Container {
    return {
      name: 'controller',
      image: this.image,
      env: [
        { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: POD_NAMESPACE_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        ...Object.entries(this.env)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, value]) => ({ name, value })),
      ],
      ports: [{ name: 'metrics', containerPort: this.metricsPort, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20, failureThreshold: 3 },
      // Ready once every watch has listed: a standby is ready too, so a rollout never waits for the Lease.
      readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
      startupProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 5, failureThreshold: 60 },
      // The request is what it holds at rest with 10,000 VMIs cached (~152 MiB in the controller bench,
      // docs/architecture.md#migration-controller), so the scheduler places it where that fits.
      resources: { requests: { cpu: q('50m'), memory: q('192Mi') }, limits: { cpu: q('1'), memory: q(this.memoryLimit) } },
      // The image's user comes from the pod's security context.
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [{ name: 'matrix', mountPath: MATRIX_MOUNT_DIR, readOnly: true }],
    };
  }
}
