/**
 * A `kyverno test` folder written at run time for a cluster definition that the example fleet has no
 * room for (a cluster already past a launcher switch, say): the policy synthesised in memory exactly
 * as for dist/ (generators/kyvernoPolicies.ts), VMs pinned to the types a test derives from the
 * catalogue, and the expected result of each. The folder lives in a temporary directory, removed after the run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { kyvernoPoliciesFor } from '../../generators/kyvernoPolicies.js';
import { type KyvernoTestResult, runKyvernoTest } from '../../testbed/harness/kyvernoTest.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';

export interface PinnedCase {
  /** A VM (type in its template) or a VMI. */
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly machineType: string;
  /** What `kyverno test` reports: `fail` for a denial or a warning (the CLI does not model Warn). */
  readonly result: 'pass' | 'fail' | 'skip';
}

/** `vm-pc-q35-rhel8-6-0`: one resource name per kind and type. */
export const pinnedName = (c: Pick<PinnedCase, 'kind' | 'machineType'>) => `${c.kind === 'VirtualMachine' ? 'vm' : 'vmi'}-${c.machineType.replaceAll('.', '-')}`;

function pinned(c: PinnedCase): object {
  const domain = { machine: { type: c.machineType }, devices: {}, memory: { guest: '1Gi' } };
  const metadata = { name: pinnedName(c), namespace: 'default' };
  return c.kind === 'VirtualMachine'
    ? { apiVersion: 'kubevirt.io/v1', kind: c.kind, metadata, spec: { runStrategy: 'Halted', template: { spec: { domain } } } }
    : { apiVersion: 'kubevirt.io/v1', kind: c.kind, metadata, spec: { domain } };
}

/** Writes the folder for one policy of the cluster and returns its path. */
export function writeGeneratedFolder(cluster: ClusterDefinition, policyName: string, cases: readonly PinnedCase[]): string {
  const policy = kyvernoPoliciesFor(cluster).find((p) => p.object.metadata.name === policyName);
  if (!policy) throw new Error(`cluster ${cluster.name} ships no policy ${policyName}`);
  const dir = mkdtempSync(join(tmpdir(), `kvfleet-kyverno-${cluster.name}-`));
  writeFileSync(join(dir, 'policy.yaml'), stringify(policy.object));
  writeFileSync(join(dir, 'resources.yaml'), cases.map((c) => stringify(pinned(c))).join('---\n'));
  writeFileSync(
    join(dir, 'cluster-resources.yaml'),
    stringify({
      apiVersion: 'cli.kyverno.io/v1alpha1',
      kind: 'ClusterResource',
      metadata: { name: cluster.name },
      spec: {
        crds: ['virtualmachines', 'virtualmachineinstances'].map((r) => join(sharedDir, 'crds', 'kubevirt', `${r}.kubevirt.io.yaml`)),
        resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }],
      },
    }),
  );
  writeFileSync(
    join(dir, 'kyverno-test.yaml'),
    stringify({
      apiVersion: 'cli.kyverno.io/v1alpha1',
      kind: 'Test',
      metadata: { name: `${cluster.name}-${policyName}` },
      policies: ['policy.yaml'],
      resources: ['resources.yaml'],
      clusterResources: ['cluster-resources.yaml'],
      results: cases.map((c) => ({ policy: policyName, isValidatingPolicy: true, kind: c.kind, resources: [pinnedName(c)], result: c.result })),
    }),
  );
  return dir;
}

/** Writes the folder, runs the real `kyverno test` on it with result rows, and removes it. */
export async function runGeneratedFolder(cluster: ClusterDefinition, policyName: string, cases: readonly PinnedCase[]): Promise<KyvernoTestResult> {
  const dir = writeGeneratedFolder(cluster, policyName, cases);
  try {
    return await runKyvernoTest(dir, { rows: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
