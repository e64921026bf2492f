/**
 * The shape of the Kyverno CEL policies kvfleet generates (policies.kyverno.io/v1, GA since
 * Kyverno 1.17; the kyverno.io/v1 ClusterPolicy is deprecated and due for removal in 1.20), and
 * the metadata every one of them carries, in the style of the upstream kyverno/policies library.
 */

export const KYVERNO_POLICY_API_VERSION = 'policies.kyverno.io/v1';
/** The CLI the `.kyverno-test/` folders run with; also recorded on every policy. */
export const KYVERNO_TESTED_VERSION = '1.19.0';
/** Every policy object kvfleet synthesises is named with this prefix. */
export const POLICY_NAME_PREFIX = 'kvfleet-';

export type Operation = 'CREATE' | 'UPDATE';

export interface ResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly Operation[];
  readonly resources: readonly string[];
}

export interface MatchConstraints {
  readonly resourceRules: readonly ResourceRule[];
  readonly objectSelector?: { readonly matchLabels: Readonly<Record<string, string>> };
}

/** A match condition or a variable: a name and a CEL expression. */
export interface NamedExpression {
  readonly name: string;
  readonly expression: string;
}

export interface Validation {
  readonly expression: string;
  readonly messageExpression: string;
}

export interface JsonPatchMutation {
  readonly patchType: 'JSONPatch';
  readonly jsonPatch: { readonly expression: string };
}

/**
 * `spec.evaluation` of every kvfleet policy: admission only, no background evaluation. The policies
 * act on CREATE (and UPDATE that changes a machine type) and read `request` / `oldObject`, which a
 * background scan does not have (the CRD's own rule: background must be false then). With Kyverno's
 * default (on), the reports controller would rescan every matched Pod, VMIM, VM and VMI for reports
 * with nothing to say, and Kyverno marks the policy not Ready (`RBACPermissionsGranted` False)
 * wherever its reports identity may not get/list/watch the matched kinds. Off, that check is
 * skipped by design (Kyverno 1.19 `pkg/controllers/policystatus`), and admission is unchanged.
 */
export const ADMISSION_ONLY_EVALUATION = { background: { enabled: false } } as const;

/**
 * What the MutatingPolicy CRD defaults in `spec.evaluation` once the object exists
 * (`skipBackgroundRequests`, `default: true` in Kyverno 1.19's policies.kyverno.io_mutatingpolicies.yaml;
 * the ValidatingPolicy CRD defaults nothing there). Written out, so the object Argo CD applies is the
 * object the API server stores and the policy never shows OutOfSync (kyverno#9451 for the same field
 * on ClusterPolicies). test/admission/kyvernoPolicyDefaults.apiserver.test.ts compares every policy
 * read back through the real Kyverno with dist/.
 */
export const MUTATING_POLICY_EVALUATION_DEFAULTS = { skipBackgroundRequests: true } as const;

/** The policy as shipped: background evaluation off (see ADMISSION_ONLY_EVALUATION), defaults written out. */
export function admissionOnly(policy: KyvernoPolicy): KyvernoPolicy {
  const evaluation = policy.object.kind === 'MutatingPolicy' ? { ...ADMISSION_ONLY_EVALUATION, ...MUTATING_POLICY_EVALUATION_DEFAULTS } : ADMISSION_ONLY_EVALUATION;
  const object = { ...policy.object, spec: { ...policy.object.spec, evaluation } } as KyvernoPolicyObject;
  return { ...policy, object };
}

interface CommonSpec {
  /** Set by admissionOnly() for every policy kvfleet ships. */
  readonly evaluation?: typeof ADMISSION_ONLY_EVALUATION & Partial<typeof MUTATING_POLICY_EVALUATION_DEFAULTS>;
  /**
   * Every kvfleet policy fails open. VM admission and migrations must not stop while Kyverno is
   * unavailable; what a policy adds here is an early, clear answer or a tighter target choice,
   * and the migration controller's fallbacks still catch a migration that went to a bad node.
   */
  readonly failurePolicy: 'Ignore';
  readonly matchConstraints: MatchConstraints;
  readonly matchConditions: readonly NamedExpression[];
  readonly variables: readonly NamedExpression[];
}

export interface ValidatingPolicySpec extends CommonSpec {
  readonly validationActions: readonly ('Deny' | 'Warn')[];
  readonly validations: readonly Validation[];
}

export interface MutatingPolicySpec extends CommonSpec {
  readonly mutations: readonly JsonPatchMutation[];
  /** Only set on Pod policies, to keep Kyverno from generating Deployment/StatefulSet/... variants. */
  readonly autogen?: { readonly podControllers: { readonly controllers: readonly string[] } };
}

export interface PolicyMetadata {
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export type KyvernoPolicyObject =
  | { readonly apiVersion: typeof KYVERNO_POLICY_API_VERSION; readonly kind: 'ValidatingPolicy'; readonly metadata: PolicyMetadata; readonly spec: ValidatingPolicySpec }
  | { readonly apiVersion: typeof KYVERNO_POLICY_API_VERSION; readonly kind: 'MutatingPolicy'; readonly metadata: PolicyMetadata; readonly spec: MutatingPolicySpec };

/** An object a policy reads at admission with `resource.get`; Kyverno needs RBAC for each. */
export interface PolicyLookup {
  readonly apiGroup: string;
  readonly resource: string;
}

/** A generated policy with what it needs from RBAC. */
export interface KyvernoPolicy {
  readonly object: KyvernoPolicyObject;
  readonly lookups: readonly PolicyLookup[];
}

export interface PolicyDescription {
  /** Without the prefix: `vmim-target-affinity` → `kvfleet-vmim-target-affinity`. */
  readonly name: string;
  readonly title: string;
  readonly severity: 'low' | 'medium' | 'high';
  /** Kinds the policy acts on, as upstream writes them: `VirtualMachine, VirtualMachineInstance`. */
  readonly subject: string;
  readonly description: string;
}

/** Name and the annotations upstream policies carry (title, category, severity, subject, description). */
export function policyMetadata(d: PolicyDescription): PolicyMetadata {
  return {
    name: POLICY_NAME_PREFIX + d.name,
    annotations: {
      'policies.kyverno.io/title': d.title,
      'policies.kyverno.io/category': 'KubeVirt',
      'policies.kyverno.io/severity': d.severity,
      'policies.kyverno.io/subject': d.subject,
      'policies.kyverno.io/description': d.description,
      'kyverno.io/kyverno-version': KYVERNO_TESTED_VERSION,
    },
  };
}

export const KUBEVIRT_API_GROUP = 'kubevirt.io';

/** A resource rule on kubevirt.io/v1. */
export function kubevirtRule(resources: readonly string[], operations: readonly Operation[]): ResourceRule {
  return { apiGroups: [KUBEVIRT_API_GROUP], apiVersions: ['v1'], operations, resources };
}
