import { Chart, type ChartProps } from 'cdk8s';
import { type Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../fleet/clusterDefinition.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../compatibility/labelKeys.js';
import { matrixDocument } from '../compatibility/matrixDocument.js';
import { KubeOvnSubnets } from './kubeOvnSubnets.js';
import { KubevirtMigrationSettings } from './kubevirtMigrationConfig.js';
import { applySyncWaves } from './delivery/syncWaves.js';
import { KvfleetNamespace } from './kvfleetNamespace.js';
import { KyvernoPolicies } from './kyvernoPolicies.js';
import { MachineTypeMatrixConfigMap } from './machineTypeMatrixConfigMap.js';
import { MigrationController } from './migrationController.js';
import { NodeLabeller } from './nodeLabeller.js';
import { ClusterObservability, type FleetObservability } from './observability/clusterObservability.js';

export interface ClusterChartProps extends ChartProps {
  /** A validated cluster definition. */
  readonly cluster: ClusterDefinition;
  /**
   * From the fleet configuration: where the runbooks are read, and the fleet dashboard on the
   * cluster that carries it.
   * @default runbooks linked as 'docs/runbooks.md', no fleet dashboard
   */
  readonly observability?: FleetObservability;
}

/** Everything kvfleet deploys to one cluster; synthesised to `dist/<cluster>/`. */
export class ClusterChart extends Chart {
  readonly cluster: ClusterDefinition;
  readonly kvfleetNamespace: string;

  constructor(scope: Construct, id: string, props: ClusterChartProps) {
    const kvfleetNamespace = props.cluster.namespace ?? DEFAULT_NAMESPACE;
    super(scope, id, {
      ...props,
      // No chart-wide namespace: cdk8s would stamp it on cluster-scoped objects (Namespace,
      // ClusterRole) too. Namespaced constructs take `namespace` explicitly.
      // Names are part of the contract (README, Argo CD diffs): never hash them.
      disableResourceNameHashes: true,
      labels: { 'app.kubernetes.io/part-of': 'kvfleet', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...props.labels },
    });
    this.cluster = props.cluster;
    this.kvfleetNamespace = kvfleetNamespace;

    new KvfleetNamespace(this, 'namespace', { name: kvfleetNamespace });
    new MachineTypeMatrixConfigMap(this, 'machine-types', { namespace: kvfleetNamespace, matrix: matrixDocument(props.cluster) });
    new NodeLabeller(this, 'node-labeller', { cluster: props.cluster, namespace: kvfleetNamespace });
    new MigrationController(this, 'migration-controller', { cluster: props.cluster, namespace: kvfleetNamespace });
    new KyvernoPolicies(this, 'kyverno', { cluster: props.cluster });
    new KubevirtMigrationSettings(this, 'kubevirt-migrations', { cluster: props.cluster });
    new KubeOvnSubnets(this, 'kube-ovn-subnets', { cluster: props.cluster });
    new ClusterObservability(this, 'observability', { cluster: props.cluster, namespace: kvfleetNamespace, ...props.observability });
    // Last: annotates every object created above with its Argo CD sync wave.
    applySyncWaves(this);
  }
}
