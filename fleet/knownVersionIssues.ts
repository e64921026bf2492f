/**
 * Known-bad or limited releases of what kvfleet's clusters run on, checked at synth
 * (fleet/versionLint.ts) against `kubeOvn.version`, `kubevirtVersion` / the planned `kubevirt-upgrade` steps and
 * `argocd.version`. Like the machine-type matrix, every entry names its source; docs/user-guide.md's table is
 * generated from this list (versionLint.test.ts fails when they differ).
 *
 * Severity: `error` when the defect risks data or availability (a migration that hangs or fails, so
 * VMs cannot leave a node being drained; data disclosed), `warning` when it costs only performance
 * (seconds of network loss at switch-over). An error stops synthesis unless the definition accepts
 * it by id in `acceptedKnownIssues`, with a reason; then it is reported as a warning.
 *
 * Version thresholds that change what kvfleet *generates* live in compatibility/kubevirtVersions.ts;
 * this file holds only defects, which change nothing that is generated.
 */

export type VersionedComponent = 'kube-ovn' | 'kubevirt' | 'argocd';

export interface KnownVersionIssue {
  /** Stable key, `<project>#<issue or PR>`: what `acceptedKnownIssues` names. */
  readonly id: string;
  readonly component: VersionedComponent;
  /** The affected releases, a semver range (of the release upgraded to, for upgrade issues). */
  readonly affected: string;
  /** Set for a defect of an upgrade: the releases upgraded from (checked against each planned `kubevirt-upgrade` step). */
  readonly upgradeFrom?: string;
  readonly severity: 'error' | 'warning';
  /** What goes wrong, completing "<Component> <version> …". */
  readonly problem: string;
  /** Issue and fix, with the releases that contain the fix. */
  readonly source: string;
  readonly fix: string;
  /** Why this severity. */
  readonly severityReason: string;
}

export const KNOWN_VERSION_ISSUES = [
  {
    id: 'kube-ovn#6823',
    component: 'kube-ovn',
    affected: '<1.15.14 || >=1.16.0 <1.16.3',
    severity: 'error',
    problem:
      'skips the migration port setup when the target pod is not scheduled yet as the migration enters Scheduling, and never retries: the target pod hangs in ContainerCreating ("ovs interface … is not ready after 30s") and the migration fails after about 15 minutes',
    source: 'kubeovn/kube-ovn#6823, fixed by PR #6834 in v1.15.14 and v1.16.3 (not in v1.16.0–v1.16.2; no 1.14 release has it)',
    fix: 'upgrade Kube-OVN to 1.15.14 or newer on 1.15, or to 1.16.3 or newer',
    severityReason: "availability: VMs cannot be evacuated from a node; kvfleet's fallbacks, whose pinned target pods often wait for scheduling, hit it most",
  },
  {
    id: 'kube-ovn#6220',
    component: 'kube-ovn',
    affected: '<1.14.31 || >=1.15.0 <1.15.3',
    severity: 'error',
    problem:
      "uses an earlier migration's state for the current one (a VM migrating back, A→B→A): the port options are never set for the new target, whose pod hangs, and the migration fails",
    source: 'kubeovn/kube-ovn#6220, fixed by PR #6239 in v1.14.31, v1.15.3 and v1.16.0',
    fix: 'upgrade Kube-OVN to 1.15.14 or newer (1.14.31 at least)',
    severityReason: 'availability: the second migration of a VM fails, so a drain after an earlier migration cannot move it',
  },
  {
    id: 'kube-ovn#6241',
    component: 'kube-ovn',
    affected: '<1.15.9',
    severity: 'warning',
    problem: "sets the multi-chassis port options only on a VM's first NIC: its other NICs switch over without them, with seconds of packet loss",
    source: 'kubeovn/kube-ovn PR #6241, in v1.15.9 and v1.16.0',
    fix: 'upgrade Kube-OVN to 1.15.14 or newer',
    severityReason: 'performance: the migration completes; secondary networks lose traffic for the switch-over',
  },
  {
    id: 'kube-ovn#5343',
    component: 'kube-ovn',
    affected: '<1.14.21',
    severity: 'warning',
    problem: "sets the migration port options only when the migration is Running, too late: about 18 s of network loss on a VM's first migration",
    source: 'kubeovn/kube-ovn#5343, fixed by PRs #5873 and #6066 (options at Scheduling) in v1.14.21 and v1.15.0',
    fix: 'upgrade Kube-OVN to 1.15.14 or newer',
    severityReason: 'performance: the VM stays up and keeps its address; its network pauses for seconds',
  },
  {
    id: 'kube-ovn#4740',
    component: 'kube-ovn',
    affected: '<1.13.3',
    severity: 'warning',
    problem:
      "does not watch VirtualMachineInstanceMigrations at all (no --enable-live-migration-optimize): a VM's port moves only when the target claims it, with seconds of network loss",
    source: 'kubeovn/kube-ovn#4740, VMIM watch added by PR #4773 (backport PR #4874) in v1.13.3',
    fix: 'upgrade Kube-OVN to 1.15.14 or newer',
    severityReason: 'performance: migrations work, with the switch-over of a plain port move',
  },
  {
    id: 'kubevirt#18087',
    component: 'kubevirt',
    affected: '<1.9.0',
    severity: 'error',
    problem:
      'can create migration target pods forever after one target pod fails on a node (stale network state is reused; thousands of virt-launcher pods for one VMI seen): only stopping the VM ends it',
    source: 'kubevirt/kubevirt#18087, fixed by PR #18103 in v1.9.0 (backports #18255 to release-1.6 and #18254 to release-1.7 merged, in no tagged release yet)',
    fix: 'upgrade KubeVirt to 1.9.0 or newer (until then, alert on VMIs with many virt-launcher pods)',
    severityReason: 'availability: the VM must be stopped to leave the node, and the pod churn loads the cluster',
  },
  {
    id: 'kubevirt#16386',
    component: 'kubevirt',
    upgradeFrom: '>=1.6.0 <1.7.0',
    affected: '>=1.7.0',
    severity: 'error',
    problem:
      'fails every live migration of a VM started before an upgrade from 1.6 ("qemu-kvm: Failed to load virtio-net:virtio", unsupported features), so the upgrade\'s workload update cannot migrate them',
    source: 'kubevirt/kubevirt#16386 (open, priority critical-urgent; reported for 1.6.2 → 1.7.0)',
    fix: 'plan a restart (not a migration) of every VM started on 1.6 after the upgrade, or hold the upgrade until kubevirt#16386 is fixed',
    severityReason: 'availability: nodes cannot be drained until every VM started on 1.6 has been restarted',
  },
  {
    id: 'argo-cd#27598',
    component: 'argocd',
    affected: '<3.3.10 || >=3.4.0 <3.4.2',
    severity: 'error',
    problem:
      "returns Secret data unmasked from its server-side diff endpoint to anyone who may read an Application (GHSA-3v3m-wc6v-x4x3, CVE-2026-42880); kvfleet's Applications compare with ServerSideDiff=true",
    source: 'argoproj/argo-cd PR #27598 (gitops-engine PR #804), in v3.3.10 and v3.4.2',
    fix: 'upgrade Argo CD to 3.3.10 or newer on 3.3, or to 3.4.2 or newer',
    severityReason: 'data: Secrets of the destination clusters are disclosed to read-only users',
  },
  {
    id: 'argo-cd#25444',
    component: 'argocd',
    affected: '<3.3.0',
    severity: 'error',
    problem:
      "has Progressive Syncs (ApplicationSet RollingSync) only as alpha, which removes syncPolicy.automated from the generated Applications instead of disabling it; kvfleet's staged rollout (canary before production) needs the beta of 3.3",
    source:
      'argo-cd docs operator-manual/feature-maturity.md and applicationset/Progressive-Syncs.md (beta since v3.3.0); argoproj/argo-cd#25444 (maintainer on the 3.3 behaviour)',
    fix: 'upgrade Argo CD to 3.3.10 or newer and enable progressive syncs (--enable-progressive-syncs)',
    severityReason: 'availability: without a working staged rollout a bad change reaches every production cluster at once',
  },
] as const satisfies readonly KnownVersionIssue[];

export type KnownVersionIssueId = (typeof KNOWN_VERSION_ISSUES)[number]['id'];

export const KNOWN_VERSION_ISSUE_IDS: readonly KnownVersionIssueId[] = KNOWN_VERSION_ISSUES.map((i) => i.id);
