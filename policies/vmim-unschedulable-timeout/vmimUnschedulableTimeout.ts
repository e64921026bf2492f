/**
 * KubeVirt gives a migration target Pod that cannot be scheduled 300 s before it fails the VMIM.
 * With machine-type steering, an unschedulable target usually means no compatible node has room,
 * so the cluster's shorter timeout lets the migration controller's fallback start sooner.
 */
import { celString, jsonPointerToken } from '../kyverno-cel/celLiterals.js';
import { KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';

export const VMIM_UNSCHEDULABLE_TIMEOUT_NAME = 'vmim-unschedulable-timeout';
/** KubeVirt's per-VMIM override of its 300 s default (kubevirt.io/api core/v1). */

export function vmimUnschedulableTimeoutPolicy(timeoutSeconds: number): KyvernoPolicy {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(`'unschedulableTimeoutSeconds' (${timeoutSeconds}) must be a positive whole number of seconds`);
  }
  const value = celString(String(timeoutSeconds));
  const key = celString(UNSCHEDULABLE_TIMEOUT_ANNOTATION);
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'MutatingPolicy',
      metadata: policyMetadata({
        name: VMIM_UNSCHEDULABLE_TIMEOUT_NAME,
        title: 'Fail unschedulable migration targets sooner',
        severity: 'medium',
        subject: 'VirtualMachineInstanceMigration',
        description:
          `Sets ${UNSCHEDULABLE_TIMEOUT_ANNOTATION} to ${timeoutSeconds} on new migrations that do not set it, instead of ` +
          "KubeVirt's 300 s, so a migration whose target cannot be scheduled fails early enough for a fallback.",
      }),
      spec: {
        failurePolicy: 'Ignore',
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachineinstancemigrations'], ['CREATE'])] },
        // A timeout set by whoever created the VMIM (kvfleet's fallbacks set a shorter one) stays.
        matchConditions: [{ name: 'timeout-not-set', expression: `!(${key} in object.metadata.?annotations.orValue({}))` }],
        variables: [],
        mutations: [
          {
            patchType: 'JSONPatch',
            jsonPatch: {
              expression: [
                'has(object.metadata.annotations)',
                `  ? [JSONPatch{op: "add", path: ${celString(`/metadata/annotations/${jsonPointerToken(UNSCHEDULABLE_TIMEOUT_ANNOTATION)}`)}, value: ${value}}]`,
                `  : [JSONPatch{op: "add", path: "/metadata/annotations", value: {${key}: ${value}}}]`,
              ].join('\n'),
            },
          },
        ],
      },
    },
  };
}
