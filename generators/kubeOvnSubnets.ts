import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { cidrBlocks, type KubeOvnSubnet, subnetGateways } from '../fleet/clusterSchemaKubeOvn.js';
import { formatCidr, parseIp } from '../fleet/ipAddresses.js';

const PROTOCOL = { 4: 'IPv4', 6: 'IPv6' } as const;

/** Whether an `excludeIps` entry (an address or `first..last`) covers `address`. */
function rangeContains(entry: string, address: string): boolean {
  const ip = parseIp(address)!;
  const [first, last = first] = entry.split('..').map((e) => parseIp(e)!);
  return first!.family === ip.family && first!.value <= ip.value && ip.value <= last!.value;
}

/**
 * The `kubeovn.io/v1` Subnet spec for a declared VM network. Written as kube-ovn-controller would
 * complete it (`formatSubnet` in `pkg/controller/subnet.go`), so its own writes never show as drift:
 * the canonical block, `protocol` from the block, `provider` `ovn`, the gateway it would pick, and
 * `excludeIps` with the gateway in, sorted as Go's `sort.Strings` sorts them.
 */
export function kubeOvnSubnetSpec(subnet: KubeOvnSubnet): Record<string, unknown> {
  const blocks = cidrBlocks(subnet.cidrBlock);
  const gateways = subnetGateways(subnet);
  const given = subnet.excludeIps ?? [];
  // Kube-OVN adds a gateway no entry covers (`checkAndUpdateExcludeIps`), then sorts as strings.
  const excludeIps = [...new Set([...given, ...gateways.filter((g) => !given.some((entry) => rangeContains(entry, g)))])].sort();
  return {
    cidrBlock: blocks.map(formatCidr).join(','),
    protocol: blocks.length === 2 ? 'Dual' : PROTOCOL[blocks[0]!.family],
    provider: subnet.provider ?? 'ovn',
    gateway: gateways.join(','),
    excludeIps,
    ...(subnet.namespaces ? { namespaces: [...subnet.namespaces].sort() } : {}),
    ...(subnet.natOutgoing !== undefined ? { natOutgoing: subnet.natOutgoing } : {}),
  };
}

export interface KubeOvnSubnetsProps {
  /** A validated cluster definition. */
  readonly cluster: ClusterDefinition;
}

/**
 * The Kube-OVN Subnets the definition declares for VM networks (cluster-scoped). Their names are the
 * definition's, without kvfleet's prefix: VMs select one by name (`ovn.kubernetes.io/logical_switch`).
 */
export class KubeOvnSubnets extends Construct {
  readonly subnets: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: KubeOvnSubnetsProps) {
    super(scope, id);
    const declared = props.cluster.kubeOvn === 'none' ? [] : (props.cluster.kubeOvn.subnets ?? []);
    this.subnets = [...declared]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(
        (subnet) =>
          new ApiObject(this, subnet.name, {
            apiVersion: 'kubeovn.io/v1',
            kind: 'Subnet',
            metadata: { name: subnet.name },
            spec: kubeOvnSubnetSpec(subnet),
          }),
      );
  }
}
