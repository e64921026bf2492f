import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { type ClusterDefinition, migrationSettings } from '../fleet/clusterDefinition.js';
import { admissionOnly, type KyvernoPolicy, type PolicyLookup } from '../policies/kyverno-cel/policyObject.js';
import { kubeOvnBareVmiPolicy } from '../policies/kube-ovn-bare-vmi/kubeOvnBareVmi.js';
import { kubeOvnBridgeMigrationPolicy } from '../policies/kube-ovn-bridge-migration/kubeOvnBridgeMigration.js';
import { kubeOvnPodNetworkBindingPolicy } from '../policies/kube-ovn-pod-network-binding/kubeOvnPodNetworkBinding.js';
import { launcherTargetAffinityPolicy } from '../policies/launcher-target-affinity/launcherTargetAffinity.js';
import { vmMachineTypePolicy } from '../policies/vm-machine-type/vmMachineType.js';
import { vmMachineTypeWarningsPolicy } from '../policies/vm-machine-type-warnings/vmMachineTypeWarnings.js';
import { vmimTargetAffinityPolicy } from '../policies/vmim-target-affinity/vmimTargetAffinity.js';
import { vmimUnschedulableTimeoutPolicy } from '../policies/vmim-unschedulable-timeout/vmimUnschedulableTimeout.js';

export const LOOKUP_CLUSTER_ROLE_NAME = 'kvfleet-kyverno-lookups';
/** Kyverno's admission-controller ClusterRole aggregates every ClusterRole with this label. */
export const AGGREGATE_TO_ADMISSION_CONTROLLER_LABEL = 'rbac.kyverno.io/aggregate-to-admission-controller';

/** The Kyverno policies one cluster gets, in a fixed order. */
export function kyvernoPoliciesFor(cluster: ClusterDefinition): KyvernoPolicy[] {
  // Steer where KubeVirt lets us (VMIM addedNodeSelector, else the target Pod); select on machine
  // type only where KubeVirt does not select on its own label (compatibility/kubevirtVersions.ts).
  const { pinMode, machineTypeLabeller } = schedulingContractOf(cluster.kubevirtVersion);
  const steering = pinMode === 'addedNodeSelector' ? vmimTargetAffinityPolicy({ machineTypeLabeller }) : launcherTargetAffinityPolicy({ machineTypeLabeller });
  const warnings = vmMachineTypeWarningsPolicy(cluster);
  const kubeOvn = cluster.kubeOvn === 'none' ? [] : [kubeOvnBridgeMigrationPolicy(), kubeOvnPodNetworkBindingPolicy(cluster.kubeOvn), kubeOvnBareVmiPolicy()];
  return [
    steering,
    vmimUnschedulableTimeoutPolicy(migrationSettings(cluster).unschedulableTimeoutSeconds),
    vmMachineTypePolicy(cluster),
    ...(warnings ? [warnings] : []),
    ...kubeOvn,
  ].map(admissionOnly);
}

/** The RBAC rules the policies' lookups need: `get` only, one rule per API group, sorted. */
export function lookupRules(policies: readonly KyvernoPolicy[]): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const byGroup = new Map<string, Set<string>>();
  for (const { apiGroup, resource } of policies.flatMap((p): readonly PolicyLookup[] => p.lookups)) {
    byGroup.set(apiGroup, (byGroup.get(apiGroup) ?? new Set()).add(resource));
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: ['get'] }));
}

export interface KyvernoPoliciesProps {
  /** A validated cluster definition. */
  readonly cluster: ClusterDefinition;
}

/**
 * The cluster's Kyverno policies (cluster-scoped CEL kinds) and the ClusterRole that lets
 * Kyverno's admission controller make their `resource.get` lookups.
 */
export class KyvernoPolicies extends Construct {
  readonly policies: readonly KyvernoPolicy[];

  constructor(scope: Construct, id: string, props: KyvernoPoliciesProps) {
    super(scope, id);
    this.policies = kyvernoPoliciesFor(props.cluster);
    for (const { object } of this.policies) {
      new ApiObject(this, object.metadata.name, { ...object, metadata: { ...object.metadata } });
    }
    const rules = lookupRules(this.policies);
    if (rules.length > 0) {
      new ApiObject(this, LOOKUP_CLUSTER_ROLE_NAME, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: LOOKUP_CLUSTER_ROLE_NAME, labels: { [AGGREGATE_TO_ADMISSION_CONTROLLER_LABEL]: 'true' } },
        rules,
      });
    }
  }
}
