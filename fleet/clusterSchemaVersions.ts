/**
 * Versions in a cluster definition beyond the current KubeVirt and Kube-OVN releases, and the
 * rules between versions and the fields they allow: a planned KubeVirt upgrade, the Argo CD
 * version, the known issues a team accepts (fleet/knownVersionIssues.ts), and MigrationPolicy
 * fields the cluster's KubeVirt does not have yet.
 */
import * as z from 'zod';
import { hasMigrationPolicyField, MIGRATION_POLICY_FIELDS_SINCE, type VersionedMigrationPolicyField } from '../compatibility/kubevirtVersions.js';
import * as field from './clusterSchemaFields.js';
import { fieldInfo, report } from './clusterSchemaFields.js';
import { type KubevirtSettings } from './clusterSchemaKubevirt.js';
import { type KubeOvnInstall } from './clusterSchemaKubeOvn.js';
import { closestName } from './definitionSuggestion.js';
import { formatValue } from './definitionValue.js';
import { KNOWN_VERSION_ISSUE_IDS } from './knownVersionIssues.js';

type Ctx = z.core.$RefinementCtx;

export const argoCdVersion = field.checkedString(
  { expected: 'a version', fix: 'write the Argo CD release as "X.Y.Z" without a leading "v", e.g. "3.4.2" (`argocd version`)' },
  field.plainVersionProblem,
);

/** Known issue id → why the cluster runs with it for now; see fleet/knownVersionIssues.ts. */
export const acceptedKnownIssuesSchema = z
  .record(
    z.string(),
    z
      .string()
      .superRefine((v, ctx) => {
        if (v.trim().length < 10)
          report(ctx, {
            problem: `${formatValue(v)} does not say why`,
            fix: 'write why the cluster runs with the issue for now and what limits the risk (at least a sentence)',
          });
      })
      .register(fieldInfo, { expected: 'a reason (a string)', fix: 'write why the cluster runs with the issue for now' }),
  )
  .superRefine((accepted, ctx) => {
    for (const id of Object.keys(accepted)) {
      if ((KNOWN_VERSION_ISSUE_IDS as readonly string[]).includes(id)) continue;
      const near = closestName(id, KNOWN_VERSION_ISSUE_IDS);
      report(
        ctx,
        {
          problem: `${formatValue(id)} is not a known version issue`,
          fix: `${near ? `did you mean "${near}"? ` : ''}use an id of fleet/knownVersionIssues.ts: ${KNOWN_VERSION_ISSUE_IDS.join(', ')}`,
        },
        [id],
      );
    }
  })
  .readonly()
  .register(fieldInfo, { expected: 'accepted known issues', fix: "write acceptedKnownIssues: { 'kubevirt#18087': 'why the cluster runs with it for now' }" });

/** What the version rules read; the cluster schema's fields, each valid on its own. */
export interface VersionedFields {
  readonly kubevirtVersion: string;
  readonly kubeOvn: 'none' | { readonly version: string; readonly install?: KubeOvnInstall };
  readonly kubevirt?: KubevirtSettings;
}

/** Rules between a definition's versions and the fields those versions allow. */
export function clusterVersionRules(cluster: VersionedFields, ctx: Ctx): void {
  const install = cluster.kubeOvn === 'none' ? undefined : cluster.kubeOvn.install;
  if (cluster.kubeOvn !== 'none' && install !== undefined && install !== 'external' && install.version.replace(/^v/, '') !== cluster.kubeOvn.version) {
    report(
      ctx,
      {
        problem: `chart version ${formatValue(install.version)} is not Kube-OVN ${cluster.kubeOvn.version} (kubeOvn.version)`,
        fix: `Kube-OVN's chart versions follow its releases: write version: "v${cluster.kubeOvn.version}", or correct kubeOvn.version, which the version lint checks`,
      },
      ['kubeOvn', 'install', 'version'],
    );
  }

  cluster.kubevirt?.migrationPolicies?.forEach((policy, i) => {
    for (const key of Object.keys(MIGRATION_POLICY_FIELDS_SINCE) as VersionedMigrationPolicyField[]) {
      if (policy[key] === undefined || hasMigrationPolicyField(cluster.kubevirtVersion, key)) continue;
      report(
        ctx,
        {
          problem: `MigrationPolicy field ${key} needs KubeVirt ${MIGRATION_POLICY_FIELDS_SINCE[key]} or newer; this cluster runs ${cluster.kubevirtVersion}`,
          fix: `remove ${key} (the cluster's MigrationPolicy CRD has no such field), or set it once kubevirtVersion is ${MIGRATION_POLICY_FIELDS_SINCE[key]} or newer`,
        },
        ['kubevirt', 'migrationPolicies', i, key],
      );
    }
  });
}
