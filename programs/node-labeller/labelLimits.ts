/**
 * How much the labeller may write to its Node, and the pure decision whether one reconcile stays
 * within it. A capabilities document within MAX_CAPABILITIES_BYTES once yielded 45,366 labels (~2 MB
 * of JSON) in one patch (issue 21): the API server refused the write, and the labeller retried it
 * forever. Now the labeller refuses it first, writes nothing, and says so (an Event, a counted and
 * logged `invalid` outcome retried with backoff).
 *
 * Kubernetes caps no label count. What it caps, read in the sources of the versions the test bed
 * builds (k8s.io/* v0.35.8, etcd v3.6.5):
 * - each label: name ≤ 63 characters, prefix ≤ 253, value ≤ 63 (k8s.io/apimachinery
 *   pkg/api/validate/content/kube.go `labelKeyMaxLength`, `LabelValueMaxLength`; dns.go
 *   `DNS1123SubdomainMaxLength`);
 * - all annotations of an object together: 256 KiB (k8s.io/apimachinery pkg/api/validation/objectmeta.go
 *   `TotalAnnotationSizeLimitB`); kvfleet's drift annotations list machine types and share it;
 * - a request body: 3 MiB, no flag (k8s.io/apiserver pkg/server/config.go `MaxRequestBodyBytes`);
 * - what etcd stores per write: 1.5 MiB by default, `--max-request-bytes` (go.etcd.io/etcd/server/v3
 *   embed/config.go `DefaultMaxRequestBytes`), and that is the whole Node, its status and every other
 *   owner's labels included; the API server's etcd client sends at most 2 MiB
 *   (go.etcd.io/etcd/client/v3 options.go `defaultMaxCallSendMsgSize`). Measured against the test
 *   bed's kube-apiserver 1.35.8: a merge patch of 20,000 labels (1.1 MB) is stored; 30,000 (1.7 MB)
 *   comes back 500 "etcdserver: request is too large", 45,366 (2.5 MB) 500 "trying to send message
 *   larger than max": a server error, which the labeller used to retry as if it were transient;
 * - a JSON Patch: 10,000 operations (k8s.io/apiserver pkg/endpoints/handlers/patch.go
 *   `maxJSONPatchOperations`). The labeller sends a merge patch, which has no such cap.
 */
import { type NodeEventSpec, type NodeMetadataPatch } from './nodeLabels.js';

export interface LabelLimits {
  /** kvfleet-owned labels the Node would carry after the patch. */
  readonly maxLabels: number;
  /** Bytes of the merge-patch request body. */
  readonly maxPatchBytes: number;
}

/**
 * The labeller's limits, constants rather than settings: each is far above anything a real launcher
 * yields, so raising one would only let a broken document through.
 *
 * - `maxLabels`: a real launcher's QEMU offers tens of machine types per architecture (upstream's
 *   kvm-x86_64.xml: 53 types and 3 aliases, 59 labels; the RHEL 9.6 fixture: 26), and each type
 *   yields at most two labels (deprecated), each alias two. 1,000 is 17 times the largest real
 *   document; even sent as a JSON Patch, a full relabel (1,000 removals, 1,000 additions) would stay
 *   below the 10,000 operations.
 * - `maxPatchBytes`: 128 KiB, a twelfth of etcd's 1.5 MiB per write, which the rest of the Node
 *   needs, and half the 256 KiB every owner's annotations share; a real first patch is 2.7 KB.
 *   Below the API's limits is not enough: every Node watch (kube-scheduler, kube-controller-manager,
 *   CNI agents, virt-handler) receives the whole Node on each change, kubelet status updates
 *   included, so every byte kvfleet adds is paid by the whole cluster, again and again.
 */
export const LABEL_LIMITS: LabelLimits = { maxLabels: 1_000, maxPatchBytes: 128 * 1024 };

/** The Warning Event on the Node when a reconcile is refused for exceeding a limit. */
export const LABEL_LIMIT_EXCEEDED_REASON = 'LabelLimitExceeded';

/** The errors counter's reasons (LABELLER_METRICS in metrics.ts), one per limit: label count, patch bytes. */
export const LABEL_LIMIT_ERROR_REASONS = ['too_many_labels', 'patch_too_large'] as const;

export type LabelBounds =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Which limit, as the errors counter's reason. */
      readonly code: (typeof LABEL_LIMIT_ERROR_REASONS)[number];
      readonly actual: number;
      readonly max: number;
    };

/** The merge patch's request body in bytes: client-node sends `JSON.stringify(body)` (ObjectSerializer.stringify), UTF-8. */
export function patchBodyBytes(patch: NodeMetadataPatch): number {
  return Buffer.byteLength(JSON.stringify(patch), 'utf8');
}

/**
 * Whether `desiredLabels` (every kvfleet label the Node should carry) and `patch` (undefined: no
 * write) stay within `limits`. The label count is checked first: it says more about the document.
 */
export function labelBounds(desiredLabels: Readonly<Record<string, string>>, patch: NodeMetadataPatch | undefined, limits: LabelLimits = LABEL_LIMITS): LabelBounds {
  const labels = Object.keys(desiredLabels).length;
  if (labels > limits.maxLabels) return { ok: false, code: 'too_many_labels', actual: labels, max: limits.maxLabels };
  const bytes = patch ? patchBodyBytes(patch) : 0;
  if (bytes > limits.maxPatchBytes) return { ok: false, code: 'patch_too_large', actual: bytes, max: limits.maxPatchBytes };
  return { ok: true };
}

const count = (n: number) => n.toLocaleString('en-US');

/** One line for the log and the outcome: `too_many_labels: 1,001 kvfleet labels, more than 1,000`. */
export function boundsProblem(exceeded: Extract<LabelBounds, { ok: false }>): string {
  const what = exceeded.code === 'too_many_labels' ? 'kvfleet labels' : 'bytes of label patch';
  return `${exceeded.code}: ${count(exceeded.actual)} ${what}, more than ${count(exceeded.max)}`;
}

/** The Warning Event: what was refused, the limit, that nothing was written, and the fix. */
export function labelLimitEvent(exceeded: Extract<LabelBounds, { ok: false }>): NodeEventSpec {
  const what =
    exceeded.code === 'too_many_labels'
      ? `yields ${count(exceeded.actual)} kvfleet labels for this Node, more than the labeller's limit of ${count(exceeded.max)}`
      : `yields a label patch of ${count(exceeded.actual)} bytes for this Node, more than the labeller's limit of ${count(exceeded.max)}`;
  return {
    type: 'Warning',
    reason: LABEL_LIMIT_EXCEEDED_REASON,
    message:
      `The capabilities document ${what}; the Node was left unchanged and the labeller retries with backoff. ` +
      "A real launcher offers tens of machine types: check the init container's virsh capabilities output and the cluster's launcher image, then restart the labeller pod.",
  };
}
