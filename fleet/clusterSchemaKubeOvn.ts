/**
 * The Kube-OVN parts of a cluster definition beyond its version: how the cluster installs Kube-OVN
 * (which decides the form its migration settings take) and the Subnets it declares for VM networks.
 * Subnet values are checked as kube-ovn-controller reads them (`pkg/controller/subnet.go`
 * `formatSubnet`): it rewrites a non-canonical `cidrBlock`, fills `gateway` and adds it to
 * `excludeIps`, so a definition must already say what the controller would write.
 */
import * as z from 'zod';
import * as field from './clusterSchemaFields.js';
import { fieldInfo, report } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { onceValid } from './clusterSchemaRules.js';
import { formatValue } from './definitionValue.js';
import { type CidrBlock, cidrContains, cidrsOverlap, firstHostAddress, formatCidr, formatIp, parseCidr, parseIp } from './ipAddresses.js';

type Ctx = z.core.$RefinementCtx;

/** A Kube-OVN chart version as its repository lists it: the release with or without a leading "v". */
export const kubeOvnChartVersion = field.checkedString(
  { expected: 'a chart version', fix: 'write the chart version as its repository lists it, e.g. "v1.15.14" (Kube-OVN chart versions follow its releases)' },
  (v) => field.plainVersionProblem(v.replace(/^v(?=\d)/, '')),
);

export const kubeOvnChartInstallSchema = z
  .strictObject({
    /** `kube-ovn` (values under `func.*`) or the long-term `kube-ovn-v2` (values under `features.*`). */
    chart: z.enum(['kube-ovn', 'kube-ovn-v2']).register(fieldInfo, { expected: "'kube-ovn' or 'kube-ovn-v2'", fix: "write chart: 'kube-ovn' or chart: 'kube-ovn-v2'" }),
    /** Chart version, e.g. `v1.15.14`; it must name the release in `kubeOvn.version`. */
    version: kubeOvnChartVersion,
  })
  .readonly()
  .register(fieldInfo, { expected: 'a Kube-OVN chart', fix: "write install: { chart: 'kube-ovn-v2', version: 'v1.15.14' } or install: 'external'" });
export type KubeOvnChartInstall = z.output<typeof kubeOvnChartInstallSchema>;

export const kubeOvnInstallSchema = z
  .union([z.literal('external'), kubeOvnChartInstallSchema])
  .register(fieldInfo, { expected: "'external' or a Kube-OVN chart", fix: "write install: { chart: 'kube-ovn', version: 'v1.15.14' } or install: 'external'" });
export type KubeOvnInstall = z.output<typeof kubeOvnInstallSchema>;

/** The blocks of a `cidrBlock`: one per family, comma-separated for dual stack (`10.66.0.0/16,fd00:66::/112`). */
export function cidrBlocks(cidrBlock: string): CidrBlock[] {
  return cidrBlock.split(',').map((part) => parseCidr(part)!);
}

const cidrBlockField = field.checkedString(
  { expected: 'a CIDR block', fix: 'write one block per IP family, e.g. "10.66.0.0/16" or "10.66.0.0/16,fd00:66::/112" for dual stack' },
  (v) => {
    const parts = v.split(',');
    const blocks = parts.map(parseCidr);
    const bad = parts.find((_, i) => !blocks[i]);
    if (bad !== undefined) return `${formatValue(bad)} is not an address/prefix`;
    const parsed = blocks as CidrBlock[];
    if (parsed.length > 2 || (parsed.length === 2 && parsed[0]!.family === parsed[1]!.family)) return 'give at most one IPv4 and one IPv6 block';
    const odd = parsed.find((b) => formatCidr(b) !== b.text);
    if (odd) {
      return {
        problem: `${formatValue(odd.text)} is not written as its network, ${formatCidr(odd)}`,
        fix: `write ${formatValue(parsed.map(formatCidr).join(','))}: kube-ovn-controller rewrites the block to that form, which Argo CD would show as drift`,
      };
    }
    return undefined;
  },
);

const ipOrRange = field.checkedString({ expected: 'an IP address or range', fix: 'write an address ("10.66.0.10") or a range ("10.66.0.10..10.66.0.20")' }, (v) => {
  const ends = v.split('..');
  if (ends.length > 2 || ends.some((e) => !parseIp(e))) return 'it is not an address or "first..last"';
  const [a, b] = ends.map((e) => parseIp(e)!);
  if (b && (a!.family !== b.family || a!.value > b.value)) return 'the range does not go from a lower to a higher address of one family';
  return undefined;
});

export const subnetProvider = field.checkedString(
  {
    expected: 'a Kube-OVN provider',
    fix: 'leave provider out for the pod network ("ovn"), or name the NetworkAttachmentDefinition of a secondary network as "<nad>.<namespace>.ovn"',
  },
  (v) => {
    if (v === 'ovn') return undefined;
    const parts = v.split('.');
    const [nad, ns, ovn] = parts;
    if ((parts.length === 2 || (parts.length === 3 && ovn === 'ovn')) && field.dnsLabelWhy(nad!) === undefined && field.dnsLabelWhy(ns!) === undefined) return undefined;
    return 'it is neither "ovn" nor "<nad>.<namespace>[.ovn]"';
  },
);

const subnetFields = z.strictObject({
  /** The Subnet's name (cluster-scoped) and its logical switch's; VMs pick it with `ovn.kubernetes.io/logical_switch`. */
  name: field.checkedString(
    { expected: 'a Subnet name (a DNS label)', fix: 'use lower-case letters, digits and "-", at most 63 characters, e.g. "vm-net"' },
    field.dnsLabelWhy,
  ),
  /** `10.66.0.0/16`, or one IPv4 and one IPv6 block for dual stack; immutable family once created. */
  cidrBlock: cidrBlockField,
  /**
   * Gateway address, one per block (`10.66.0.1,fd00:66::1` for dual stack).
   * @default the first address after each network's, as Kube-OVN picks it
   */
  gateway: field
    .checkedString({ expected: 'gateway addresses', fix: 'write one address inside each block, comma-separated for dual stack, or leave gateway out' }, (v) =>
      v.split(',').every((a) => parseIp(a)) ? undefined : 'it is not a comma-separated list of addresses',
    )
    .optional(),
  /** Addresses Kube-OVN must never hand out (the gateway is always added). */
  excludeIps: z.array(ipOrRange).readonly().optional(),
  /** Namespaces whose pods and VMs get this Subnet by default; a namespace belongs to at most one Subnet. */
  namespaces: z
    .array(field.checkedString({ expected: 'a namespace name', fix: 'use a namespace name (a DNS label)' }, field.dnsLabelWhy))
    .readonly()
    .optional(),
  /**
   * `ovn` for the pod network, `<nad>.<namespace>.ovn` for a secondary network attached with Multus.
   * @default 'ovn'
   */
  provider: subnetProvider.optional(),
  /** SNAT traffic that leaves the cluster to the node's address. @default false (Kube-OVN's) */
  natOutgoing: z.boolean().register(fieldInfo, { expected: 'true or false', fix: 'write natOutgoing: true or leave it out' }).optional(),
});
export type KubeOvnSubnetFields = z.output<typeof subnetFields>;

export const kubeOvnSubnetSchema = subnetFields
  .superRefine(subnetRules, onceValid('cidrBlock', 'gateway', 'excludeIps'))
  .readonly()
  .register(fieldInfo, { expected: 'a Kube-OVN Subnet', fix: "write { name: 'vm-net', cidrBlock: '10.66.0.0/16', namespaces: ['vms'] }" });
export type KubeOvnSubnet = z.output<typeof kubeOvnSubnetSchema>;

export const kubeOvnSubnetsSchema = z
  .array(kubeOvnSubnetSchema)
  .superRefine(subnetListRules, onceValid('*.name', '*.cidrBlock', '*.namespaces', '*.provider'))
  .readonly()
  .register(fieldInfo, { expected: 'a list of Kube-OVN Subnets', fix: "write subnets: [{ name: 'vm-net', cidrBlock: '10.66.0.0/16' }]" });

/** The gateway of each block of `subnet`, as the definition gives it or as Kube-OVN picks it. */
export function subnetGateways(subnet: Pick<KubeOvnSubnetFields, 'cidrBlock' | 'gateway'>): string[] {
  if (subnet.gateway !== undefined) return subnet.gateway.split(',');
  return cidrBlocks(subnet.cidrBlock).map((b) => formatIp(firstHostAddress(b)));
}

function subnetRules(subnet: KubeOvnSubnetFields, ctx: Ctx): void {
  const blocks = cidrBlocks(subnet.cidrBlock);
  const inBlock = (text: string) => {
    const ip = parseIp(text);
    return ip !== undefined && blocks.some((b) => cidrContains(b, ip));
  };
  if (subnet.gateway !== undefined) {
    const gateways = subnet.gateway.split(',');
    const families = gateways.map((g) => parseIp(g)!.family);
    if (gateways.length !== blocks.length || !blocks.every((b) => families.includes(b.family)) || !gateways.every(inBlock)) {
      report(
        ctx,
        {
          problem: `gateway ${formatValue(subnet.gateway)} is not one address inside each block of ${formatValue(subnet.cidrBlock)}`,
          fix: 'give one gateway per block, inside it (comma-separated for dual stack), or leave gateway out for the first address of each block',
        },
        ['gateway'],
      );
    }
  }
  subnet.excludeIps?.forEach((entry, i) => {
    if (entry.split('..').every(inBlock)) return;
    report(ctx, { problem: `${formatValue(entry)} is outside ${formatValue(subnet.cidrBlock)}`, fix: 'exclude only addresses of the Subnet' }, ['excludeIps', i]);
  });
}

function subnetListRules(subnets: readonly KubeOvnSubnetFields[], ctx: Ctx): void {
  const firstByName = new Map<string, number>();
  const subnetByNamespace = new Map<string, number>();
  subnets.forEach((subnet, i) => {
    if (!isRecord(subnet)) return;
    const first = firstByName.get(subnet.name);
    if (first === undefined) firstByName.set(subnet.name, i);
    else report(ctx, { problem: `Subnet name ${formatValue(subnet.name)} is already used by subnets[${first}]`, fix: 'give every Subnet its own name' }, [i, 'name']);
    subnet.namespaces?.forEach((ns, k) => {
      const owner = subnetByNamespace.get(ns);
      if (owner === undefined) subnetByNamespace.set(ns, i);
      else if (owner !== i)
        report(
          ctx,
          {
            problem: `namespace ${formatValue(ns)} is already bound to subnets[${owner}] (${subnets[owner]!.name})`,
            fix: 'bind a namespace to one Subnet: kube-ovn-controller removes it from every other Subnet, and the two would be rewritten back and forth',
          },
          [i, 'namespaces', k],
        );
    });
  });
  // Kube-OVN refuses a Subnet whose block overlaps another of its VPC; kvfleet's Subnets all sit in
  // the default VPC, secondary networks (another provider) each on their own.
  for (let j = 1; j < subnets.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = subnets[i]!;
      const b = subnets[j]!;
      if (!isRecord(a) || !isRecord(b) || (a.provider ?? 'ovn') !== (b.provider ?? 'ovn')) continue;
      if (!cidrBlocks(a.cidrBlock).some((x) => cidrBlocks(b.cidrBlock).some((y) => cidrsOverlap(x, y)))) continue;
      report(
        ctx,
        {
          problem: `${formatValue(b.cidrBlock)} overlaps subnets[${i}] (${a.name}, ${formatValue(a.cidrBlock)})`,
          fix: 'give every Subnet of a network its own address range: kube-ovn-controller refuses overlapping ones',
        },
        [j, 'cidrBlock'],
      );
      break;
    }
  }
}
