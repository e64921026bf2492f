/**
 * The version lint run at synth: a definition's Kube-OVN, KubeVirt (and every planned KubeVirt upgrade)
 * and Argo CD releases against the known issues of fleet/knownVersionIssues.ts. Each finding names
 * the field, what goes wrong, the source and the fix; an error the definition accepts in
 * `acceptedKnownIssues` is reported as a warning with the reason given.
 */
import semver from 'semver';
import { type ClusterDefinition } from './clusterDefinition.js';
import { DefinitionError } from './definitionError.js';
import { KNOWN_VERSION_ISSUES, type KnownVersionIssue, type VersionedComponent } from './knownVersionIssues.js';

const COMPONENT_NAMES: Record<VersionedComponent, string> = { 'kube-ovn': 'Kube-OVN', kubevirt: 'KubeVirt', argocd: 'Argo CD' };

/** kube-ovn-controller's flags for fast, address-keeping migrations (`pkg/controller/config.go`; both default true). */
export const KUBE_OVN_MIGRATION_FLAGS = ['--enable-live-migration-optimize=true', '--keep-vm-ip=true'] as const;

interface Finding {
  readonly issue: KnownVersionIssue;
  readonly path: string;
  readonly version: string;
  /** For upgrade issues: the release upgraded from. */
  readonly from?: string;
}

const affects = (range: string, version: string) => semver.satisfies(version, range);

/** The known issues that hit `cluster`, each with the field that carries the version. */
export function knownIssuesOf(cluster: ClusterDefinition, issues: readonly KnownVersionIssue[] = KNOWN_VERSION_ISSUES): Finding[] {
  const out: Finding[] = [];
  const current = cluster.kubevirtVersion;
  // Every planned KubeVirt upgrade, each from the release before it.
  const upgrades: { from: string; to: string; path: string }[] = [];
  let from = current;
  (cluster.plannedSteps ?? []).forEach((step, i) => {
    if (step.kind !== 'kubevirt-upgrade') return;
    upgrades.push({ from, to: step.to, path: `plannedSteps[${i}].to` });
    from = step.to;
  });
  for (const issue of issues) {
    if (issue.upgradeFrom !== undefined) {
      for (const u of upgrades) if (affects(issue.upgradeFrom, u.from) && affects(issue.affected, u.to)) out.push({ issue, path: u.path, version: u.to, from: u.from });
      continue;
    }
    switch (issue.component) {
      case 'kube-ovn':
        if (cluster.kubeOvn !== 'none' && affects(issue.affected, cluster.kubeOvn.version))
          out.push({ issue, path: 'kubeOvn.version', version: cluster.kubeOvn.version });
        break;
      case 'kubevirt':
        if (affects(issue.affected, current)) out.push({ issue, path: 'kubevirtVersion', version: current });
        // The first release an upgrade leads to that has it, for what the current one does not have already.
        else {
          const hit = upgrades.find((u) => affects(issue.affected, u.to));
          if (hit) out.push({ issue, path: hit.path, version: hit.to });
        }
        break;
      case 'argocd':
        if (cluster.argocd.version !== undefined && affects(issue.affected, cluster.argocd.version))
          out.push({ issue, path: 'argocd.version', version: cluster.argocd.version });
        break;
    }
  }
  return out;
}

/** Every version finding for one definition, as problems of `file`. */
export function versionLint(file: string, cluster: ClusterDefinition, issues: readonly KnownVersionIssue[] = KNOWN_VERSION_ISSUES): DefinitionError[] {
  const accepted: Readonly<Record<string, string>> = cluster.acceptedKnownIssues ?? {};
  const findings = knownIssuesOf(cluster, issues);
  const out = findings.map(({ issue, path, version, from }) => {
    const name = COMPONENT_NAMES[issue.component];
    const what = from !== undefined ? `upgrading ${name} from ${from} to ${version}: ${name} ${version}` : `${name} ${version}`;
    const problem = `${what} ${issue.problem} [${issue.id}: ${issue.source}]`;
    const reason = accepted[issue.id];
    if (issue.severity === 'error' && reason !== undefined) {
      return new DefinitionError(file, path, `${problem}; accepted in acceptedKnownIssues: ${reason}`, issue.fix, 'warning');
    }
    const fix =
      issue.severity === 'error'
        ? `${issue.fix}; or, to run with it for now, accept it: acceptedKnownIssues: { '${issue.id}': '<why, and what limits the risk>' }`
        : issue.fix;
    return new DefinitionError(file, path, problem, fix, issue.severity);
  });

  for (const id of Object.keys(accepted)) {
    const issue = issues.find((i) => i.id === id);
    if (issue === undefined) continue; // the schema reports unknown ids
    if (findings.some((f) => f.issue.id === id)) {
      if (issue.severity === 'warning')
        out.push(
          new DefinitionError(
            file,
            `acceptedKnownIssues.${id}`,
            `${id} is a warning, which never stops synthesis`,
            'remove the entry: only errors need accepting',
            'warning',
          ),
        );
      continue;
    }
    out.push(
      new DefinitionError(
        file,
        `acceptedKnownIssues.${id}`,
        `${id} no longer applies to this cluster's versions`,
        'remove the entry, so that the issue is reported again should a later change bring it back',
        'warning',
      ),
    );
  }

  if (cluster.kubeOvn !== 'none' && (cluster.kubeOvn.install ?? 'external') === 'external') {
    out.push(
      new DefinitionError(
        file,
        'kubeOvn.install',
        "Kube-OVN is installed outside kvfleet ('external'), so kvfleet writes no chart values and cannot see kube-ovn-controller's flags",
        `check that kube-ovn-controller runs with ${KUBE_OVN_MIGRATION_FLAGS.join(' and ')} (both default true; install.sh: ENABLE_LIVE_MIGRATION_OPTIMIZE, ENABLE_KEEP_VM_IP), or set install: { chart: 'kube-ovn' | 'kube-ovn-v2', version } to have kvfleet write them`,
        'warning',
      ),
    );
  }
  return out;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** docs/user-guide.md's table of known version issues, generated from the data (versionLint.test.ts compares). */
export function knownVersionIssuesTable(issues: readonly KnownVersionIssue[] = KNOWN_VERSION_ISSUES): string {
  const rows = issues.map((i) => {
    const affected = i.upgradeFrom !== undefined ? `upgrade from \`${i.upgradeFrom}\` to \`${i.affected}\`` : `\`${i.affected}\``;
    return `| ${[COMPONENT_NAMES[i.component], affected, `**${i.severity}**: ${i.severityReason}`, i.problem, `\`${i.id}\`: ${i.source}`, i.fix].map(cell).join(' | ')} |`;
  });
  return ['| component | affected | severity, because | what goes wrong | id: source | fix |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
